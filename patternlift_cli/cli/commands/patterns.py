"""`patternlift patterns`: the course in suggested order, with where you stand."""

from __future__ import annotations

import typer

from patternlift_cli.cli.options import JSON_OPTION


def patterns(as_json: bool = JSON_OPTION) -> None:
    """List every pattern in the suggested course order: prerequisites, stage, level,
    understanding and whether it is mastered.

    Example: `patternlift patterns --json`
    """
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.services.catalog import Catalog
    from patternlift_cli.ui import progress_view

    learning = current_learner().learning
    terminal = ui()
    if as_json:
        terminal.print_json(learning.patterns())
        return
    course = learning.course_map()  # the rows and the next step, read once
    terminal.show(progress_view.patterns(course.patterns, width=terminal.width))
    planned = Catalog().planned()
    if planned:
        terminal.say(f"[dim]Coming later in the course: {', '.join(entry.name for entry in planned)}.[/]")
    terminal.show(progress_view.next_step(course.next_step))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Learning")(patterns)

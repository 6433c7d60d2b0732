"""`patternlift next`: the one thing to do next, and why."""

from __future__ import annotations

import typer

from patternlift_cli.cli.options import JSON_OPTION


def next_step(as_json: bool = JSON_OPTION) -> None:
    """Recommend the next step from prerequisites, mastery and reviews that are due.

    Example: `patternlift next`
    """
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.ui import progress_view

    step = current_learner().learning.next_step()
    if as_json:
        ui().print_json(step)
    else:
        ui().show(progress_view.next_step(step))


def register(app: typer.Typer) -> None:
    app.command("next", rich_help_panel="Learning")(next_step)

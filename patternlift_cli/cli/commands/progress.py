"""`patternlift progress PATTERN`: one pattern's attempts, struggles and scores."""

from __future__ import annotations

from typing import Optional

import typer

from patternlift_cli.cli.options import JSON_OPTION


def progress(
    pattern: Optional[str] = typer.Argument(None, help="Pattern id, e.g. two-pointers; none: the whole course."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Without a pattern: the whole course as a map (stage, mastery, reviews due, streak).
    With one: its attempts, struggles, and what each figure means and what moved it.

    Examples:

        patternlift progress

        patternlift progress two-pointers --json
    """
    from datetime import UTC, datetime

    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.services.catalog import Catalog
    from patternlift_cli.ui import progress_view

    if pattern is None:
        course = current_learner().learning.course_map()
        if as_json:
            ui().print_json(course)
        else:
            ui().show(progress_view.course_map(course, now=datetime.now(UTC)))
        return
    pattern_id = Catalog().pattern(pattern).id  # an unknown name exits 2 with suggestions
    detail = current_learner().learning.progress(pattern_id)
    if as_json:
        ui().print_json(detail)
    else:
        ui().show(progress_view.progress(detail))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Learning")(progress)

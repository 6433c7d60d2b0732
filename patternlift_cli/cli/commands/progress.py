"""`patternlift progress PATTERN`: one pattern's attempts, struggles and scores."""

from __future__ import annotations

import typer

from patternlift_cli.cli.options import JSON_OPTION


def progress(
    pattern: str = typer.Argument(..., help="Pattern id, e.g. two-pointers."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one pattern's progress: attempts, struggles, mastery scores per dimension.

    Example: `patternlift progress two-pointers`
    """
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.services.catalog import Catalog
    from patternlift_cli.ui import progress_view

    pattern_id = Catalog().pattern(pattern).id  # an unknown name exits 2 with suggestions
    detail = current_learner().learning.progress(pattern_id)
    if as_json:
        ui().print_json(detail)
    else:
        ui().show(progress_view.progress(detail))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Learning")(progress)

"""`patternlift achievements`: what you have unlocked."""

from __future__ import annotations

import typer

from patternlift_cli.cli.options import JSON_OPTION


def achievements(as_json: bool = JSON_OPTION) -> None:
    """List the achievements and which ones you have unlocked.

    Example: `patternlift achievements --json`
    """
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.ui import progress_view

    statuses = current_learner().learning.achievements()
    if as_json:
        ui().print_json(statuses)
    else:
        ui().show(progress_view.achievements(statuses))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Learning")(achievements)

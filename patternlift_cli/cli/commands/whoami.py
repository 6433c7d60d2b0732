"""`patternlift whoami`: who is signed in, the plan, the trial and the AI limit."""

from __future__ import annotations

import typer

from patternlift_cli.cli.options import JSON_OPTION


def whoami(as_json: bool = JSON_OPTION) -> None:
    """Show who is signed in: plan, status, trial days left, AI limit and whether the AI tutor is on.

    Example: `patternlift whoami --json`
    """
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.ui import account_view

    summary = current_learner().account.whoami()
    if as_json:
        ui().print_json(summary)
    else:
        ui().show(account_view.whoami(summary))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Account")(whoami)

"""`patternlift logout`: forget the signed-in learner on this machine."""

from __future__ import annotations

import typer


def logout() -> None:
    """Forget the signed-in learner on this machine (the profile and progress stay stored).

    Example: `patternlift logout`
    """
    from patternlift_cli import signin
    from patternlift_cli.cli.context import ui

    email = signin.forget()
    ui().text(f"Signed out {email}." if email else "Nobody was signed in.")


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Account")(logout)

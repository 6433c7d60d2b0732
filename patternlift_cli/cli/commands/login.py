"""`patternlift login`: create or select your learner profile."""

from __future__ import annotations

from typing import Optional

import typer


def login(
    email: str = typer.Option(..., "--email", "-e", help="Your email; creates the profile on first use."),
    name: Optional[str] = typer.Option(None, "--name", "-n", help="Your name, shown in greetings."),
) -> None:
    """Create or select your learner profile.

    A new profile starts a 14-day trial with a $3.00 monthly AI limit.

    Example: `patternlift login --email ada@example.com --name "Ada"`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.services.learner import sign_in_locally

    stored, full_name, created = sign_in_locally(email, name)
    if created:
        ui().text(f"Welcome, {full_name or stored}! Your 14-day trial has started.")
    else:
        ui().text(f"Signed in as {stored}.")


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Account")(login)

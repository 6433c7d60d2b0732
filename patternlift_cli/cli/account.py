"""`login`, `whoami`, `logout`: the local learner profile."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

import typer

from patternlift_cli.cli.common import JSON_OPTION


def login(
    email: str = typer.Option(..., "--email", "-e", help="Your email; creates the profile on first use."),
    name: Optional[str] = typer.Option(None, "--name", "-n", help="Your name, shown in greetings."),
) -> None:
    """Create or select your learner profile.

    A new profile starts a 14-day trial with a $3.00 monthly AI limit.

    Example: `patternlift login --email ada@example.com --name "Ada"`
    """
    from patternlift_cli.services import accounts
    from patternlift_cli.ui.console import console

    profile, created = accounts.login(email, name)
    if created:
        console.print(f"Welcome, [bold]{profile.full_name or profile.email}[/]! Your 14-day trial has started.")
    else:
        console.print(f"Signed in as [bold]{profile.email}[/].")


def whoami(as_json: bool = JSON_OPTION) -> None:
    """Show who is signed in: plan, status, trial days left and AI limit.

    Example: `patternlift whoami --json`
    """
    from patternlift_cli.cli.common import ensure_signed_in
    from patternlift_cli.services import accounts
    from patternlift_cli.ui.console import console, dollars, print_json

    ensure_signed_in()
    summary = accounts.whoami()
    if as_json:
        print_json(summary.to_dict())
        return
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_row("Email", summary.email)
    if summary.full_name:
        table.add_row("Name", summary.full_name)
    table.add_row("Plan", f"{summary.plan} ({summary.status})")
    if summary.trial_days_left is not None:
        table.add_row("Trial", f"{summary.trial_days_left} day(s) left")
    spent = Decimal(summary.ai_spent_this_month_usd)
    table.add_row("AI limit", f"${summary.ai_limit_usd} a month (spent {dollars(spent, 4)})")
    table.add_row("AI access", summary.ai_access)
    console.print(table)


def logout() -> None:
    """Forget the signed-in learner on this machine (the profile and progress stay stored)."""
    from patternlift_cli.services import accounts
    from patternlift_cli.ui.console import console

    email = accounts.logout()
    console.print(f"Signed out {email}." if email else "Nobody was signed in.")


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Account")(login)
    app.command(rich_help_panel="Account")(whoami)
    app.command(rich_help_panel="Account")(logout)

"""Small pieces every command module shares: who is signed in, the --json option."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from patternlift_cli.errors import NotLoggedInError

if TYPE_CHECKING:
    from sqlmodel import Session

    from patternlift_cli.db.models import UserProfile

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON.")


def ensure_signed_in() -> None:
    """Make sure a learner profile is selected; on a terminal, ask for the email once.

    The database is opened first, so a bad URL or an unreachable server is what gets reported.
    """
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.db.engine import session_scope
    from patternlift_cli.services import accounts

    with session_scope(ready_engine()) as session:
        if accounts.find_current_profile(session) is not None:
            return
    if not sys.stdin.isatty():
        raise NotLoggedInError(
            "No learner is signed in.",
            hint="Run `patternlift login --email you@example.com` first.",
        )
    email = typer.prompt("Your email (creates your local learner profile)")
    accounts.login(email)


def current_profile(session: Session) -> UserProfile:
    from patternlift_cli.services.accounts import require_current_profile

    return require_current_profile(session)


"""What a command works with: the UI, the mode, and the signed-in learner.

solo and direct mode serve the learner from a database (the SQLite file, or
PATTERNLIFT_DATABASE_URL); connected mode from the PatternLift server. Commands do not care
which: they get a `Learner` (ports.account) and call it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from patternlift_cli.errors import NotLoggedInError
from patternlift_cli.ui.terminal import UI, get_ui

if TYPE_CHECKING:
    from patternlift_cli.db.unit import Database
    from patternlift_cli.ports.account import Learner

SOLO, DIRECT, CONNECTED = "solo", "direct", "connected"


def ui() -> UI:
    return get_ui()


def mode() -> str:
    from patternlift_cli.config import get_settings

    return SOLO if get_settings().is_default_sqlite else DIRECT


def database() -> Database:
    """The configured database, its schema checked (SQLite is migrated on first use)."""
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.db.unit import Database

    return Database(ready_engine())


def current_learner(*, ask: bool = True) -> Learner:
    """The signed-in learner; on a terminal, asks for the email once when nobody is.

    The database is opened first, so a bad URL or an unreachable server is what gets reported.
    """
    from patternlift_cli import signin
    from patternlift_cli.services import accounts
    from patternlift_cli.services.learner import LocalLearner

    db = database()
    email = signin.remembered_email()
    profile = accounts.find_profile(db, email) if email else None
    if profile is None:
        terminal = ui()
        if not (ask and terminal.interactive()):
            raise NotLoggedInError(
                "No learner is signed in.", hint="Run `patternlift login --email you@example.com` first."
            )
        typed = terminal.read_line("Your email (creates your local learner profile): ").strip()
        profile, _ = accounts.login(db, typed)
        signin.remember(profile.email)
    return LocalLearner(db, profile.id, profile.email, mode=mode())

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
    from patternlift_cli.ports.account import Learner

SOLO, DIRECT, CONNECTED = "solo", "direct", "connected"


def ui() -> UI:
    return get_ui()


def mode() -> str:
    """connected when a server is configured (PATTERNLIFT_SERVER_URL or `login --server`), else
    direct when PATTERNLIFT_DATABASE_URL names a database, else solo."""
    from patternlift_cli.remote import token_store

    return CONNECTED if token_store.load() is not None else _local_mode()


def _local_mode() -> str:
    from patternlift_cli.config import get_settings

    return SOLO if get_settings().is_default_sqlite else DIRECT


def current_learner(*, ask: bool = True) -> Learner:
    """The signed-in learner; on a terminal, asks for the email once when nobody is.

    The database is opened first, so a bad URL or an unreachable server is what gets reported.
    """
    from patternlift_cli import signin
    from patternlift_cli.remote import token_store

    connection = token_store.load()
    if connection is not None:
        from patternlift_cli.remote.learner import remote_learner

        return remote_learner(connection, notify=lambda line: ui().text(line))

    from patternlift_cli.services.learner import local_learner, sign_in_locally

    learner = local_learner(signin.remembered_email(), mode=_local_mode())  # not connected: checked above
    if learner is None:
        terminal = ui()
        if not (ask and terminal.interactive()):
            raise NotLoggedInError(
                "No learner is signed in.", hint="Run `patternlift login --email you@example.com` first."
            )
        stored, full_name, created = sign_in_locally(
            terminal.read_line("Your email (creates your local learner profile): ").strip()
        )
        if created:
            terminal.text(f"Welcome, {full_name or stored}! Your 14-day trial has started.")
        learner = local_learner(signin.remembered_email(), mode=_local_mode())
        assert learner is not None
    return learner

"""The one entry point services use to get a ready database."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from patternlift_cli.db.engine import get_engine
from patternlift_cli.db.migrate import ensure_schema

_ready: set[str] = set()


def ready_engine() -> Engine:
    """The configured engine with its schema at head.

    SQLite (the default, a file only this learner uses) is migrated on first use; PostgreSQL is
    shared, so an out-of-date schema is reported with the command that migrates it.
    """
    engine = get_engine()
    key = engine.url.render_as_string(hide_password=False)
    if key not in _ready:
        ensure_schema(engine, auto_migrate=engine.url.get_backend_name() == "sqlite")
        _ready.add(key)
    return engine


def forget_ready_engines() -> None:
    _ready.clear()

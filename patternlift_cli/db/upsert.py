"""INSERT ... ON CONFLICT for both backends (SQLite and PostgreSQL spell it alike, from
different SQLAlchemy dialect modules)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa


def dialect_insert(table: sa.Table, dialect: str) -> Any:
    """The dialect's INSERT construct, which has `on_conflict_do_nothing/_update`."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def insert_ignoring_duplicates(
    table: sa.Table, dialect: str, key: Sequence[str], values: Mapping[str, Any]
) -> Any:
    """Insert a row unless one with the same `key` exists (then nothing happens)."""
    return dialect_insert(table, dialect).values(**values).on_conflict_do_nothing(index_elements=list(key))


def upsert(
    table: sa.Table,
    dialect: str,
    key: Sequence[str],
    values: Mapping[str, Any],
    *,
    keep: Sequence[str] = ("id", "created_at"),
    overrides: Mapping[str, Any] | None = None,
) -> Any:
    """Insert a row, or update every column but `key` and `keep` on the row already there.

    `overrides(statement)` maps a column to the expression to store instead of the new value.
    """
    statement = dialect_insert(table, dialect).values(**values)
    updates: dict[str, Any] = {
        name: statement.excluded[name] for name in values if name not in (*key, *keep)
    }
    for name, expression in (overrides or {}).items():
        updates[name] = expression(statement) if callable(expression) else expression
    return statement.on_conflict_do_update(index_elements=list(key), set_=updates)

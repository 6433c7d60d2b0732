"""Where a use case's transaction comes from.

A use case never opens an engine of its own: it is handed a `Database` and asks it for one
transaction per call. On the learner's machine that is the plain engine; on the server it is
a `Database` whose `prepare` runs each transaction as the signed-in learner (row-level
security), so the same use-case code serves both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from patternlift_cli.db.engine import database_errors

if TYPE_CHECKING:
    from sqlmodel import Session


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _bind(self, write: bool) -> Engine:
        # SQLite: a write takes the database's write lock at BEGIN (BEGIN IMMEDIATE), so a
        # read-then-write cannot interleave with another process. PostgreSQL locks rows instead.
        if write and self.dialect == "sqlite":
            return self.engine.execution_options(sqlite_begin="IMMEDIATE")
        return self.engine

    def prepare(self, connection: sa.Connection) -> None:
        """Runs first in every transaction; the server's learner database sets its role here."""

    @contextmanager
    def connection(self, *, write: bool = False) -> Iterator[sa.Connection]:
        """One Core transaction: committed when the block ends, rolled back on an error."""
        with database_errors(self.engine), self._bind(write).begin() as connection:
            self.prepare(connection)
            yield connection

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """One ORM transaction: committed when the block ends, rolled back on an error."""
        # Imported here: the reads that run on `connection` never load the ORM or SQLModel.
        from sqlmodel import Session

        with database_errors(self.engine), Session(self._bind(write), expire_on_commit=False) as session:
            try:
                self.prepare(session.connection())
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

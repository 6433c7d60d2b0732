"""One PostgreSQL transaction for a learner's write request: token check, claim, write, response.

Without it, an answer took three transactions (the token lookup, the use case's write with the
Idempotency-Key claim, the response stored on the key), each a pooled checkout with its own
BEGIN and COMMIT. On an idempotent request (one that carries a key), `deps.current_learner`
opens a `HeldTransaction` and looks the token up in it; the request's first write transaction
(`server.database.RequestDatabase`) runs in it instead of a new one, and is not committed at
the end of its block: `IdempotentRoute` stores the response on the key in it and commits.

What each side sees is unchanged:
- the token is checked, claim and write commit together or not at all, exactly as before;
- the response is committed with the write, so a retry never finds a claim without a response
  once the write is visible (before, there was a moment in between that answered 409);
- any other transaction of the request first commits the held one (`finish_before_next`), so
  transactions still commit in the order the use case opened them;
- an error inside the write rolls the whole transaction back, claim included.

On PostgreSQL (unless behind a transaction pooler) it is five round trips for an answer, with
psycopg's pipeline mode where no result decides the next statement: BEGIN with the token
look-up; the claim with the learner's role switch (database.LearnerDatabase.prepare_held);
the session locked; the session saved with the attempt (one statement); the role reset, the
stored response and COMMIT.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from patternlift_cli.db.engine import database_errors

# The learner's write ran as role `authenticated`; the key's row is the owner's to write.
BACK_TO_OWNER = sa.text("SELECT set_config('role', 'none', true)")


class DriverStatement:
    """A Core statement with named `bindparam`s, compiled once, for `HeldTransaction.run_pipelined`.

    Its parameters must be values psycopg adapts itself (str, int, UUID, datetime): nothing
    passes SQLAlchemy's type processing on this path."""

    def __init__(self, statement: sa.Executable) -> None:
        self.statement = statement
        self._sql: dict[str, str] = {}

    def sql(self, dialect: sa.Dialect) -> str:
        sql = self._sql.get(dialect.name)
        if sql is None:
            sql = self._sql[dialect.name] = str(self.statement.compile(dialect=dialect))  # type: ignore[attr-defined]
        return sql


class HeldTransaction:
    """An open transaction on one pooled connection, for the rest of one request."""

    def __init__(self, engine: Engine, *, pipelined: bool = True) -> None:
        self.engine = engine
        # Off behind a transaction pooler (PATTERNLIFT_DB_PREPARED_STATEMENTS=false): whether
        # one passes a pipeline through is the pooler's business; plain statements always pass.
        self.pipelined = pipelined and engine.dialect.name == "postgresql"
        with database_errors(engine):
            self.connection = engine.connect()
            self.connection.begin()
        self.written = False  # the request's write ran in it and awaits the commit
        self.write_started = False
        self.closed = False

    @contextmanager
    def writing(self) -> Iterator[sa.Connection]:
        """The write transaction's block: rolled back on an error, otherwise kept open."""
        self.write_started = True
        try:
            with database_errors(self.engine):
                yield self.connection
        except BaseException:
            self.close()
            raise
        self.written = True

    def run_pipelined(self, statements: Sequence[tuple[DriverStatement, Mapping[str, Any]]]) -> list[tuple[Any, ...] | None]:
        """Run the statements in one round trip (psycopg's pipeline mode; the transaction's BEGIN
        goes with them when they are its first), and return each one's first row (None when it
        has none). For statements where no result decides whether the next one is sent."""
        import psycopg

        driver = self.connection.connection.driver_connection
        dialect = self.connection.dialect
        cursors = []
        sql = ""
        try:
            with driver.pipeline():
                for statement, params in statements:
                    sql = statement.sql(dialect)
                    cursor = driver.cursor()
                    cursor.execute(sql, params)
                    cursors.append(cursor)
            return [cursor.fetchone() if cursor.description is not None else None for cursor in cursors]
        except psycopg.Error as error:
            # As if SQLAlchemy had run it: a lost server invalidates the pooled connection
            # (deps retries once on a fresh one) and database_errors turns it into one line.
            lost = dialect.is_disconnect(error, driver, None)
            if lost:
                self.connection.invalidate(error)
            raise sa.exc.DBAPIError.instance(
                sql, None, error, psycopg.Error, connection_invalidated=lost, dialect=dialect
            ) from error
        finally:
            for cursor in cursors:
                cursor.close()

    def commit(self, store: tuple[DriverStatement, Mapping[str, Any]] | None = None) -> None:
        """Commit, after `store` (the response on the key) runs as the owner in the same transaction."""
        try:
            with database_errors(self.engine):
                if store is not None and self.pipelined:
                    self._store_and_commit_pipelined(*store)
                elif store is not None:
                    self.connection.execute(BACK_TO_OWNER)
                    self.connection.execute(store[0].statement, store[1])
                self.connection.commit()
        finally:
            self.close()

    def _store_and_commit_pipelined(self, store: DriverStatement, params: Mapping[str, Any]) -> None:
        """The role switch back, the stored response and COMMIT in one round trip (psycopg's
        pipeline mode): none of their results is needed before the next is sent."""
        import psycopg

        sql = store.sql(self.connection.dialect)
        driver = self.connection.connection.driver_connection
        try:
            with driver.pipeline(), driver.cursor() as cursor:
                cursor.execute(str(BACK_TO_OWNER))
                cursor.execute(sql, params)
                driver.commit()
        except psycopg.Error as error:
            # As if SQLAlchemy had run it: database_errors turns a lost server into one line.
            raise sa.exc.DBAPIError.instance(sql, params, error, psycopg.Error) from error
        # SQLAlchemy's commit() after this finds nothing left to commit on the driver.

    def close(self) -> None:
        """Roll back what is not committed and give the connection back; safe to call twice."""
        if self.closed:
            return
        self.closed = True
        try:
            if not self.write_started and self._only_read():
                # The token check alone (a route that ends the held transaction before its
                # write, or a request refused before it): COMMIT, not the pool's ROLLBACK.
                # psycopg forgets a connection's prepared statements on every ROLLBACK (and
                # sends DEALLOCATE ALL), so each session opened cost the next requests on that
                # connection their prepared plans: a third of an answer's database time.
                self.connection.commit()
            self.connection.close()  # returning it to the pool rolls an open transaction back
        except sa.exc.DBAPIError:
            pass  # a broken connection is invalidated by the pool; nothing was committed

    def _only_read(self) -> bool:
        """Whether the transaction is open and healthy on PostgreSQL (so COMMIT ends it cleanly)."""
        if self.engine.dialect.name != "postgresql" or self.connection.invalidated:
            return False
        from psycopg.pq import TransactionStatus

        driver = self.connection.connection.driver_connection
        return driver is not None and driver.info.transaction_status == TransactionStatus.INTRANS

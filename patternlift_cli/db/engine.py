"""Engines and sessions for SQLite (the default) and PostgreSQL, with errors a user can act on."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.url import URL

from patternlift_cli.config import Settings, get_settings
from patternlift_cli.errors import (
    ConfigError,
    DatabaseFileError,
    DatabaseUnreachableError,
    StorageError,
)

if TYPE_CHECKING:
    from sqlmodel import Session

URL_SETTING = "PATTERNLIFT_DATABASE_URL"


def mask_database_url(raw: str) -> str:
    """The URL with every password replaced by ***, even when it does not parse as a URL."""
    try:
        text = make_url(raw).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - masking must work on exactly the URLs that do not parse
        # Up to the last '@': an unencoded '@' inside the password must not leave its tail shown.
        text = re.sub(r"(://[^:/@]*:).*@", r"\1***@", raw)
    return re.sub(r"(?i)(password=)[^&]*", r"\1***", text)  # libpq also takes ?password=


def normalize_database_url(raw: str) -> URL:
    """Parse and normalise a database URL; only SQLite and PostgreSQL (psycopg 3) are spoken."""
    try:
        url = make_url(raw)
        url.port  # noqa: B018 - a port that is not a number fails here, not at connect time
    except Exception:  # ArgumentError, ValueError for a bad port, ...
        # `from None`: the parser's own message repeats the URL, password included.
        raise ConfigError(
            f"{URL_SETTING} is not a valid database URL: '{mask_database_url(raw)}'",
            hint="Expected e.g. postgresql+psycopg://user:password@host:5432/dbname",
        ) from None
    backend, _, driver = url.drivername.partition("+")
    if backend in ("postgres", "postgresql"):
        if driver not in ("", "psycopg"):
            raise ConfigError(f"{URL_SETTING} uses driver '{driver}'; use postgresql+psycopg://")
        url = url.set(drivername="postgresql+psycopg")
        if not url.database:
            raise ConfigError(f"{URL_SETTING} names no database: {mask_database_url(raw)}")
    elif backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise ConfigError(f"{URL_SETTING} uses SQLite driver '{driver}'; use sqlite:///path")
    else:
        raise ConfigError(
            f"{URL_SETTING} must be a postgresql+psycopg:// or sqlite:/// URL, not '{backend}://'."
        )
    return url


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event below issue BEGIN, so a write can ask for BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(connection: sa.Connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def create_engine_for(
    url: URL, settings: Settings, *, ping_every_checkout: bool = True, pool_size: int | None = None
) -> Engine:
    """`ping_every_checkout=False` (the server): a pooled connection is pinged only after it sat
    idle (see `_ping_when_idle`), so a busy server does not pay a round trip per transaction.
    `pool_size` (PostgreSQL): that many connections kept open, none beyond (the server)."""
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            from pathlib import Path

            path = Path(url.database)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseFileError(
                    f"Cannot create the database folder {path.parent}: {error.strerror}"
                ) from error
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine

    connect_args: dict[str, Any] = {"connect_timeout": settings.db_connect_timeout_seconds}
    if not settings.db_prepared_statements:
        # Transaction poolers (Supabase :6543, PgBouncer) hand each transaction a different
        # server connection, where a prepared statement from an earlier one does not exist.
        connect_args["prepare_threshold"] = None
    if ping_every_checkout:
        return sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    sizes = {} if pool_size is None else {"pool_size": pool_size, "max_overflow": 0}
    engine = sa.create_engine(url, connect_args=connect_args, pool_recycle=RECYCLE_SECONDS, **sizes)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_when_idle)
    return engine


# A connection busy within the last few seconds is almost surely alive; one idle longer may
# have been cut (database restart, a proxy's idle timeout) and is pinged before use.
IDLE_PING_SECONDS = 5.0
RECYCLE_SECONDS = 1800


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_when_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    returned = record.info.get("checked_in_at")
    if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
        return  # fresh from connect, or in use a moment ago
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        # psycopg opened a transaction for the SELECT. COMMIT, not ROLLBACK: psycopg drops the
        # connection's prepared statements on every ROLLBACK.
        dbapi_connection.commit()
    except Exception as error:  # any failure means: do not hand this one out
        # The pool discards the connection and checks out (or opens) another.
        raise sa.exc.DisconnectionError(f"a pooled connection failed its ping: {error}") from error


_engines: dict[str, Engine] = {}


def get_engine() -> Engine:
    """The engine for the configured database, one per URL per process."""
    raw_url = get_settings().effective_database_url
    engine = _engines.get(raw_url)
    if engine is None:
        engine = create_engine_for(normalize_database_url(raw_url), get_settings())
        _engines[raw_url] = engine
    return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests, and before a forked worker starts)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def describe_location(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database}"
    return f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def translate_operational_error(error: Exception, url: URL) -> StorageError:
    """Turn a driver error into one line that names what is wrong and where."""
    text = str(getattr(error, "orig", None) or error)
    if url.get_backend_name() == "sqlite":
        lowered = text.lower()
        if "not a database" in lowered or "malformed" in lowered:
            return DatabaseFileError(
                f"The SQLite file {url.database} is corrupt or not a database.",
                hint="Move it aside (PatternLift will start a fresh one) or restore a backup.",
            )
        if "readonly" in lowered or "unable to open" in lowered or "permission" in lowered:
            return DatabaseFileError(
                f"Cannot write the SQLite file {url.database}: {text.splitlines()[0]}",
                hint="Check the folder's permissions, or set PATTERNLIFT_HOME elsewhere.",
            )
        return DatabaseFileError(f"SQLite error on {url.database}: {text.splitlines()[0]}")
    return _postgres_error(text, url)


# What PostgreSQL says when it was reached but refused us, and what to tell the user instead.
_REFUSALS = (
    (r'role "([^"]*)" does not exist', "has no role '{0}' (the user in the URL): create it or fix {setting}"),
    (r'database "([^"]*)" does not exist', "has no database '{0}': create it or fix {setting}"),
    (r'password authentication failed for user "([^"]*)"', "rejected the password of user '{0}': check {setting}"),
    (r"no password supplied", "asks for a password and the URL has none: add it to {setting}"),
)


def _postgres_error(text: str, url: URL) -> StorageError:
    host, port = url.host or "localhost", url.port or 5432
    for secret in (url.password, url.query.get("password")):
        if secret and isinstance(secret, str):
            text = text.replace(secret, "***")
    for pattern, explanation in _REFUSALS:
        match = re.search(pattern, text)
        if match:
            return StorageError(
                f"PostgreSQL at {host}:{port} {explanation.format(*match.groups(), setting=URL_SETTING)}."
            )
    first_line = text.strip().splitlines()[0] if text.strip() else "no answer"
    return DatabaseUnreachableError(
        f"Cannot reach PostgreSQL at {host}:{port} (database '{url.database}'): {first_line}",
        hint=f"Is the server running? Check {URL_SETTING}.",
    )


@contextmanager
def database_errors(engine: Engine) -> Iterator[None]:
    """Translate connection-level failures inside the block into StorageError subclasses."""
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
        raise translate_operational_error(error, engine.url) from error
    except sa.exc.DatabaseError as error:
        text = str(error.orig or error).lower()
        if engine.url.get_backend_name() == "sqlite" and (
            "not a database" in text or "malformed" in text
        ):
            raise translate_operational_error(error, engine.url) from error
        raise


@contextmanager
def session_scope(engine: Engine | None = None, *, immediate: bool = False) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error.

    `immediate=True` takes SQLite's write lock at BEGIN (BEGIN IMMEDIATE), so a read-then-write
    like the AI budget check cannot interleave with another process; PostgreSQL callers lock
    rows with SELECT ... FOR UPDATE instead.
    """
    from sqlmodel import Session  # not at the top: Core reads never load the ORM

    engine = engine or get_engine()
    with database_errors(engine):
        bind: Engine = engine
        if immediate and engine.url.get_backend_name() == "sqlite":
            bind = engine.execution_options(sqlite_begin="IMMEDIATE")
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise


@contextmanager
def transaction(engine: Engine, *, immediate: bool = False) -> Iterator[sa.Connection]:
    """One Core transaction, for hot paths where an ORM Session's bookkeeping is pure overhead.

    `immediate` means the same as in `session_scope`.
    """
    with database_errors(engine):
        bind: Engine = engine
        if immediate and engine.url.get_backend_name() == "sqlite":
            bind = engine.execution_options(sqlite_begin="IMMEDIATE")
        with bind.begin() as connection:
            yield connection

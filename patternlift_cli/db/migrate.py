"""Running and checking the Alembic migrations packaged with PatternLift.

Every command checks the schema with one query (`alembic_version` against
`revision.HEAD_REVISION`); Alembic itself is imported only to migrate, to compare the models
with the database, or to explain a revision this code does not know.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from patternlift_cli.db.engine import database_errors, describe_location
from patternlift_cli.db.revision import HEAD_REVISION
from patternlift_cli.errors import SchemaOutOfDateError, UsageError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SCRIPT_LOCATION = "patternlift_cli.db:migrations"
VERSION_TABLE = "alembic_version"
# One PostgreSQL advisory lock key for "migrating PatternLift's schema" (a stable 63-bit number),
# so two `db upgrade` runs against one server take turns instead of racing.
MIGRATION_LOCK_KEY = int.from_bytes(hashlib.sha256(b"patternlift:migrations").digest()[:8], "big") >> 1


def alembic_config(connection: sa.Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this code ships (no Alembic import; tests keep it equal to Alembic's)."""
    return HEAD_REVISION


def is_known_revision(revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return script_directory().get_revision(revision) is not None
    except CommandError:
        return False


def _read_revision(connection: sa.Connection) -> str | None:
    """`alembic_version`'s row, or None when the table is not there (an empty database)."""
    if connection.dialect.name == "sqlite":
        exists = connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).first()
    else:
        exists = connection.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar()
    if not exists:
        return None
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    return ",".join(sorted(rows)) or None


def current_revision(engine: Engine) -> str | None:
    with database_errors(engine), engine.connect() as connection:
        return _read_revision(connection)


def _newer_than_code(engine: Engine, current: str) -> SchemaOutOfDateError:
    return SchemaOutOfDateError(
        f"The database ({describe_location(engine.url)}) is at revision {current}, newer than this "
        f"PatternLift knows (its newest is {HEAD_REVISION}): the code is older than the database.",
        hint="Upgrade PatternLift (pip install -U patternlift); do not downgrade the database.",
    )


@dataclass(frozen=True)
class Migration:
    before: str | None
    after: str | None


def _migrate(engine: Engine, revision: str, direction: str) -> Migration:
    """Run Alembic's upgrade or downgrade in one transaction that holds the migration lock.

    PostgreSQL: an advisory transaction lock, so a second `db upgrade` waits for the first and
    then finds the schema already at head. SQLite: BEGIN IMMEDIATE, the same for two processes
    migrating a fresh file on first use.
    """
    from alembic import command
    from alembic.util import CommandError

    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if engine.url.get_backend_name() == "sqlite" else engine
    with database_errors(engine), bind.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        before = _read_revision(connection)
        if before is not None and not all(is_known_revision(part) for part in before.split(",")):
            raise _newer_than_code(engine, before)
        try:
            getattr(command, direction)(alembic_config(connection), revision)
        except CommandError as error:
            raise UsageError(
                f"Cannot {direction} to '{revision}': {str(error).splitlines()[0]}",
                hint="Use head, base, a revision id (see `patternlift db status`) or a step such as -1.",
            ) from None
        return Migration(before, _read_revision(connection))


def upgrade(engine: Engine, revision: str = "head") -> Migration:
    return _migrate(engine, revision, "upgrade")


def downgrade(engine: Engine, revision: str) -> Migration:
    return _migrate(engine, revision, "downgrade")


def ensure_schema(engine: Engine, *, auto_migrate: bool) -> None:
    """Make sure the schema is at head: migrate SQLite on first use, ask for PostgreSQL."""
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return
    if current is not None and not all(is_known_revision(part) for part in current.split(",")):
        raise _newer_than_code(engine, current)
    if auto_migrate:
        upgrade(engine)
        return
    where = describe_location(engine.url)
    state = "has no PatternLift schema" if current is None else f"is at revision {current}"
    raise SchemaOutOfDateError(
        f"The database ({where}) {state}; this version needs {HEAD_REVISION}.",
        hint="Run `patternlift db upgrade` to migrate it.",
    )


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """What schema comparison looks at: our tables, not Alembic's, not the usage view."""
    if type_ == "table" and name in (VERSION_TABLE, "monthly_ai_usage"):
        return False
    if type_ == "foreign_key_constraint" and reflected and compare_to is None:
        # user_profiles.id -> auth.users(id) lives outside the models on purpose: only
        # PostgreSQL has the auth schema.
        referred = getattr(obj, "referred_table", None)
        if referred is not None and referred.schema == "auth":
            return False
    return True


@dataclass(frozen=True)
class SchemaDifference:
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def _describe(diff: Any) -> SchemaDifference:
    if isinstance(diff, list):  # column-level changes come grouped
        return _describe(diff[0])
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        return SchemaDifference(kind, diff[1].name)
    if kind in ("add_column", "remove_column"):
        return SchemaDifference(kind, f"{diff[2]}.{diff[3].name}")
    if kind in ("add_index", "remove_index"):
        index = diff[1]
        return SchemaDifference(kind, f"{index.name} on {index.table.name}")
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        constraint = diff[1]
        return SchemaDifference(kind, f"{constraint.name} on {constraint.table.name}")
    if kind.startswith("modify_"):
        return SchemaDifference(kind, f"{diff[2]}.{diff[3]}: {diff[5]!r} -> {diff[6]!r}")
    return SchemaDifference(kind, repr(diff[1:]))


def compare_schema(engine: Engine) -> list[SchemaDifference]:
    """Every difference between the models and the migrated database (Alembic autogenerate)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from patternlift_cli.db.models import all_tables

    with database_errors(engine), engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_object, "compare_type": True},
        )
        diffs = compare_metadata(context, all_tables())
    return [_describe(diff) for diff in diffs]

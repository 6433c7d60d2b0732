"""Running and checking the Alembic migrations packaged with PatternLift."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from patternlift_cli.db.engine import database_errors, describe_location
from patternlift_cli.errors import SchemaOutOfDateError

SCRIPT_LOCATION = "patternlift_cli.db:migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None, "the packaged migrations have no head"
    return head


def current_revision(engine: Engine) -> str | None:
    with database_errors(engine), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with database_errors(engine), engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with database_errors(engine), engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def ensure_schema(engine: Engine, *, auto_migrate: bool) -> None:
    """Make sure the schema is at head: migrate SQLite on first use, ask for PostgreSQL."""
    current = current_revision(engine)
    if current == head_revision():
        return
    if auto_migrate:
        upgrade(engine)
        return
    where = describe_location(engine.url)
    state = "has no PatternLift schema" if current is None else f"is at revision {current}"
    raise SchemaOutOfDateError(
        f"The database ({where}) {state}; this version needs {head_revision()}.",
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
    from sqlmodel import SQLModel

    import patternlift_cli.db.models  # noqa: F401

    with database_errors(engine), engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_object, "compare_type": True},
        )
        diffs = compare_metadata(context, SQLModel.metadata)
    return [_describe(diff) for diff in diffs]

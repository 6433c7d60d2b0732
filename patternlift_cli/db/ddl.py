"""Dialect-aware building blocks for the migrations.

Migrations call these so one revision file runs on PostgreSQL and SQLite alike; the
PostgreSQL-only parts (enum types, gen_random_uuid(), RLS, the materialized view) are guarded
here rather than scattered through every revision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from patternlift_cli.db.types import Money, UTCDateTime

SUBSCRIPTION_STATUS_VALUES = ("trial", "active", "canceled", "past_due", "unpaid")
LEARNING_STAGE_VALUES = (
    "introduction",
    "knowledge_check",
    "hands_on_practice",
    "mastery_assessment",
)
# The role Supabase gives signed-in users; created on plain PostgreSQL when absent.
LEARNER_ROLE = "authenticated"


def is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def enum_type(name: str, values: Sequence[str]) -> sa.types.TypeEngine[Any]:
    if is_postgres():
        return postgresql.ENUM(*values, name=name, create_type=False)
    return sa.Enum(*values, name=name, create_constraint=True, native_enum=False)


def create_enum_types() -> None:
    if is_postgres():
        bind = op.get_bind()
        postgresql.ENUM(*SUBSCRIPTION_STATUS_VALUES, name="user_subscription_status").create(
            bind, checkfirst=True
        )
        postgresql.ENUM(*LEARNING_STAGE_VALUES, name="learning_stage").create(bind, checkfirst=True)


def drop_enum_types() -> None:
    if is_postgres():
        bind = op.get_bind()
        postgresql.ENUM(name="learning_stage").drop(bind, checkfirst=True)
        postgresql.ENUM(name="user_subscription_status").drop(bind, checkfirst=True)


def uuid_pk(*, server_generated: bool = True) -> sa.Column[Any]:
    default = sa.text("gen_random_uuid()") if server_generated and is_postgres() else None
    return sa.Column("id", sa.Uuid(), primary_key=True, server_default=default)


def timestamp(name: str, *, default_now: bool = True, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(
        name,
        UTCDateTime(),
        server_default=sa.func.now() if default_now else None,
        nullable=nullable,
    )


def jsonb(name: str, empty: str | None, *, nullable: bool = True) -> sa.Column[Any]:
    """A jsonb column (JSON text on SQLite); `empty` is '{}' or '[]' for the default."""
    if is_postgres():
        column_type: Any = postgresql.JSONB()
        default = sa.text(f"'{empty}'::jsonb") if empty is not None else None
    else:
        column_type = sa.JSON()
        default = sa.text(f"'{empty}'") if empty is not None else None
    return sa.Column(name, column_type, server_default=default, nullable=nullable)


def text_array(name: str) -> sa.Column[Any]:
    """text[] DEFAULT '{}' on PostgreSQL; a JSON array on SQLite."""
    if is_postgres():
        return sa.Column(name, postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"))
    return sa.Column(name, sa.JSON(), server_default=sa.text("'[]'"))


def trial_end_default() -> sa.TextClause:
    if is_postgres():
        return sa.text("(now() + interval '14 days')")
    return sa.text("(strftime('%Y-%m-%d %H:%M:%f', 'now', '+14 days'))")


def money(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, Money(), nullable=nullable)


def user_fk(*, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(
        "user_id",
        sa.Uuid(),
        sa.ForeignKey("user_profiles.id", ondelete="CASCADE"),
        nullable=nullable,
    )


# ----- row-level security (PostgreSQL only) ---------------------------------------------------


def ensure_learner_role() -> None:
    # Roles belong to the whole cluster: two databases migrated at once (replicas, parallel
    # test workers) both see the role missing, and the slower CREATE must not fail the upgrade.
    op.execute(
        f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{LEARNER_ROLE}') THEN
            CREATE ROLE {LEARNER_ROLE} NOLOGIN;
          END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
          NULL;
        END $$;
        """
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {LEARNER_ROLE}")
    op.execute(f"GRANT USAGE ON SCHEMA auth TO {LEARNER_ROLE}")


def enable_owner_rls(table: str, owner_column: str = "user_id") -> None:
    """RLS with SELECT/INSERT/UPDATE policies: a learner sees and changes only their rows."""
    if not is_postgres():
        return
    condition = f"auth.uid() = {owner_column}"
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f'CREATE POLICY "{table}_select_own" ON {table} FOR SELECT USING ({condition})')
    op.execute(f'CREATE POLICY "{table}_insert_own" ON {table} FOR INSERT WITH CHECK ({condition})')
    op.execute(
        f'CREATE POLICY "{table}_update_own" ON {table} FOR UPDATE '
        f"USING ({condition}) WITH CHECK ({condition})"
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {LEARNER_ROLE}")


def disable_owner_rls(table: str) -> None:
    if not is_postgres():
        return
    for action in ("select", "insert", "update"):
        op.execute(f'DROP POLICY IF EXISTS "{table}_{action}_own" ON {table}')
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute(f"REVOKE ALL ON {table} FROM {LEARNER_ROLE}")

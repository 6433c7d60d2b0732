"""The server's platform tables (sign-in codes, access tokens, rate-limit counters, idempotency
keys) and the learner role's exact privileges for running requests under row-level security.

The server runs every learner request as the `authenticated` role, so what that role may touch
is the platform's security boundary. Until now it held SELECT, INSERT and UPDATE on every
user-owned table; this revision narrows that to what the learning use cases need:

- user_profiles: read; update only full_name, learning_preferences, updated_at (never the AI
  limit, the month's spend, the subscription columns or the trial end);
- learning_sessions, user_calibrations, pattern_progress: read, insert, update;
- user_achievements: read, insert; ai_interactions: read, update only the two rating columns;
- ai_budget_reservations, subscriptions, payment_history, patterns: read only (budget and
  billing writes run as the owner with an explicit user filter).

The new tables have row-level security on, no policy and no grant: learners never see them.

Revision ID: 20261202000012
Revises: 20261202000013 (given 20261125000009; chained after main's 11 and 13 when main was merged)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from patternlift_cli.db import ddl

revision = "20261202000012"
down_revision = "20261202000013"
branch_labels = None
depends_on = None

PLATFORM_TABLES = ("auth_email_codes", "auth_access_tokens", "auth_rate_limits", "idempotency_keys")

LEARNER_PRIVILEGES = {
    "user_profiles": "SELECT, UPDATE (full_name, learning_preferences, updated_at)",
    "learning_sessions": "SELECT, INSERT, UPDATE",
    "user_calibrations": "SELECT, INSERT, UPDATE",
    "pattern_progress": "SELECT, INSERT, UPDATE",
    "user_achievements": "SELECT, INSERT",
    "ai_interactions": "SELECT, UPDATE (response_quality_score, user_feedback)",
    "ai_budget_reservations": "SELECT",
    "subscriptions": "SELECT",
    "payment_history": "SELECT",
    "patterns": "SELECT",
}
# What 20250101000005 and later granted, restored by the downgrade.
PREVIOUS_PRIVILEGES = {table: "SELECT, INSERT, UPDATE" for table in LEARNER_PRIVILEGES} | {
    "patterns": "SELECT"
}


def _create_tables() -> None:
    op.create_table(
        "auth_email_codes",
        sa.Column("email", sa.Text(), primary_key=True),
        sa.Column("code_hash", sa.Text(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("expires_at", ddl.UTCDateTime(), nullable=False),
        sa.Column("used_at", ddl.UTCDateTime()),
        ddl.timestamp("created_at"),
        sa.CheckConstraint("failed_attempts >= 0", name="auth_email_codes_failed_attempts_check"),
    )
    op.create_table(
        "auth_access_tokens",
        sa.Column("token_hash", sa.Text(), primary_key=True),
        ddl.user_fk(nullable=False),
        sa.Column("expires_at", ddl.UTCDateTime(), nullable=False),
        ddl.timestamp("created_at"),
    )
    op.create_index(
        "idx_auth_access_tokens_user_expires", "auth_access_tokens", ["user_id", "expires_at"]
    )
    op.create_table(
        "auth_rate_limits",
        sa.Column("bucket", sa.Text(), primary_key=True),
        sa.Column("window_start", ddl.UTCDateTime(), primary_key=True),
        sa.Column("hits", sa.Integer(), nullable=False, server_default="0"),
        sa.CheckConstraint("hits >= 0", name="auth_rate_limits_hits_check"),
    )
    op.create_index("idx_auth_rate_limits_window_start", "auth_rate_limits", ["window_start"])
    op.create_table(
        "idempotency_keys",
        ddl.user_fk(nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("status_code", sa.Integer()),
        sa.Column("media_type", sa.Text()),
        sa.Column("response_body", sa.Text()),
        ddl.timestamp("created_at"),
        sa.Column("completed_at", ddl.UTCDateTime()),
        sa.PrimaryKeyConstraint("user_id", "key", name="idempotency_keys_pkey"),
    )
    op.create_index("idx_idempotency_keys_created", "idempotency_keys", ["created_at"])


def _grant(privileges: dict[str, str]) -> None:
    role = ddl.LEARNER_ROLE
    for table, granted in privileges.items():
        op.execute(f"REVOKE ALL ON {table} FROM {role}")
        op.execute(f"GRANT {granted} ON {table} TO {role}")


def upgrade() -> None:
    _create_tables()
    if not ddl.is_postgres():
        return
    ddl.ensure_learner_role()
    # The server's own login must be able to `SET LOCAL ROLE authenticated` (a superuser and
    # Supabase's postgres role already can).
    op.execute(
        f"""
        DO $$ BEGIN
          IF NOT pg_has_role(current_user, '{ddl.LEARNER_ROLE}', 'MEMBER') THEN
            EXECUTE format('GRANT {ddl.LEARNER_ROLE} TO %I', current_user);
          END IF;
        END $$;
        """
    )
    for table in PLATFORM_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        # Supabase grants every new table to its API roles by default; take that back.
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC, {ddl.LEARNER_ROLE}")
    _grant(LEARNER_PRIVILEGES)


def downgrade() -> None:
    if ddl.is_postgres():
        _grant(PREVIOUS_PRIVILEGES)
    op.drop_index("idx_idempotency_keys_created", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("idx_auth_rate_limits_window_start", table_name="auth_rate_limits")
    op.drop_table("auth_rate_limits")
    op.drop_index("idx_auth_access_tokens_user_expires", table_name="auth_access_tokens")
    op.drop_table("auth_access_tokens")
    op.drop_table("auth_email_codes")

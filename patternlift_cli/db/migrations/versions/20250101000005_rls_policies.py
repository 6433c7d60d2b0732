"""Security policies: row-level security on every user-owned table (PostgreSQL only).

Learners (the `authenticated` role, as on Supabase) see and change only their own rows via
auth.uid(); the table owner, which PatternLift's own connection uses, is not subject to RLS.
Patterns are readable by everyone. monthly_ai_usage (a materialized view, which RLS
cannot cover) is deliberately not granted to learners.

Revision ID: 20250101000005
Revises: 20250101000004
"""

from __future__ import annotations

from alembic import op

from patternlift_cli.db import ddl

revision = "20250101000005"
down_revision = "20250101000004"
branch_labels = None
depends_on = None

OWNED = ("learning_sessions", "pattern_progress", "ai_interactions", "subscriptions", "payment_history")


def upgrade() -> None:
    if not ddl.is_postgres():
        return
    ddl.enable_owner_rls("user_profiles", owner_column="id")
    for table in OWNED:
        ddl.enable_owner_rls(table)
    op.execute("ALTER TABLE patterns ENABLE ROW LEVEL SECURITY")
    op.execute('CREATE POLICY "patterns_select_all" ON patterns FOR SELECT USING (true)')
    op.execute(f"GRANT SELECT ON patterns TO {ddl.LEARNER_ROLE}")


def downgrade() -> None:
    if not ddl.is_postgres():
        return
    op.execute('DROP POLICY IF EXISTS "patterns_select_all" ON patterns')
    op.execute("ALTER TABLE patterns DISABLE ROW LEVEL SECURITY")
    op.execute(f"REVOKE ALL ON patterns FROM {ddl.LEARNER_ROLE}")
    for table in reversed(OWNED):
        ddl.disable_owner_rls(table)
    ddl.disable_owner_rls("user_profiles")

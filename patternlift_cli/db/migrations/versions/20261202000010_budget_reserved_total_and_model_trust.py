"""The AI budget protocol in one statement per step, and models whose bills ran past their holds.

- user_profiles.current_month_ai_reserved: the sum of the learner's open reservations, kept on
  the profile row so reserve can test `spent + reserved + worst case <= limit` in the UPDATE
  that takes the row's lock (backfilled from the open reservations).
- ai_budget_reservations.prompt_token_bound: with max_completion_tokens, the token bounds an
  expired hold is charged at (holds written before this revision record 0 prompt tokens).
- ai_model_trust: one row per model that billed more than its reservation covered, with the
  evidence; the model is refused while the price it overran under is still the price in effect.

SQLite gets the columns without their CHECK constraints: adding a CHECK there means rebuilding
user_profiles, and dropping the old copy with foreign keys on would cascade into every child.

Revision ID: 20261202000010
Revises: 20261202000012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from patternlift_cli.db import ddl
from patternlift_cli.db.types import PlainNumeric

revision = "20261202000010"
down_revision = "20261202000012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_profiles") as batch:
        batch.add_column(
            sa.Column("current_month_ai_reserved", PlainNumeric(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE user_profiles SET current_month_ai_reserved = ("
        " SELECT coalesce(sum(amount_usd), 0) FROM ai_budget_reservations"
        " WHERE ai_budget_reservations.user_id = user_profiles.id)"
    )
    with op.batch_alter_table("ai_budget_reservations") as batch:
        batch.add_column(sa.Column("prompt_token_bound", sa.Integer(), nullable=False, server_default="0"))
    if ddl.is_postgres():
        op.create_check_constraint(
            "user_profiles_current_month_ai_reserved_check", "user_profiles", "current_month_ai_reserved >= 0"
        )
        op.create_check_constraint(
            "ai_budget_reservations_prompt_token_bound_check", "ai_budget_reservations", "prompt_token_bound >= 0"
        )

    op.create_table(
        "ai_model_trust",
        sa.Column("model_used", sa.Text(), primary_key=True),
        sa.Column("price_basis", sa.Text(), nullable=False),
        ddl.money("reserved_usd"),
        ddl.money("billed_usd"),
        sa.Column("max_completion_tokens", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column(
            "interaction_id", sa.Uuid(), sa.ForeignKey("ai_interactions.id", ondelete="SET NULL")
        ),
        sa.Column("overrun_count", sa.Integer(), nullable=False, server_default="1"),
        ddl.timestamp("first_seen_at", nullable=False),
        ddl.timestamp("last_seen_at", nullable=False),
        sa.CheckConstraint("billed_usd > reserved_usd", name="ai_model_trust_billed_usd_check"),
        sa.CheckConstraint("overrun_count >= 1", name="ai_model_trust_overrun_count_check"),
    )
    if ddl.is_postgres():
        # Every learner's reserve must see a distrusted model; only the platform records one.
        op.execute("ALTER TABLE ai_model_trust ENABLE ROW LEVEL SECURITY")
        op.execute('CREATE POLICY "ai_model_trust_select_all" ON ai_model_trust FOR SELECT USING (true)')
        op.execute(f"GRANT SELECT ON ai_model_trust TO {ddl.LEARNER_ROLE}")


def downgrade() -> None:
    if ddl.is_postgres():
        op.execute(f"REVOKE ALL ON ai_model_trust FROM {ddl.LEARNER_ROLE}")
    op.drop_table("ai_model_trust")
    if ddl.is_postgres():
        op.drop_constraint("ai_budget_reservations_prompt_token_bound_check", "ai_budget_reservations")
        op.drop_constraint("user_profiles_current_month_ai_reserved_check", "user_profiles")
    with op.batch_alter_table("ai_budget_reservations") as batch:
        batch.drop_column("prompt_token_bound")
    with op.batch_alter_table("user_profiles") as batch:
        batch.drop_column("current_month_ai_reserved")

"""The AI budget protocol's state: ai_budget_reservations and the month the profile's
current_month_ai_cost belongs to (so the first call of a new UTC month rolls it over).

Revision ID: 20261125000008
Revises: 20250624120523
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from patternlift_cli.db import ddl

revision = "20261125000008"
down_revision = "20250624120523"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_budget_reservations",
        ddl.uuid_pk(),
        ddl.user_fk(nullable=False),
        sa.Column(
            "session_id", sa.Uuid(), sa.ForeignKey("learning_sessions.id", ondelete="SET NULL")
        ),
        sa.Column("interaction_type", sa.Text(), nullable=False),
        sa.Column("model_used", sa.Text(), nullable=False),
        ddl.money("amount_usd"),
        sa.Column("max_completion_tokens", sa.Integer(), nullable=False),
        sa.Column("expires_at", ddl.UTCDateTime(), nullable=False),
        ddl.timestamp("created_at"),
        sa.CheckConstraint("amount_usd >= 0", name="ai_budget_reservations_amount_usd_check"),
        sa.CheckConstraint(
            "max_completion_tokens > 0", name="ai_budget_reservations_max_completion_tokens_check"
        ),
    )
    op.create_index(
        "idx_ai_budget_reservations_user_expires",
        "ai_budget_reservations",
        ["user_id", "expires_at"],
    )
    with op.batch_alter_table("user_profiles") as batch:
        batch.add_column(sa.Column("ai_cost_month", sa.Date()))
    ddl.enable_owner_rls("ai_budget_reservations")


def downgrade() -> None:
    ddl.disable_owner_rls("ai_budget_reservations")
    with op.batch_alter_table("user_profiles") as batch:
        batch.drop_column("ai_cost_month")
    op.drop_index("idx_ai_budget_reservations_user_expires", table_name="ai_budget_reservations")
    op.drop_table("ai_budget_reservations")

"""AI usage and billing: ai_interactions, subscriptions, payment_history, monthly_ai_usage.

monthly_ai_usage is a materialized view with a unique index on PostgreSQL (so it can be
refreshed CONCURRENTLY) and a plain view on SQLite.

Revision ID: 20250101000004
Revises: 20250101000003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from patternlift_cli.db import ddl
from patternlift_cli.db.types import PlainNumeric

revision = "20250101000004"
down_revision = "20250101000003"
branch_labels = None
depends_on = None

PG_VIEW = """
CREATE MATERIALIZED VIEW monthly_ai_usage AS
SELECT user_id,
       (date_trunc('month', created_at AT TIME ZONE 'UTC'))::date AS month,
       count(*)::bigint AS interaction_count,
       coalesce(sum(prompt_tokens), 0)::bigint AS prompt_tokens,
       coalesce(sum(completion_tokens), 0)::bigint AS completion_tokens,
       coalesce(sum(cost_usd), 0)::numeric(12, 6) AS total_cost_usd
FROM ai_interactions
GROUP BY user_id, (date_trunc('month', created_at AT TIME ZONE 'UTC'))::date
"""

SQLITE_VIEW = """
CREATE VIEW monthly_ai_usage AS
SELECT user_id,
       strftime('%Y-%m-01', created_at) AS month,
       count(*) AS interaction_count,
       coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
       coalesce(sum(completion_tokens), 0) AS completion_tokens,
       coalesce(sum(cost_usd), 0) AS total_cost_usd
FROM ai_interactions
GROUP BY user_id, strftime('%Y-%m-01', created_at)
"""


def upgrade() -> None:
    op.create_table(
        "ai_interactions",
        ddl.uuid_pk(),
        ddl.user_fk(),
        sa.Column(
            "session_id", sa.Uuid(), sa.ForeignKey("learning_sessions.id", ondelete="SET NULL")
        ),
        sa.Column("interaction_type", sa.Text(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("model_used", sa.Text(), nullable=False),
        ddl.money("cost_usd"),
        sa.Column("response_quality_score", PlainNumeric()),
        sa.Column("user_feedback", sa.Integer()),
        ddl.timestamp("created_at"),
        sa.CheckConstraint("prompt_tokens >= 0", name="ai_interactions_prompt_tokens_check"),
        sa.CheckConstraint(
            "completion_tokens >= 0", name="ai_interactions_completion_tokens_check"
        ),
        sa.CheckConstraint("cost_usd >= 0", name="ai_interactions_cost_usd_check"),
        sa.CheckConstraint(
            "response_quality_score >= 1 AND response_quality_score <= 5",
            name="ai_interactions_response_quality_score_check",
        ),
        sa.CheckConstraint(
            "user_feedback >= 1 AND user_feedback <= 5", name="ai_interactions_user_feedback_check"
        ),
    )
    op.create_index("idx_ai_interactions_user_created", "ai_interactions", ["user_id", "created_at"])
    op.create_index(
        "idx_ai_interactions_cost", "ai_interactions", ["user_id", "created_at", "cost_usd"]
    )

    op.create_table(
        "subscriptions",
        ddl.uuid_pk(),
        ddl.user_fk(nullable=False),
        sa.Column("stripe_customer_id", sa.Text(), nullable=False),
        sa.Column("stripe_subscription_id", sa.Text()),
        sa.Column("stripe_price_id", sa.Text()),
        sa.Column("stripe_checkout_session_id", sa.Text()),
        sa.Column(
            "status",
            ddl.enum_type("user_subscription_status", ddl.SUBSCRIPTION_STATUS_VALUES),
            nullable=False,
            server_default="trial",
        ),
        sa.Column("stripe_status", sa.Text()),
        sa.Column("current_period_end", ddl.UTCDateTime()),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("canceled_at", ddl.UTCDateTime()),
        sa.Column("trial_end", ddl.UTCDateTime()),
        ddl.timestamp("created_at"),
        ddl.timestamp("updated_at"),
        sa.UniqueConstraint("user_id", name="subscriptions_user_id_key"),
        sa.UniqueConstraint("stripe_customer_id", name="subscriptions_stripe_customer_id_key"),
        sa.UniqueConstraint(
            "stripe_subscription_id", name="subscriptions_stripe_subscription_id_key"
        ),
    )

    op.create_table(
        "payment_history",
        ddl.uuid_pk(),
        ddl.user_fk(nullable=False),
        sa.Column(
            "subscription_id", sa.Uuid(), sa.ForeignKey("subscriptions.id", ondelete="SET NULL")
        ),
        sa.Column("stripe_invoice_id", sa.Text(), nullable=False),
        sa.Column("stripe_subscription_id", sa.Text()),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("paid_at", ddl.UTCDateTime()),
        sa.Column("failed_at", ddl.UTCDateTime()),
        sa.Column("hosted_invoice_url", sa.Text()),
        ddl.timestamp("created_at"),
        ddl.timestamp("updated_at"),
        sa.UniqueConstraint("stripe_invoice_id", name="payment_history_stripe_invoice_id_key"),
        sa.CheckConstraint("amount_minor >= 0", name="payment_history_amount_minor_check"),
        sa.CheckConstraint(
            "length(currency) = 3 AND currency = lower(currency)",
            name="payment_history_currency_check",
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'paid', 'failed', 'void', 'uncollectible')",
            name="payment_history_status_check",
        ),
    )
    op.create_index(
        "idx_payment_history_user_created", "payment_history", ["user_id", "created_at"]
    )

    if ddl.is_postgres():
        op.execute(PG_VIEW)
        op.execute("CREATE UNIQUE INDEX monthly_ai_usage_user_month ON monthly_ai_usage (user_id, month)")
    else:
        op.execute(SQLITE_VIEW)


def downgrade() -> None:
    if ddl.is_postgres():
        op.execute("DROP MATERIALIZED VIEW IF EXISTS monthly_ai_usage")
    else:
        op.execute("DROP VIEW IF EXISTS monthly_ai_usage")
    op.drop_index("idx_payment_history_user_created", table_name="payment_history")
    op.drop_table("payment_history")
    op.drop_table("subscriptions")
    op.drop_index("idx_ai_interactions_cost", table_name="ai_interactions")
    op.drop_index("idx_ai_interactions_user_created", table_name="ai_interactions")
    op.drop_table("ai_interactions")

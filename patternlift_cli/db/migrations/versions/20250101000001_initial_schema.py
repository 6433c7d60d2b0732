"""Core tables and types: the enum types, user_profiles and patterns.

Revision ID: 20250101000001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from patternlift_cli.db import ddl
from patternlift_cli.db.types import PlainNumeric

revision = "20250101000001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_enum_types()
    op.create_table(
        "user_profiles",
        ddl.uuid_pk(server_generated=False),  # the id is auth.users(id) on PostgreSQL
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("full_name", sa.Text()),
        sa.Column(
            "subscription_status",
            ddl.enum_type("user_subscription_status", ddl.SUBSCRIPTION_STATUS_VALUES),
            server_default="trial",
        ),
        sa.Column("subscription_tier", sa.Text(), server_default="basic"),
        sa.Column("trial_ends_at", ddl.UTCDateTime(), server_default=ddl.trial_end_default()),
        sa.Column("monthly_ai_usage_limit", PlainNumeric(), server_default="3.00"),
        sa.Column("current_month_ai_cost", PlainNumeric(), server_default="0.00"),
        ddl.jsonb("learning_preferences", "{}"),
        ddl.timestamp("created_at"),
        ddl.timestamp("updated_at"),
        sa.UniqueConstraint("email", name="user_profiles_email_key"),
    )
    op.create_table(
        "patterns",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
        ddl.text_array("prerequisites"),
        ddl.text_array("tags"),
        sa.Column("problem_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("content_hash", sa.Text()),
        sa.Column("is_published", sa.Boolean(), nullable=False, server_default=sa.true()),
        ddl.timestamp("created_at"),
        ddl.timestamp("updated_at"),
        sa.CheckConstraint("problem_count >= 0", name="patterns_problem_count_check"),
    )


def downgrade() -> None:
    op.drop_table("patterns")
    op.drop_table("user_profiles")
    ddl.drop_enum_types()

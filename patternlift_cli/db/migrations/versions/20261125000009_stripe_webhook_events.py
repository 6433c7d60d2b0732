"""Webhook idempotency: every Stripe event id is recorded once, in the same transaction that
applies it, so a replay or a racing duplicate delivery changes nothing.

Revision ID: 20261125000009
Revises: 20261125000008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from patternlift_cli.db import ddl

revision = "20261125000009"
down_revision = "20261125000008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stripe_webhook_events",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("stripe_created_at", ddl.UTCDateTime()),
        ddl.timestamp("processed_at"),
    )
    if ddl.is_postgres():
        # Platform-only data: RLS on with no learner policy means learners see nothing.
        op.execute("ALTER TABLE stripe_webhook_events ENABLE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.drop_table("stripe_webhook_events")

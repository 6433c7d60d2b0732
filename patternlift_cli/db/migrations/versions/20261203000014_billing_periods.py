"""What the billing rules need from Stripe: the period an invoice bills, when a subscription
began, and what became of each webhook delivery.

- payment_history.period_end: the end of the service period each invoice bills. A canceled
  subscription keeps the AI tutor until its period ends only when that period was paid: a paid
  invoice whose period reaches past now.
- subscriptions.stripe_created_at: when Stripe created the stored subscription, so a late event
  for an older, ended subscription cannot replace a newer one (the newest wins unless an older
  one is live).
- stripe_webhook_events.outcome / detail: processed, ignored or rejected (a signed delivery
  that is not a usable event, kept under `rejected:<sha256 of the body>`), and why.

Rows stored before this revision have NULL in both until the next `patternlift subscribe sync`
or webhook re-fetches them from Stripe.

Revision ID: 20261203000014
Revises: 20261202000010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from patternlift_cli.db import ddl

revision = "20261203000014"
down_revision = "20261202000010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payment_history") as batch:
        batch.add_column(sa.Column("period_end", ddl.UTCDateTime()))
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("stripe_created_at", ddl.UTCDateTime()))
    with op.batch_alter_table("stripe_webhook_events") as batch:
        batch.add_column(sa.Column("outcome", sa.Text(), nullable=False, server_default="processed"))
        batch.add_column(sa.Column("detail", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("stripe_webhook_events") as batch:
        batch.drop_column("detail")
        batch.drop_column("outcome")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("stripe_created_at")
    with op.batch_alter_table("payment_history") as batch:
        batch.drop_column("period_end")

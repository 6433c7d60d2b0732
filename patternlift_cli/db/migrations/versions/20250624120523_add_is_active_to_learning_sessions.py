"""Session state tracking: learning_sessions.is_active.

Revision ID: 20250624120523
Revises: 20250624120013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20250624120523"
down_revision = "20250624120013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learning_sessions") as batch:
        batch.add_column(sa.Column("is_active", sa.Boolean(), server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("learning_sessions") as batch:
        batch.drop_column("is_active")

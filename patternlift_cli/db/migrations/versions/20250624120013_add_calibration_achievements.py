"""Calibration and achievements: user_calibrations, user_achievements, and the learning_sessions
columns they feed (best_score, current_score, attempts_count, persona_type).

Revision ID: 20250624120013
Revises: 20250101000005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from patternlift_cli.db import ddl
from patternlift_cli.db.types import PlainNumeric

revision = "20250624120013"
down_revision = "20250101000005"
branch_labels = None
depends_on = None

SESSION_COLUMNS = ("best_score", "current_score", "attempts_count", "persona_type")


def upgrade() -> None:
    op.create_table(
        "user_calibrations",
        ddl.uuid_pk(),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("pattern_id", sa.Text(), nullable=False),
        sa.Column("persona_type", sa.Text(), nullable=False),
        sa.Column("total_score", sa.Integer(), nullable=False),
        ddl.jsonb("responses", None, nullable=False),
        ddl.jsonb("guidance_config", None, nullable=False),
        ddl.timestamp("created_at"),
        ddl.timestamp("updated_at"),
        sa.UniqueConstraint("user_id", "pattern_id", name="user_calibrations_user_id_pattern_id_key"),
    )
    op.create_table(
        "user_achievements",
        ddl.uuid_pk(),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("achievement_id", sa.Text(), nullable=False),
        sa.Column("achievement_name", sa.Text(), nullable=False),
        ddl.jsonb("achievement_data", None, nullable=False),
        ddl.timestamp("unlocked_at"),
        ddl.timestamp("created_at"),
        sa.UniqueConstraint(
            "user_id", "achievement_id", name="user_achievements_user_id_achievement_id_key"
        ),
    )
    with op.batch_alter_table("learning_sessions") as batch:
        batch.add_column(sa.Column("best_score", PlainNumeric(), server_default="0"))
        batch.add_column(sa.Column("current_score", PlainNumeric(), server_default="0"))
        batch.add_column(sa.Column("attempts_count", sa.Integer(), server_default="0"))
        batch.add_column(sa.Column("persona_type", sa.Text(), server_default="balanced_learner"))
    ddl.enable_owner_rls("user_calibrations")
    ddl.enable_owner_rls("user_achievements")


def downgrade() -> None:
    ddl.disable_owner_rls("user_achievements")
    ddl.disable_owner_rls("user_calibrations")
    with op.batch_alter_table("learning_sessions") as batch:
        for column in reversed(SESSION_COLUMNS):
            batch.drop_column(column)
    op.drop_table("user_achievements")
    op.drop_table("user_calibrations")

"""Learning system tables: learning_sessions and pattern_progress.

Revision ID: 20250101000003
Revises: 20250101000002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from patternlift_cli.db import ddl
from patternlift_cli.db.types import PlainNumeric

revision = "20250101000003"
down_revision = "20250101000002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learning_sessions",
        ddl.uuid_pk(),
        ddl.user_fk(),
        sa.Column("pattern_id", sa.Text(), sa.ForeignKey("patterns.id")),
        sa.Column(
            "current_stage",
            ddl.enum_type("learning_stage", ddl.LEARNING_STAGE_VALUES),
            server_default="introduction",
        ),
        sa.Column("current_level", sa.Integer(), server_default="1"),
        ddl.jsonb("stage_progress", "{}"),
        sa.Column("understanding_level", PlainNumeric(), server_default="50.0"),
        ddl.jsonb("attempt_history", "[]"),
        ddl.text_array("struggle_indicators"),
        ddl.jsonb("mastery_scores", "{}"),
        sa.Column("completed_at", ddl.UTCDateTime()),
        ddl.timestamp("created_at"),
        ddl.timestamp("updated_at"),
        sa.CheckConstraint(
            "current_level IN (1, 2, 3)", name="learning_sessions_current_level_check"
        ),
        sa.CheckConstraint(
            "understanding_level >= 0 AND understanding_level <= 100",
            name="learning_sessions_understanding_level_check",
        ),
        sa.UniqueConstraint(
            "user_id", "pattern_id", name="learning_sessions_user_id_pattern_id_key"
        ),
    )
    op.create_index(
        "idx_learning_sessions_user_pattern", "learning_sessions", ["user_id", "pattern_id"]
    )
    op.create_index(
        "idx_learning_sessions_active",
        "learning_sessions",
        ["user_id", "completed_at"],
        postgresql_where=sa.text("completed_at IS NULL"),
        sqlite_where=sa.text("completed_at IS NULL"),
    )
    op.create_table(
        "pattern_progress",
        ddl.uuid_pk(),
        ddl.user_fk(nullable=False),
        sa.Column("pattern_id", sa.Text(), sa.ForeignKey("patterns.id"), nullable=False),
        sa.Column(
            "session_id", sa.Uuid(), sa.ForeignKey("learning_sessions.id", ondelete="SET NULL")
        ),
        sa.Column("mastery_score", PlainNumeric(), nullable=False),
        sa.Column("assessment_score", PlainNumeric(), nullable=False),
        sa.Column("attempts_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("time_spent_seconds", sa.Integer(), nullable=False, server_default="0"),
        ddl.timestamp("mastered_at"),
        ddl.timestamp("created_at"),
        ddl.timestamp("updated_at"),
        sa.UniqueConstraint("user_id", "pattern_id", name="pattern_progress_user_id_pattern_id_key"),
        sa.CheckConstraint(
            "mastery_score >= 0 AND mastery_score <= 100", name="pattern_progress_mastery_score_check"
        ),
        sa.CheckConstraint(
            "assessment_score >= 0 AND assessment_score <= 100",
            name="pattern_progress_assessment_score_check",
        ),
        sa.CheckConstraint("attempts_count >= 0", name="pattern_progress_attempts_count_check"),
        sa.CheckConstraint(
            "time_spent_seconds >= 0", name="pattern_progress_time_spent_seconds_check"
        ),
    )


def downgrade() -> None:
    op.drop_table("pattern_progress")
    op.drop_index("idx_learning_sessions_active", table_name="learning_sessions")
    op.drop_index("idx_learning_sessions_user_pattern", table_name="learning_sessions")
    op.drop_table("learning_sessions")

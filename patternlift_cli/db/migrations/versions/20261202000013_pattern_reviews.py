"""pattern_reviews and review_logs: spaced review of mastered patterns (FSRS).

One card per learner and mastered pattern (its FSRS state, when it is due, the review in
progress), and one log row per review taken, with its rating.

Revision ID: 20261202000013
Revises: 20261202000011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from patternlift_cli.db import ddl
from patternlift_cli.db.types import PlainNumeric

revision = "20261202000013"
down_revision = "20261202000011"
branch_labels = None
depends_on = None

RATINGS = "rating IN ('again', 'hard', 'good', 'easy')"


def upgrade() -> None:
    op.create_table(
        "pattern_reviews",
        ddl.uuid_pk(),
        ddl.user_fk(nullable=False),
        sa.Column("pattern_id", sa.Text(), sa.ForeignKey("patterns.id"), nullable=False),
        ddl.jsonb("card", None, nullable=False),
        sa.Column("due_at", ddl.UTCDateTime(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lapses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_rating", sa.Text()),
        sa.Column("last_reviewed_at", ddl.UTCDateTime()),
        ddl.jsonb("pending", "{}", nullable=False),
        ddl.timestamp("created_at"),
        ddl.timestamp("updated_at"),
        sa.UniqueConstraint("user_id", "pattern_id", name="pattern_reviews_user_id_pattern_id_key"),
        sa.CheckConstraint("reps >= 0 AND lapses >= 0", name="pattern_reviews_counts_check"),
        sa.CheckConstraint(
            "last_rating IS NULL OR last_rating IN ('again', 'hard', 'good', 'easy')",
            name="pattern_reviews_last_rating_check",
        ),
    )
    op.create_index("idx_pattern_reviews_user_due", "pattern_reviews", ["user_id", "due_at"])
    op.create_table(
        "review_logs",
        ddl.uuid_pk(),
        ddl.user_fk(nullable=False),
        sa.Column("pattern_id", sa.Text(), sa.ForeignKey("patterns.id"), nullable=False),
        sa.Column("rating", sa.Text(), nullable=False),
        sa.Column("questions_right", sa.Integer(), nullable=False),
        sa.Column("questions_total", sa.Integer(), nullable=False),
        sa.Column("problem_passed", sa.Boolean(), nullable=False),
        sa.Column("seconds", PlainNumeric(), nullable=False, server_default="0"),
        sa.Column("due_before", ddl.UTCDateTime(), nullable=False),
        sa.Column("due_after", ddl.UTCDateTime(), nullable=False),
        ddl.timestamp("reviewed_at", nullable=False),
        sa.CheckConstraint(RATINGS, name="review_logs_rating_check"),
    )
    op.create_index("idx_review_logs_user_reviewed", "review_logs", ["user_id", "reviewed_at"])
    ddl.enable_owner_rls("pattern_reviews")
    ddl.enable_owner_rls("review_logs")


def downgrade() -> None:
    ddl.disable_owner_rls("review_logs")
    ddl.disable_owner_rls("pattern_reviews")
    op.drop_index("idx_review_logs_user_reviewed", table_name="review_logs")
    op.drop_table("review_logs")
    op.drop_index("idx_pattern_reviews_user_due", table_name="pattern_reviews")
    op.drop_table("pattern_reviews")

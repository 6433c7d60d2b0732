"""The learner's progress tables, declared once in SQLAlchemy Core.

`patterns`, `next` and `progress` read these at start-up with Core statements, so that path never
imports the ORM or SQLModel (together ~40% of `python -c "import sqlmodel"`). The SQLModel
classes in `db/models.py` and `db/review_models.py` map onto these very `Table` objects
(`__table__`), and every other model module declares its tables on the same `metadata`, so
foreign keys resolve and `all_tables()` still returns one schema.
"""

from __future__ import annotations

import sqlalchemy as sa

from patternlift_cli.db.types import (
    JSONB,
    LEARNING_STAGE,
    SUBSCRIPTION_STATUS,
    TEXT_ARRAY,
    PlainNumeric,
    UTCDateTime,
)

metadata = sa.MetaData()

NOW = sa.func.now()


def uuid_pk_column(name: str = "id") -> sa.Column:
    return sa.Column(name, sa.Uuid(), primary_key=True)


def timestamp_column(name: str) -> sa.Column:
    """created_at / updated_at: set by the database when a row is written."""
    return sa.Column(name, UTCDateTime(), server_default=NOW)


def user_fk_column(nullable: bool = True, name: str = "user_id") -> sa.Column:
    return sa.Column(name, sa.Uuid(), sa.ForeignKey("user_profiles.id", ondelete="CASCADE"), nullable=nullable)


user_profiles = sa.Table(
    "user_profiles",
    metadata,
    uuid_pk_column(),
    sa.Column("email", sa.Text(), nullable=False, unique=True),
    sa.Column("full_name", sa.Text()),
    sa.Column("subscription_status", SUBSCRIPTION_STATUS, server_default="trial"),
    sa.Column("subscription_tier", sa.Text(), server_default="basic"),
    sa.Column("trial_ends_at", UTCDateTime()),
    sa.Column("monthly_ai_usage_limit", PlainNumeric(), server_default="3.00"),
    sa.Column("current_month_ai_cost", PlainNumeric(), server_default="0.00"),
    # The UTC month that current_month_ai_cost belongs to (first day); older means roll over.
    sa.Column("ai_cost_month", sa.Date()),
    # The sum of this learner's open ai_budget_reservations, kept beside the spend so one
    # conditional UPDATE can test spent + reserved + worst case against the limit.
    sa.Column("current_month_ai_reserved", PlainNumeric(), nullable=False, server_default="0"),
    sa.Column("learning_preferences", JSONB),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    sa.CheckConstraint(  # PostgreSQL only: see migration 20261202000010
        "current_month_ai_reserved >= 0", name="user_profiles_current_month_ai_reserved_check"
    ),
)

# Pattern metadata, kept in sync with the packaged curriculum.
patterns = sa.Table(
    "patterns",
    metadata,
    sa.Column("id", sa.Text(), primary_key=True),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("summary", sa.Text(), nullable=False),
    sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("prerequisites", TEXT_ARRAY),
    sa.Column("tags", TEXT_ARRAY),
    sa.Column("problem_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("content_hash", sa.Text()),
    sa.Column("is_published", sa.Boolean(), nullable=False, server_default=sa.true()),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    sa.CheckConstraint("problem_count >= 0", name="patterns_problem_count_check"),
)

learning_sessions = sa.Table(
    "learning_sessions",
    metadata,
    uuid_pk_column(),
    user_fk_column(),
    sa.Column("pattern_id", sa.Text(), sa.ForeignKey("patterns.id")),
    sa.Column("current_stage", LEARNING_STAGE, server_default="introduction"),
    sa.Column("current_level", sa.Integer(), server_default="1"),
    sa.Column("stage_progress", JSONB),
    sa.Column("understanding_level", PlainNumeric(), server_default="50.0"),
    sa.Column("attempt_history", JSONB),
    sa.Column("struggle_indicators", TEXT_ARRAY),
    sa.Column("mastery_scores", JSONB),
    sa.Column("best_score", PlainNumeric(), server_default="0"),
    sa.Column("current_score", PlainNumeric(), server_default="0"),
    sa.Column("attempts_count", sa.Integer(), server_default="0"),
    sa.Column("persona_type", sa.Text(), server_default="balanced_learner"),
    sa.Column("is_active", sa.Boolean(), server_default=sa.true()),
    sa.Column("completed_at", UTCDateTime()),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    sa.CheckConstraint("current_level IN (1, 2, 3)", name="learning_sessions_current_level_check"),
    sa.CheckConstraint(
        "understanding_level >= 0 AND understanding_level <= 100",
        name="learning_sessions_understanding_level_check",
    ),
    sa.UniqueConstraint("user_id", "pattern_id", name="learning_sessions_user_id_pattern_id_key"),
    sa.Index("idx_learning_sessions_user_pattern", "user_id", "pattern_id"),
    # idx_learning_sessions_active is partial: declared by declare_partial_indexes().
)

# One answer, test run or check result, appended as it happens and never rewritten.
learning_attempts = sa.Table(
    "learning_attempts",
    metadata,
    uuid_pk_column(),
    sa.Column("session_id", sa.Uuid(), sa.ForeignKey("learning_sessions.id", ondelete="CASCADE"), nullable=False),
    user_fk_column(nullable=False),
    sa.Column("kind", sa.Text(), nullable=False),
    sa.Column("stage", sa.Text(), nullable=False),
    sa.Column("level", sa.Integer(), nullable=False, server_default="1"),
    sa.Column("item", sa.Text(), nullable=False, server_default=""),
    sa.Column("score", PlainNumeric()),
    sa.Column("passed", sa.Boolean()),
    sa.Column("hints", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("duration_seconds", PlainNumeric(), nullable=False, server_default="0"),
    sa.Column("concept", sa.Text()),
    sa.Column("question_kind", sa.Text()),
    sa.Column("cases_passed", sa.Integer()),
    sa.Column("cases_total", sa.Integer()),
    sa.Column("details", JSONB, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False, server_default=NOW),
    sa.CheckConstraint(
        "kind IN ('answer', 'test_run', 'knowledge_check', 'mastery_assessment')",
        name="learning_attempts_kind_check",
    ),
    sa.CheckConstraint("hints >= 0", name="learning_attempts_hints_check"),
    sa.CheckConstraint("duration_seconds >= 0", name="learning_attempts_duration_seconds_check"),
    sa.Index("idx_learning_attempts_session_created", "session_id", "created_at"),
)

# One row per mastered pattern: written only by a passed mastery assessment.
pattern_progress = sa.Table(
    "pattern_progress",
    metadata,
    uuid_pk_column(),
    user_fk_column(nullable=False),
    sa.Column("pattern_id", sa.Text(), sa.ForeignKey("patterns.id"), nullable=False),
    sa.Column("session_id", sa.Uuid(), sa.ForeignKey("learning_sessions.id", ondelete="SET NULL")),
    sa.Column("mastery_score", PlainNumeric(), nullable=False),
    sa.Column("assessment_score", PlainNumeric(), nullable=False),
    sa.Column("attempts_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("time_spent_seconds", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("mastered_at", UTCDateTime(), server_default=NOW),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    sa.UniqueConstraint("user_id", "pattern_id", name="pattern_progress_user_id_pattern_id_key"),
    sa.CheckConstraint(
        "mastery_score >= 0 AND mastery_score <= 100", name="pattern_progress_mastery_score_check"
    ),
    sa.CheckConstraint(
        "assessment_score >= 0 AND assessment_score <= 100",
        name="pattern_progress_assessment_score_check",
    ),
    sa.CheckConstraint("attempts_count >= 0", name="pattern_progress_attempts_count_check"),
    sa.CheckConstraint("time_spent_seconds >= 0", name="pattern_progress_time_spent_seconds_check"),
)

# A mastered pattern's spaced-review card (FSRS) and the review in progress.
pattern_reviews = sa.Table(
    "pattern_reviews",
    metadata,
    uuid_pk_column(),
    user_fk_column(nullable=False),
    sa.Column("pattern_id", sa.Text(), sa.ForeignKey("patterns.id"), nullable=False),
    sa.Column("card", JSONB, nullable=False),
    sa.Column("due_at", UTCDateTime(), nullable=False),
    sa.Column("reps", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("lapses", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_rating", sa.Text()),
    sa.Column("last_reviewed_at", UTCDateTime()),
    sa.Column("pending", JSONB, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    sa.UniqueConstraint("user_id", "pattern_id", name="pattern_reviews_user_id_pattern_id_key"),
    sa.CheckConstraint("reps >= 0 AND lapses >= 0", name="pattern_reviews_counts_check"),
    sa.CheckConstraint(
        "last_rating IS NULL OR last_rating IN ('again', 'hard', 'good', 'easy')",
        name="pattern_reviews_last_rating_check",
    ),
    sa.Index("idx_pattern_reviews_user_due", "user_id", "due_at"),
)


def declare_partial_indexes() -> None:
    """The seed's partial indexes, declared only for schema work (migrations, checks).

    A `postgresql_where` option makes SQLAlchemy import its PostgreSQL dialect (~70 ms) to
    validate it; queries never need the Index object, so commands on SQLite skip that cost.
    """
    if any(index.name == "idx_learning_sessions_active" for index in learning_sessions.indexes):
        return
    sa.Index(
        "idx_learning_sessions_active",
        learning_sessions.c.user_id,
        learning_sessions.c.completed_at,
        postgresql_where=sa.text("completed_at IS NULL"),
        sqlite_where=sa.text("completed_at IS NULL"),
    )

"""SQLModel tables: the seed schema (docs/SCHEMA.md) plus the tables it left to us.

The migrations in `db/migrations/versions` are the source of truth for the database; these
models mirror them and `patternlift db check` proves the two agree. Server defaults that differ
by dialect (uuid generation, `now() + 14 days`, empty jsonb/text[]) live in the migrations;
the models carry the same defaults on the Python side.
"""

from __future__ import annotations

import importlib
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from patternlift_cli.db.columns import (
    NOW,
    created_at_field,
    updated_at_field,
    user_fk,
    uuid_pk,
)
from patternlift_cli.db.types import (
    JSONB,
    LEARNING_STAGE,
    SUBSCRIPTION_STATUS,
    TEXT_ARRAY,
    LearningStage,
    Money,
    PlainNumeric,
    SubscriptionStatus,
    UTCDateTime,
)


class UserProfile(SQLModel, table=True):
    __tablename__ = "user_profiles"

    id: uuid.UUID = uuid_pk()
    email: str = Field(sa_column=sa.Column(sa.Text(), nullable=False, unique=True))
    full_name: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    subscription_status: SubscriptionStatus | None = Field(
        default=SubscriptionStatus.trial,
        sa_column=sa.Column(SUBSCRIPTION_STATUS, server_default="trial"),
    )
    subscription_tier: str | None = Field(
        default="basic", sa_column=sa.Column(sa.Text(), server_default="basic")
    )
    trial_ends_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    monthly_ai_usage_limit: Decimal | None = Field(
        default=Decimal("3.00"), sa_column=sa.Column(PlainNumeric(), server_default="3.00")
    )
    current_month_ai_cost: Decimal | None = Field(
        default=Decimal("0.00"), sa_column=sa.Column(PlainNumeric(), server_default="0.00")
    )
    # The UTC month that current_month_ai_cost belongs to (first day); older means roll over.
    ai_cost_month: date | None = Field(default=None, sa_column=sa.Column(sa.Date()))
    # The sum of this learner's open ai_budget_reservations, kept beside the spend so one
    # conditional UPDATE can test spent + reserved + worst case against the limit.
    current_month_ai_reserved: Decimal = Field(
        default=Decimal(0), sa_column=sa.Column(PlainNumeric(), nullable=False, server_default="0")
    )
    learning_preferences: dict[str, Any] | None = Field(
        default_factory=dict, sa_column=sa.Column(JSONB)
    )
    created_at: datetime | None = created_at_field()
    updated_at: datetime | None = updated_at_field()

    __table_args__ = (
        sa.CheckConstraint(  # PostgreSQL only: see migration 20261202000010
            "current_month_ai_reserved >= 0", name="user_profiles_current_month_ai_reserved_check"
        ),
    )


class Pattern(SQLModel, table=True):
    """Pattern metadata, kept in sync with the packaged curriculum."""

    __tablename__ = "patterns"

    id: str = Field(sa_column=sa.Column(sa.Text(), primary_key=True))
    name: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    summary: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    sort_order: int = Field(
        default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0")
    )
    prerequisites: list[str] | None = Field(default_factory=list, sa_column=sa.Column(TEXT_ARRAY))
    tags: list[str] | None = Field(default_factory=list, sa_column=sa.Column(TEXT_ARRAY))
    problem_count: int = Field(
        default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0")
    )
    content_hash: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    is_published: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean(), nullable=False, server_default=sa.true())
    )
    created_at: datetime | None = created_at_field()
    updated_at: datetime | None = updated_at_field()

    __table_args__ = (sa.CheckConstraint("problem_count >= 0", name="patterns_problem_count_check"),)


class LearningSession(SQLModel, table=True):
    __tablename__ = "learning_sessions"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID | None = user_fk()
    pattern_id: str | None = Field(
        default=None, sa_column=sa.Column(sa.Text(), sa.ForeignKey("patterns.id"))
    )
    current_stage: LearningStage | None = Field(
        default=LearningStage.introduction,
        sa_column=sa.Column(LEARNING_STAGE, server_default="introduction"),
    )
    current_level: int | None = Field(
        default=1, sa_column=sa.Column(sa.Integer(), server_default="1")
    )
    stage_progress: dict[str, Any] | None = Field(default_factory=dict, sa_column=sa.Column(JSONB))
    understanding_level: Decimal | None = Field(
        default=Decimal("50.0"), sa_column=sa.Column(PlainNumeric(), server_default="50.0")
    )
    attempt_history: list[dict[str, Any]] | None = Field(
        default_factory=list, sa_column=sa.Column(JSONB)
    )
    struggle_indicators: list[str] | None = Field(
        default_factory=list, sa_column=sa.Column(TEXT_ARRAY)
    )
    mastery_scores: dict[str, Any] | None = Field(default_factory=dict, sa_column=sa.Column(JSONB))
    best_score: Decimal | None = Field(
        default=Decimal(0), sa_column=sa.Column(PlainNumeric(), server_default="0")
    )
    current_score: Decimal | None = Field(
        default=Decimal(0), sa_column=sa.Column(PlainNumeric(), server_default="0")
    )
    attempts_count: int | None = Field(
        default=0, sa_column=sa.Column(sa.Integer(), server_default="0")
    )
    persona_type: str | None = Field(
        default="balanced_learner",
        sa_column=sa.Column(sa.Text(), server_default="balanced_learner"),
    )
    is_active: bool | None = Field(
        default=True, sa_column=sa.Column(sa.Boolean(), server_default=sa.true())
    )
    completed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    created_at: datetime | None = created_at_field()
    updated_at: datetime | None = updated_at_field()

    __table_args__ = (
        sa.CheckConstraint(
            "current_level IN (1, 2, 3)", name="learning_sessions_current_level_check"
        ),
        sa.CheckConstraint(
            "understanding_level >= 0 AND understanding_level <= 100",
            name="learning_sessions_understanding_level_check",
        ),
        sa.UniqueConstraint("user_id", "pattern_id", name="learning_sessions_user_id_pattern_id_key"),
        sa.Index("idx_learning_sessions_user_pattern", "user_id", "pattern_id"),
        # idx_learning_sessions_active is partial: declared by _declare_partial_indexes().
    )


class LearningAttempt(SQLModel, table=True):
    """One answer, test run or check result, appended as it happens and never rewritten."""

    __tablename__ = "learning_attempts"

    id: uuid.UUID = uuid_pk()
    session_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(), sa.ForeignKey("learning_sessions.id", ondelete="CASCADE"), nullable=False
        )
    )
    user_id: uuid.UUID = user_fk(nullable=False)
    kind: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    stage: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    level: int = Field(default=1, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="1"))
    item: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False, server_default=""))
    score: Decimal | None = Field(default=None, sa_column=sa.Column(PlainNumeric()))
    passed: bool | None = Field(default=None, sa_column=sa.Column(sa.Boolean()))
    hints: int = Field(default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0"))
    duration_seconds: Decimal = Field(
        default=Decimal(0), sa_column=sa.Column(PlainNumeric(), nullable=False, server_default="0")
    )
    concept: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    question_kind: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    cases_passed: int | None = Field(default=None, sa_column=sa.Column(sa.Integer()))
    cases_total: int | None = Field(default=None, sa_column=sa.Column(sa.Integer()))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(JSONB, nullable=False))
    created_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=False, server_default=NOW)
    )

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('answer', 'test_run', 'knowledge_check', 'mastery_assessment')",
            name="learning_attempts_kind_check",
        ),
        sa.CheckConstraint("hints >= 0", name="learning_attempts_hints_check"),
        sa.CheckConstraint("duration_seconds >= 0", name="learning_attempts_duration_seconds_check"),
        sa.Index("idx_learning_attempts_session_created", "session_id", "created_at"),
    )


class PatternProgress(SQLModel, table=True):
    """One row per mastered pattern: written only by a passed mastery assessment."""

    __tablename__ = "pattern_progress"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = user_fk(nullable=False)
    pattern_id: str = Field(
        sa_column=sa.Column(sa.Text(), sa.ForeignKey("patterns.id"), nullable=False)
    )
    session_id: uuid.UUID | None = Field(
        default=None,
        sa_column=sa.Column(sa.Uuid(), sa.ForeignKey("learning_sessions.id", ondelete="SET NULL")),
    )
    mastery_score: Decimal = Field(sa_column=sa.Column(PlainNumeric(), nullable=False))
    assessment_score: Decimal = Field(sa_column=sa.Column(PlainNumeric(), nullable=False))
    attempts_count: int = Field(
        default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0")
    )
    time_spent_seconds: int = Field(
        default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0")
    )
    mastered_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), server_default=NOW)
    )
    created_at: datetime | None = created_at_field()
    updated_at: datetime | None = updated_at_field()

    __table_args__ = (
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


class UserCalibration(SQLModel, table=True):
    __tablename__ = "user_calibrations"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(sa_column=sa.Column(sa.Uuid(), nullable=False))
    pattern_id: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    persona_type: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    total_score: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    responses: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    guidance_config: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    created_at: datetime | None = created_at_field()
    updated_at: datetime | None = updated_at_field()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "pattern_id", name="user_calibrations_user_id_pattern_id_key"),
    )


class UserAchievement(SQLModel, table=True):
    __tablename__ = "user_achievements"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(sa_column=sa.Column(sa.Uuid(), nullable=False))
    achievement_id: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    achievement_name: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    achievement_data: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    unlocked_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), server_default=NOW)
    )
    created_at: datetime | None = created_at_field()

    __table_args__ = (
        sa.UniqueConstraint(
            "user_id", "achievement_id", name="user_achievements_user_id_achievement_id_key"
        ),
    )


# The `monthly_ai_usage` view (materialized on PostgreSQL). Not part of SQLModel.metadata, so
# schema comparison never mistakes it for a missing table.
view_metadata = sa.MetaData()
monthly_ai_usage = sa.Table(
    "monthly_ai_usage",
    view_metadata,
    sa.Column("user_id", sa.Uuid()),
    sa.Column("month", sa.Date()),
    sa.Column("interaction_count", sa.BigInteger()),
    sa.Column("prompt_tokens", sa.BigInteger()),
    sa.Column("completion_tokens", sa.BigInteger()),
    sa.Column("total_cost_usd", Money()),
)




# The other areas' tables live beside this module and load when first named, so a command
# that reads progress does not build the billing, AI and sign-in models (~25% of its start-up).
# `from patternlift_cli.db.models import Subscription` still works; `all_tables()` loads them all.
_ELSEWHERE = {
    "AIBudgetReservation": "ai_models",
    "AIInteraction": "ai_models",
    "AIModelTrust": "ai_models",
    "PaymentHistory": "billing_models",
    "StripeWebhookEvent": "billing_models",
    "Subscription": "billing_models",
    "AuthAccessToken": "platform_models",
    "AuthEmailCode": "platform_models",
    "AuthRateLimit": "platform_models",
    "IdempotencyKey": "platform_models",
    "PatternReview": "review_models",
    "ReviewLog": "review_models",
}


def __getattr__(name: str) -> Any:
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"patternlift_cli.db.{module}"), name)


def _declare_partial_indexes() -> None:
    """The seed's partial indexes, declared only for schema work (migrations, checks).

    A `postgresql_where` option makes SQLAlchemy import its PostgreSQL dialect (~70 ms) to
    validate it; queries never need the Index object, so commands on SQLite skip that cost.
    """
    table = LearningSession.__table__
    if any(index.name == "idx_learning_sessions_active" for index in table.indexes):
        return
    sa.Index(
        "idx_learning_sessions_active",
        table.c.user_id,
        table.c.completed_at,
        postgresql_where=sa.text("completed_at IS NULL"),
        sqlite_where=sa.text("completed_at IS NULL"),
    )


def all_tables() -> sa.MetaData:
    """SQLModel's metadata with every table of the schema on it (migrations, checks, tests)."""
    for module in sorted(set(_ELSEWHERE.values())):
        importlib.import_module(f"patternlift_cli.db.{module}")
    _declare_partial_indexes()
    return SQLModel.metadata

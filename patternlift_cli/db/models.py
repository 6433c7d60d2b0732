"""SQLModel tables: the seed schema (docs/SCHEMA.md) plus the tables it left to us.

The learner's progress tables are declared in Core in `db/tables.py` (the start-up reads use
them without the ORM); the classes here map onto those `Table` objects. The migrations in `db/migrations/versions` are the source of truth for the database; these
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
from sqlmodel import Field

from patternlift_cli.db import tables
from patternlift_cli.db.columns import (
    NOW,
    TableModel,
    created_at_field,
    updated_at_field,
    uuid_pk,
)
from patternlift_cli.db.types import (
    JSONB,
    LearningStage,
    Money,
    SubscriptionStatus,
    UTCDateTime,
)

# The columns each class below maps (declared in db/tables.py).
_PROFILE = tables.user_profiles.c
_PATTERN = tables.patterns.c
_SESSION = tables.learning_sessions.c
_ATTEMPT = tables.learning_attempts.c
_MASTERED = tables.pattern_progress.c


class UserProfile(TableModel, table=True):
    __table__ = tables.user_profiles

    id: uuid.UUID = Field(default_factory=uuid.uuid4, sa_column=_PROFILE.id)
    email: str = Field(sa_column=_PROFILE.email)
    full_name: str | None = Field(default=None, sa_column=_PROFILE.full_name)
    subscription_status: SubscriptionStatus | None = Field(
        default=SubscriptionStatus.trial, sa_column=_PROFILE.subscription_status
    )
    subscription_tier: str | None = Field(default="basic", sa_column=_PROFILE.subscription_tier)
    trial_ends_at: datetime | None = Field(default=None, sa_column=_PROFILE.trial_ends_at)
    monthly_ai_usage_limit: Decimal | None = Field(default=Decimal("3.00"), sa_column=_PROFILE.monthly_ai_usage_limit)
    current_month_ai_cost: Decimal | None = Field(default=Decimal("0.00"), sa_column=_PROFILE.current_month_ai_cost)
    ai_cost_month: date | None = Field(default=None, sa_column=_PROFILE.ai_cost_month)
    current_month_ai_reserved: Decimal = Field(default=Decimal(0), sa_column=_PROFILE.current_month_ai_reserved)
    learning_preferences: dict[str, Any] | None = Field(default_factory=dict, sa_column=_PROFILE.learning_preferences)
    created_at: datetime | None = Field(default=None, sa_column=_PROFILE.created_at)
    updated_at: datetime | None = Field(default=None, sa_column=_PROFILE.updated_at)


class Pattern(TableModel, table=True):
    """Pattern metadata, kept in sync with the packaged curriculum."""

    __table__ = tables.patterns

    id: str = Field(sa_column=_PATTERN.id)
    name: str = Field(sa_column=_PATTERN.name)
    summary: str = Field(sa_column=_PATTERN.summary)
    sort_order: int = Field(default=0, sa_column=_PATTERN.sort_order)
    prerequisites: list[str] | None = Field(default_factory=list, sa_column=_PATTERN.prerequisites)
    tags: list[str] | None = Field(default_factory=list, sa_column=_PATTERN.tags)
    problem_count: int = Field(default=0, sa_column=_PATTERN.problem_count)
    content_hash: str | None = Field(default=None, sa_column=_PATTERN.content_hash)
    is_published: bool = Field(default=True, sa_column=_PATTERN.is_published)
    created_at: datetime | None = Field(default=None, sa_column=_PATTERN.created_at)
    updated_at: datetime | None = Field(default=None, sa_column=_PATTERN.updated_at)


class LearningSession(TableModel, table=True):
    __table__ = tables.learning_sessions

    id: uuid.UUID = Field(default_factory=uuid.uuid4, sa_column=_SESSION.id)
    user_id: uuid.UUID | None = Field(default=None, sa_column=_SESSION.user_id)
    pattern_id: str | None = Field(default=None, sa_column=_SESSION.pattern_id)
    current_stage: LearningStage | None = Field(default=LearningStage.introduction, sa_column=_SESSION.current_stage)
    current_level: int | None = Field(default=1, sa_column=_SESSION.current_level)
    stage_progress: dict[str, Any] | None = Field(default_factory=dict, sa_column=_SESSION.stage_progress)
    understanding_level: Decimal | None = Field(default=Decimal("50.0"), sa_column=_SESSION.understanding_level)
    attempt_history: list[dict[str, Any]] | None = Field(default_factory=list, sa_column=_SESSION.attempt_history)
    struggle_indicators: list[str] | None = Field(default_factory=list, sa_column=_SESSION.struggle_indicators)
    mastery_scores: dict[str, Any] | None = Field(default_factory=dict, sa_column=_SESSION.mastery_scores)
    best_score: Decimal | None = Field(default=Decimal(0), sa_column=_SESSION.best_score)
    current_score: Decimal | None = Field(default=Decimal(0), sa_column=_SESSION.current_score)
    attempts_count: int | None = Field(default=0, sa_column=_SESSION.attempts_count)
    persona_type: str | None = Field(default="balanced_learner", sa_column=_SESSION.persona_type)
    is_active: bool | None = Field(default=True, sa_column=_SESSION.is_active)
    completed_at: datetime | None = Field(default=None, sa_column=_SESSION.completed_at)
    created_at: datetime | None = Field(default=None, sa_column=_SESSION.created_at)
    updated_at: datetime | None = Field(default=None, sa_column=_SESSION.updated_at)


class LearningAttempt(TableModel, table=True):
    """One answer, test run or check result, appended as it happens and never rewritten."""

    __table__ = tables.learning_attempts

    id: uuid.UUID = Field(default_factory=uuid.uuid4, sa_column=_ATTEMPT.id)
    session_id: uuid.UUID = Field(sa_column=_ATTEMPT.session_id)
    user_id: uuid.UUID = Field(sa_column=_ATTEMPT.user_id)
    kind: str = Field(sa_column=_ATTEMPT.kind)
    stage: str = Field(sa_column=_ATTEMPT.stage)
    level: int = Field(default=1, sa_column=_ATTEMPT.level)
    item: str = Field(default="", sa_column=_ATTEMPT.item)
    score: Decimal | None = Field(default=None, sa_column=_ATTEMPT.score)
    passed: bool | None = Field(default=None, sa_column=_ATTEMPT.passed)
    hints: int = Field(default=0, sa_column=_ATTEMPT.hints)
    duration_seconds: Decimal = Field(default=Decimal(0), sa_column=_ATTEMPT.duration_seconds)
    concept: str | None = Field(default=None, sa_column=_ATTEMPT.concept)
    question_kind: str | None = Field(default=None, sa_column=_ATTEMPT.question_kind)
    cases_passed: int | None = Field(default=None, sa_column=_ATTEMPT.cases_passed)
    cases_total: int | None = Field(default=None, sa_column=_ATTEMPT.cases_total)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=_ATTEMPT.details)
    created_at: datetime | None = Field(default=None, sa_column=_ATTEMPT.created_at)


class PatternProgress(TableModel, table=True):
    """One row per mastered pattern: written only by a passed mastery assessment."""

    __table__ = tables.pattern_progress

    id: uuid.UUID = Field(default_factory=uuid.uuid4, sa_column=_MASTERED.id)
    user_id: uuid.UUID = Field(sa_column=_MASTERED.user_id)
    pattern_id: str = Field(sa_column=_MASTERED.pattern_id)
    session_id: uuid.UUID | None = Field(default=None, sa_column=_MASTERED.session_id)
    mastery_score: Decimal = Field(sa_column=_MASTERED.mastery_score)
    assessment_score: Decimal = Field(sa_column=_MASTERED.assessment_score)
    attempts_count: int = Field(default=0, sa_column=_MASTERED.attempts_count)
    time_spent_seconds: int = Field(default=0, sa_column=_MASTERED.time_spent_seconds)
    mastered_at: datetime | None = Field(default=None, sa_column=_MASTERED.mastered_at)
    created_at: datetime | None = Field(default=None, sa_column=_MASTERED.created_at)
    updated_at: datetime | None = Field(default=None, sa_column=_MASTERED.updated_at)


class UserCalibration(TableModel, table=True):
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


class UserAchievement(TableModel, table=True):
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


# The `monthly_ai_usage` view (materialized on PostgreSQL). Not on the schema's metadata, so
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


def all_tables() -> sa.MetaData:
    """The one metadata with every table of the schema on it (migrations, checks, tests)."""
    for module in sorted(set(_ELSEWHERE.values())):
        importlib.import_module(f"patternlift_cli.db.{module}")
    tables.declare_partial_indexes()
    return tables.metadata

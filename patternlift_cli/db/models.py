"""SQLModel tables: the seed schema (docs/SCHEMA.md) plus the tables it left to us.

The migrations in `db/migrations/versions` are the source of truth for the database; these
models mirror them and `patternlift db check` proves the two agree. Server defaults that differ
by dialect (uuid generation, `now() + 14 days`, empty jsonb/text[]) live in the migrations;
the models carry the same defaults on the Python side.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

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

NOW = sa.func.now()


def _uuid_pk() -> Any:
    return Field(default_factory=uuid.uuid4, sa_column=sa.Column(sa.Uuid(), primary_key=True))


def _created_at() -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), server_default=NOW))


def _updated_at() -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), server_default=NOW))


def _user_fk(nullable: bool = True) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("user_profiles.id", ondelete="CASCADE"),
            nullable=nullable,
        ),
    )


class UserProfile(SQLModel, table=True):
    __tablename__ = "user_profiles"

    id: uuid.UUID = _uuid_pk()
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
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()

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
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()

    __table_args__ = (sa.CheckConstraint("problem_count >= 0", name="patterns_problem_count_check"),)


class LearningSession(SQLModel, table=True):
    __tablename__ = "learning_sessions"

    id: uuid.UUID = _uuid_pk()
    user_id: uuid.UUID | None = _user_fk()
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
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()

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
        sa.Index(
            "idx_learning_sessions_active",
            "user_id",
            "completed_at",
            postgresql_where=sa.text("completed_at IS NULL"),
            sqlite_where=sa.text("completed_at IS NULL"),
        ),
    )


class LearningAttempt(SQLModel, table=True):
    """One answer, test run or check result, appended as it happens and never rewritten."""

    __tablename__ = "learning_attempts"

    id: uuid.UUID = _uuid_pk()
    session_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(), sa.ForeignKey("learning_sessions.id", ondelete="CASCADE"), nullable=False
        )
    )
    user_id: uuid.UUID = _user_fk(nullable=False)
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

    id: uuid.UUID = _uuid_pk()
    user_id: uuid.UUID = _user_fk(nullable=False)
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
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()

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


class AIInteraction(SQLModel, table=True):
    __tablename__ = "ai_interactions"

    id: uuid.UUID = _uuid_pk()
    user_id: uuid.UUID | None = _user_fk()
    session_id: uuid.UUID | None = Field(
        default=None,
        sa_column=sa.Column(sa.Uuid(), sa.ForeignKey("learning_sessions.id", ondelete="SET NULL")),
    )
    interaction_type: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    prompt_tokens: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    completion_tokens: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    model_used: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    cost_usd: Decimal = Field(sa_column=sa.Column(Money(), nullable=False))
    response_quality_score: Decimal | None = Field(
        default=None, sa_column=sa.Column(PlainNumeric())
    )
    user_feedback: int | None = Field(default=None, sa_column=sa.Column(sa.Integer()))
    created_at: datetime | None = _created_at()

    __table_args__ = (
        sa.CheckConstraint("prompt_tokens >= 0", name="ai_interactions_prompt_tokens_check"),
        sa.CheckConstraint(
            "completion_tokens >= 0", name="ai_interactions_completion_tokens_check"
        ),
        sa.CheckConstraint("cost_usd >= 0", name="ai_interactions_cost_usd_check"),
        sa.CheckConstraint(
            "response_quality_score >= 1 AND response_quality_score <= 5",
            name="ai_interactions_response_quality_score_check",
        ),
        sa.CheckConstraint(
            "user_feedback >= 1 AND user_feedback <= 5", name="ai_interactions_user_feedback_check"
        ),
        sa.Index("idx_ai_interactions_user_created", "user_id", "created_at"),
        sa.Index("idx_ai_interactions_cost", "user_id", "created_at", "cost_usd"),
    )


class AIBudgetReservation(SQLModel, table=True):
    """Money set aside for one AI call in flight (DESIGN.md, the AI budget protocol)."""

    __tablename__ = "ai_budget_reservations"

    id: uuid.UUID = _uuid_pk()
    user_id: uuid.UUID = _user_fk(nullable=False)
    session_id: uuid.UUID | None = Field(
        default=None,
        sa_column=sa.Column(sa.Uuid(), sa.ForeignKey("learning_sessions.id", ondelete="SET NULL")),
    )
    interaction_type: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    model_used: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    amount_usd: Decimal = Field(sa_column=sa.Column(Money(), nullable=False))
    # The token bounds the amount covers; an expired hold is recorded at them.
    prompt_token_bound: int = Field(
        default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0")
    )
    max_completion_tokens: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    created_at: datetime | None = _created_at()

    __table_args__ = (
        sa.CheckConstraint("amount_usd >= 0", name="ai_budget_reservations_amount_usd_check"),
        sa.CheckConstraint(
            "max_completion_tokens > 0", name="ai_budget_reservations_max_completion_tokens_check"
        ),
        sa.CheckConstraint(  # PostgreSQL only: see migration 20261202000010
            "prompt_token_bound >= 0", name="ai_budget_reservations_prompt_token_bound_check"
        ),
        sa.Index("idx_ai_budget_reservations_user_expires", "user_id", "expires_at"),
    )


class AIModelTrust(SQLModel, table=True):
    """A model that billed more than the reservation for its call covered.

    The model is refused while `price_basis` (the price in effect when it overran:
    'genai-prices' or the override's figures) is still the price in effect, so an operator
    clears it by setting (or changing) its price in PATTERNLIFT_AI_PRICE_OVERRIDES. The row
    stays as the record of the latest overrun; another overrun updates it.
    """

    __tablename__ = "ai_model_trust"

    model_used: str = Field(sa_column=sa.Column(sa.Text(), primary_key=True))
    price_basis: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    reserved_usd: Decimal = Field(sa_column=sa.Column(Money(), nullable=False))
    billed_usd: Decimal = Field(sa_column=sa.Column(Money(), nullable=False))
    max_completion_tokens: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    prompt_tokens: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    completion_tokens: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    interaction_id: uuid.UUID | None = Field(
        default=None,
        sa_column=sa.Column(sa.Uuid(), sa.ForeignKey("ai_interactions.id", ondelete="SET NULL")),
    )
    overrun_count: int = Field(
        default=1, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="1")
    )
    first_seen_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=False, server_default=NOW)
    )
    last_seen_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=False, server_default=NOW)
    )

    __table_args__ = (
        sa.CheckConstraint("billed_usd > reserved_usd", name="ai_model_trust_billed_usd_check"),
        sa.CheckConstraint("overrun_count >= 1", name="ai_model_trust_overrun_count_check"),
    )


class Subscription(SQLModel, table=True):
    """The learner's Stripe subscription state; one row per learner, replaced on resubscribe."""

    __tablename__ = "subscriptions"

    id: uuid.UUID = _uuid_pk()
    user_id: uuid.UUID = _user_fk(nullable=False)
    stripe_customer_id: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    stripe_subscription_id: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    stripe_price_id: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    stripe_checkout_session_id: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    status: SubscriptionStatus = Field(
        default=SubscriptionStatus.trial,
        sa_column=sa.Column(SUBSCRIPTION_STATUS, nullable=False, server_default="trial"),
    )
    stripe_status: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    current_period_end: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    cancel_at_period_end: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    canceled_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    trial_end: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()

    __table_args__ = (
        sa.UniqueConstraint("user_id", name="subscriptions_user_id_key"),
        sa.UniqueConstraint("stripe_customer_id", name="subscriptions_stripe_customer_id_key"),
        sa.UniqueConstraint(
            "stripe_subscription_id", name="subscriptions_stripe_subscription_id_key"
        ),
    )


class PaymentHistory(SQLModel, table=True):
    """One row per Stripe invoice; amounts in the currency's minor unit."""

    __tablename__ = "payment_history"

    id: uuid.UUID = _uuid_pk()
    user_id: uuid.UUID = _user_fk(nullable=False)
    subscription_id: uuid.UUID | None = Field(
        default=None,
        sa_column=sa.Column(sa.Uuid(), sa.ForeignKey("subscriptions.id", ondelete="SET NULL")),
    )
    stripe_invoice_id: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    stripe_subscription_id: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    amount_minor: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False))
    currency: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    status: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    paid_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    failed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    hosted_invoice_url: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()

    __table_args__ = (
        sa.UniqueConstraint("stripe_invoice_id", name="payment_history_stripe_invoice_id_key"),
        sa.CheckConstraint("amount_minor >= 0", name="payment_history_amount_minor_check"),
        sa.CheckConstraint(
            "length(currency) = 3 AND currency = lower(currency)",
            name="payment_history_currency_check",
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'paid', 'failed', 'void', 'uncollectible')",
            name="payment_history_status_check",
        ),
        sa.Index("idx_payment_history_user_created", "user_id", "created_at"),
    )


class StripeWebhookEvent(SQLModel, table=True):
    """Every Stripe event id seen; the primary key makes processing exactly-once."""

    __tablename__ = "stripe_webhook_events"

    id: str = Field(sa_column=sa.Column(sa.Text(), primary_key=True))
    event_type: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    stripe_created_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    processed_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), server_default=NOW)
    )


class UserCalibration(SQLModel, table=True):
    __tablename__ = "user_calibrations"

    id: uuid.UUID = _uuid_pk()
    user_id: uuid.UUID = Field(sa_column=sa.Column(sa.Uuid(), nullable=False))
    pattern_id: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    persona_type: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    total_score: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    responses: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    guidance_config: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "pattern_id", name="user_calibrations_user_id_pattern_id_key"),
    )


class UserAchievement(SQLModel, table=True):
    __tablename__ = "user_achievements"

    id: uuid.UUID = _uuid_pk()
    user_id: uuid.UUID = Field(sa_column=sa.Column(sa.Uuid(), nullable=False))
    achievement_id: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    achievement_name: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    achievement_data: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    unlocked_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), server_default=NOW)
    )
    created_at: datetime | None = _created_at()

    __table_args__ = (
        sa.UniqueConstraint(
            "user_id", "achievement_id", name="user_achievements_user_id_achievement_id_key"
        ),
    )


class PatternReview(SQLModel, table=True):
    """A mastered pattern's spaced-review card (FSRS) and the review in progress."""

    __tablename__ = "pattern_reviews"

    id: uuid.UUID = _uuid_pk()
    user_id: uuid.UUID = _user_fk(nullable=False)
    pattern_id: str = Field(sa_column=sa.Column(sa.Text(), sa.ForeignKey("patterns.id"), nullable=False))
    card: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    due_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    reps: int = Field(default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0"))
    lapses: int = Field(default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0"))
    last_rating: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    last_reviewed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    pending: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(JSONB, nullable=False))
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "pattern_id", name="pattern_reviews_user_id_pattern_id_key"),
        sa.CheckConstraint("reps >= 0 AND lapses >= 0", name="pattern_reviews_counts_check"),
        sa.CheckConstraint(
            "last_rating IS NULL OR last_rating IN ('again', 'hard', 'good', 'easy')",
            name="pattern_reviews_last_rating_check",
        ),
        sa.Index("idx_pattern_reviews_user_due", "user_id", "due_at"),
    )


class ReviewLog(SQLModel, table=True):
    """One spaced review taken, with its rating and the schedule it produced."""

    __tablename__ = "review_logs"

    id: uuid.UUID = _uuid_pk()
    user_id: uuid.UUID = _user_fk(nullable=False)
    pattern_id: str = Field(sa_column=sa.Column(sa.Text(), sa.ForeignKey("patterns.id"), nullable=False))
    rating: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    questions_right: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    questions_total: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    problem_passed: bool = Field(sa_column=sa.Column(sa.Boolean(), nullable=False))
    seconds: Decimal = Field(default=Decimal(0), sa_column=sa.Column(PlainNumeric(), nullable=False, server_default="0"))
    due_before: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    due_after: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    reviewed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=False, server_default=NOW))

    __table_args__ = (
        sa.CheckConstraint("rating IN ('again', 'hard', 'good', 'easy')", name="review_logs_rating_check"),
        sa.Index("idx_review_logs_user_reviewed", "user_id", "reviewed_at"),
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

USER_OWNED_TABLES = (
    "user_profiles",
    "learning_sessions",
    "learning_attempts",
    "pattern_progress",
    "ai_interactions",
    "ai_budget_reservations",
    "subscriptions",
    "payment_history",
    "user_calibrations",
    "user_achievements",
    "pattern_reviews",
    "review_logs",
)



# The server's tables (docs/SERVER.md) live in db/platform_models.py; imported for one metadata.
from patternlift_cli.db.platform_models import AuthAccessToken, AuthEmailCode, AuthRateLimit, IdempotencyKey  # noqa: E402,F401

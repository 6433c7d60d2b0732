"""The AI usage tables: every call, the holds of calls in flight, and model trust."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from patternlift_cli.db.columns import (
    NOW,
    TableModel,
    created_at_field,
    user_fk,
    uuid_pk,
)
from patternlift_cli.db.types import Money, PlainNumeric, UTCDateTime


class AIInteraction(TableModel, table=True):
    __tablename__ = "ai_interactions"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID | None = user_fk()
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
    created_at: datetime | None = created_at_field()

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


class AIBudgetReservation(TableModel, table=True):
    """Money set aside for one AI call in flight (DESIGN.md, the AI budget protocol)."""

    __tablename__ = "ai_budget_reservations"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = user_fk(nullable=False)
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
    created_at: datetime | None = created_at_field()

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


class AIModelTrust(TableModel, table=True):
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

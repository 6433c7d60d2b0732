"""Spaced review (FSRS): a card per mastered pattern, a log row per review."""

from __future__ import annotations

import uuid
from datetime import datetime
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
from patternlift_cli.db.types import JSONB, PlainNumeric, UTCDateTime


class PatternReview(SQLModel, table=True):
    """A mastered pattern's spaced-review card (FSRS) and the review in progress."""

    __tablename__ = "pattern_reviews"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = user_fk(nullable=False)
    pattern_id: str = Field(sa_column=sa.Column(sa.Text(), sa.ForeignKey("patterns.id"), nullable=False))
    card: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    due_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    reps: int = Field(default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0"))
    lapses: int = Field(default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0"))
    last_rating: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    last_reviewed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    pending: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(JSONB, nullable=False))
    created_at: datetime | None = created_at_field()
    updated_at: datetime | None = updated_at_field()

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

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = user_fk(nullable=False)
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

"""Spaced review (FSRS): a card per mastered pattern, a log row per review."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from patternlift_cli.db import tables
from patternlift_cli.db.columns import NOW, TableModel, user_fk, uuid_pk
from patternlift_cli.db.types import PlainNumeric, UTCDateTime

_REVIEW = tables.pattern_reviews.c  # declared in db/tables.py: `patterns` reads it with Core


class PatternReview(TableModel, table=True):
    """A mastered pattern's spaced-review card (FSRS) and the review in progress."""

    __table__ = tables.pattern_reviews

    id: uuid.UUID = Field(default_factory=uuid.uuid4, sa_column=_REVIEW.id)
    user_id: uuid.UUID = Field(sa_column=_REVIEW.user_id)
    pattern_id: str = Field(sa_column=_REVIEW.pattern_id)
    card: dict[str, Any] = Field(sa_column=_REVIEW.card)
    due_at: datetime = Field(sa_column=_REVIEW.due_at)
    reps: int = Field(default=0, sa_column=_REVIEW.reps)
    lapses: int = Field(default=0, sa_column=_REVIEW.lapses)
    last_rating: str | None = Field(default=None, sa_column=_REVIEW.last_rating)
    last_reviewed_at: datetime | None = Field(default=None, sa_column=_REVIEW.last_reviewed_at)
    pending: dict[str, Any] = Field(default_factory=dict, sa_column=_REVIEW.pending)
    created_at: datetime | None = Field(default=None, sa_column=_REVIEW.created_at)
    updated_at: datetime | None = Field(default=None, sa_column=_REVIEW.updated_at)


class ReviewLog(TableModel, table=True):
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

"""Where the learner stands: the course, one pattern's progress, achievements, the next step."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import Field

from patternlift_cli.ports.base import Model


class PatternOverview(Model):
    id: str
    name: str
    order: int
    prerequisites: list[str]
    prerequisites_met: bool
    stage: str | None = None        # None: not started
    level: int | None = None
    understanding: Decimal | None = None
    mastered: bool = False
    mastered_at: datetime | None = None
    mastery_score: Decimal | None = None     # calculate_mastery_score's figure so far
    review_due_at: datetime | None = None    # the next spaced review of a mastered pattern
    last_active_at: datetime | None = None


class NextStep(Model):
    command: str
    pattern_id: str | None = None
    reason: str


class CourseMap(Model):
    patterns: list[PatternOverview]
    reviews_due: int
    streak_days: int                # consecutive days with learning, up to today
    next_step: NextStep


class Attempt(Model):
    at: datetime
    kind: str
    stage: str
    level: int
    item: str
    score: Decimal | None = None
    passed: bool | None = None
    hints: int = 0
    duration_seconds: Decimal = Decimal(0)
    concept: str | None = None
    question_kind: str | None = None
    cases_passed: int | None = None
    cases_total: int | None = None


class ConceptEstimate(Model):
    """The learner model's P(known) for one concept, and the evidence that last moved it."""

    concept: str
    known: Decimal                  # 0-100
    observations: int
    moved_by: list[str] = Field(default_factory=list)   # e.g. "tp-sorted-signal right +12.3"


class ProgressDetail(Model):
    """One pattern's progress; field names are the seed's columns where there is one."""

    pattern_id: str
    pattern_name: str
    started: bool
    stage: str | None = None
    level: int | None = None
    understanding_level: Decimal | None = None
    persona_type: str | None = None
    mastery_score: Decimal = Decimal(0)
    mastery_scores: dict[str, Decimal] = Field(default_factory=dict)
    best_score: Decimal = Decimal(0)
    current_score: Decimal = Decimal(0)
    attempts_count: int = 0
    struggle_indicators: list[str] = Field(default_factory=list)
    struggles_in_words: list[str] = Field(default_factory=list)
    knowledge_estimate: Decimal | None = None   # the learner model's figure for the pattern
    concepts: list[ConceptEstimate] = Field(default_factory=list)
    pass_score: Decimal = Decimal(80)
    review_due_at: datetime | None = None
    attempt_history: list[Attempt] = Field(default_factory=list)   # oldest first
    attempts_not_shown: int = 0     # older attempts left out of `attempt_history`
    mastered: bool = False
    assessment_score: Decimal | None = None
    mastered_at: datetime | None = None


class AchievementStatus(Model):
    id: str
    name: str
    description: str
    unlocked: bool
    unlocked_at: datetime | None = None
    data: dict[str, Any] = Field(default_factory=dict)



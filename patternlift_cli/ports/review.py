"""Spaced review of mastered patterns (FSRS)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Protocol

from patternlift_cli.ports.base import Model
from patternlift_cli.ports.learning import AnswerFeedback, JudgeSummary, QuestionView


class ReviewDue(Model):
    pattern_id: str
    pattern_name: str
    due_at: datetime
    overdue: bool


class ReviewSession(Model):
    pattern_id: str
    pattern_name: str
    questions: list[QuestionView]       # still to answer
    problem_id: str
    workspace_file: str                 # a fresh file: the review is solved again from scratch
    problem_passed: bool | None = None
    fresh: bool = False                 # just started: the file is to be written from the starter


class ReviewOutcome(Model):
    pattern_id: str
    rating: str                         # again | hard | good | easy
    questions_right: int
    questions_total: int
    problem_passed: bool
    next_due_at: datetime
    mastery_estimate: Decimal | None = None


class Review(Protocol):
    """Spaced review of mastered patterns (FSRS), one transaction per call."""

    def due(self) -> list[ReviewDue]: ...
    def start(self, pattern_id: str) -> ReviewSession: ...
    def answer(self, pattern_id: str, question_id: str, response: str) -> AnswerFeedback: ...
    def run(self, pattern_id: str) -> JudgeSummary: ...
    def finish(self, pattern_id: str, seconds: float) -> ReviewOutcome: ...

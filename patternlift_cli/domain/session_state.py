"""What a learning session remembers between steps: `learning_sessions.stage_progress`, typed.

The column is JSON; this is its one schema. Every step loads it with `StageProgress.load`,
changes it through these models and stores `dump()`. Records written before a field existed
load with that field's default, so old sessions resume.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from patternlift_cli.domain.knowledge import Skill
from patternlift_cli.domain.progress import (
    ANSWER,
    KNOWLEDGE_CHECK_RESULT,
    AnswerMemo,
    ProblemTally,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AnswerRecord(_Model):
    correct: bool
    response: str = ""


class IntroductionProgress(_Model):
    page: int = 0
    done: bool = False


class CheckResult(_Model):
    attempt: int
    score: Decimal
    passed: bool
    correct: int
    total: int
    missed: list[str] = Field(default_factory=list)
    missed_concepts: list[str] = Field(default_factory=list)


class KnowledgeCheckProgress(_Model):
    attempt: int = 1
    # The questions drawn for this attempt and the seed their variants come from; a resumed
    # attempt asks exactly these, in this order.
    seed: int | None = None
    questions: list[str] = Field(default_factory=list)
    answers: dict[str, AnswerRecord] = Field(default_factory=dict)
    review: list[str] | None = None           # missed questions awaiting review, then a retry
    results: list[CheckResult] = Field(default_factory=list)
    seen: list[str] = Field(default_factory=list)  # asked in earlier attempts, oldest first

    @property
    def reviewing(self) -> bool:
        return self.review is not None


class PracticeLevel(_Model):
    problem_id: str
    passed: bool = True
    score: Decimal = Decimal(0)


class AssessmentProblem(_Model):
    failed_runs: int = 0
    last_fraction: Decimal = Decimal(0)
    score: Decimal = Decimal(0)
    passed: bool = False
    final: bool = False


class AssessmentResult(_Model):
    attempt: int
    score: Decimal
    pass_score: Decimal
    passed: bool
    recognition_correct: int
    recognition_total: int
    problem_scores: dict[str, Decimal] = Field(default_factory=dict)


class MasteryProgress(_Model):
    attempt: int = 1
    problems: dict[str, AssessmentProblem] = Field(default_factory=dict)
    answers: dict[str, AnswerRecord] = Field(default_factory=dict)
    results: list[AssessmentResult] = Field(default_factory=list)
    passed_score: Decimal | None = None

    def problem(self, problem_id: str) -> AssessmentProblem:
        return self.problems.setdefault(problem_id, AssessmentProblem())


class PendingAIHint(_Model):
    """An AI hint whose quality the learner's next run of the problem decides."""

    interaction_id: uuid.UUID
    cases_before: int = 0


class StageProgress(_Model):
    introduction: IntroductionProgress = Field(default_factory=IntroductionProgress)
    knowledge_check: KnowledgeCheckProgress = Field(default_factory=KnowledgeCheckProgress)
    practice: dict[int, PracticeLevel] = Field(default_factory=dict)
    problems: dict[str, ProblemTally] = Field(default_factory=dict)
    ai_hints: dict[str, PendingAIHint] = Field(default_factory=dict)
    mastery: MasteryProgress = Field(default_factory=MasteryProgress)
    # Running totals over the whole attempt history, so no step has to read that history.
    answers: dict[str, AnswerMemo] = Field(default_factory=dict)
    time_spent_seconds: float = 0.0
    recognition_streak: int = 0
    best_recognition_streak: int = 0
    perfect_check: bool = False
    totals_version: int = 0
    # The diagnosis a failed run showed, offered as the next hint (problem id -> diagnosis id),
    # and the diagnoses already shown per problem.
    diagnosed: dict[str, str] = Field(default_factory=dict)
    diagnoses_shown: dict[str, list[str]] = Field(default_factory=dict)
    # The learner model (domain.knowledge): P(known) per concept.
    knowledge: dict[str, Skill] = Field(default_factory=dict)

    @classmethod
    def load(cls, stored: Mapping[str, Any] | None, history: Iterable[Mapping[str, Any]] = ()) -> StageProgress:
        progress = cls.model_validate(dict(stored or {}))
        if progress.totals_version < TOTALS_VERSION:
            progress.fold_history(history)
        return progress

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def tally(self, problem_id: str) -> ProblemTally:
        return self.problems.get(problem_id) or ProblemTally()

    def fold_history(self, history: Iterable[Mapping[str, Any]]) -> None:
        """Rebuild the running totals from a session's attempt_history (sessions saved before
        the totals existed carry only the history)."""
        answers: dict[str, AnswerMemo] = {}
        seconds, streak, best, perfect = 0.0, 0, 0, False
        for attempt in history:
            seconds += float(attempt.get("duration_seconds") or 0)
            kind = attempt.get("kind")
            if kind == ANSWER:
                answers[str(attempt.get("item", ""))] = AnswerMemo.from_dict(attempt)
                if attempt.get("question_kind") == "recognition":
                    streak = streak + 1 if attempt.get("passed") else 0
                    best = max(best, streak)
            elif kind == KNOWLEDGE_CHECK_RESULT and float(attempt.get("score") or 0) >= 100:
                perfect = True
        self.answers = {**answers, **self.answers}
        self.time_spent_seconds = max(self.time_spent_seconds, round(seconds, 1))
        self.recognition_streak = streak
        self.best_recognition_streak = max(self.best_recognition_streak, best)
        self.perfect_check = self.perfect_check or perfect
        self.totals_version = TOTALS_VERSION


TOTALS_VERSION = 1

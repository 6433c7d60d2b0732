"""What the learner's evidence means: understanding, struggles, attempts, scores, mastery.

Everything here is a pure function over plain data. The service loads a session row into a
`ProgressState`, folds one `Evidence` into it with `apply_evidence`, and writes it back.
docs/LEARNING.md states the same rules in prose; keep the two in step.

Evidence kinds:

- ``answer``         one knowledge-check or recognition question (passed = correct)
- ``test_run``       one judged submission of a practice or assessment problem
- ``hint``           a built-in hint was shown (`hints_used` = hints now used on that problem)
- ``reveal``         the reference solution was shown
- ``knowledge_check``, ``mastery_assessment``  the result of a whole check / assessment
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from patternlift_cli.domain.errors import UsageError

# The kinds of evidence are part of this module's vocabulary: callers say progress.ANSWER.
from patternlift_cli.domain.kinds import (  # noqa: I001
    ANSWER,
    ATTEMPT_KINDS,
    EVIDENCE_KINDS,
    HINT,
    KNOWLEDGE_CHECK_RESULT,
    MASTERY_RESULT,
    REVEAL,
    SCORED_KINDS,
    TEST_RUN,
)
from patternlift_cli.domain.scoring import (
    case_fraction,
    clamp_score,
    mastery_dimensions,
    overall_mastery,
)
from patternlift_cli.domain.struggles import merge_struggles, new_struggles

UNDERSTANDING_START = Decimal(50)
UNDERSTANDING_MIN = Decimal(0)
UNDERSTANDING_MAX = Decimal(100)
ONE_PLACE = Decimal("0.1")

# ----- understanding: points each piece of evidence moves the 0-100 level ------------------
ANSWER_RIGHT = Decimal(3)
ANSWER_RIGHT_QUICK_BONUS = Decimal(1)   # answered within QUICK_ANSWER_SECONDS
ANSWER_RIGHT_SLOW = Decimal(2)          # right, but after SLOW_ANSWER_SECONDS of thought
ANSWER_WRONG = Decimal(-4)
QUICK_ANSWER_SECONDS = 45
SLOW_ANSWER_SECONDS = 180

RUN_PASSED = Decimal(8)
RUN_PASSED_PER_HINT = Decimal(-2)       # each hint used on the problem takes some of the credit
RUN_PASSED_MIN = Decimal(2)
RUN_PASSED_AFTER_REVEAL = Decimal(1)    # typing in a shown solution proves little
RUN_PASSED_QUICK_BONUS = Decimal(2)     # solved unaided within QUICK_SOLVE_SECONDS
QUICK_SOLVE_SECONDS = 10 * 60
RUN_FAILED_MOSTLY = Decimal(-1)         # at least half of the cases passed: close
RUN_FAILED = Decimal(-3)

HINT_TAKEN = Decimal(-2)
SOLUTION_REVEALED = Decimal(-8)
CHECK_PASSED = Decimal(5)
CHECK_FAILED = Decimal(-5)
ASSESSMENT_PASSED = Decimal(10)
ASSESSMENT_FAILED = Decimal(-5)

@dataclass(frozen=True)
class Evidence:
    kind: str
    stage: str
    level: int = 1
    item: str = ""                      # question id, problem id, or the check's name
    passed: bool | None = None
    score: Decimal | None = None        # 0-100 where the kind is scored
    concept: str | None = None          # for answers: the question's concept
    question_kind: str | None = None    # multiple_choice | short_answer | recognition
    choices: int = 0                    # how many options were shown (0: a short answer)
    hints_used: int = 0                 # hints used on this problem so far
    cases_passed: int | None = None
    cases_total: int | None = None
    duration_seconds: float = 0.0
    missed_concepts: tuple[str, ...] = ()   # for a failed check: what to review

    def __post_init__(self) -> None:
        if self.kind not in EVIDENCE_KINDS:
            raise UsageError(f"Unknown evidence kind {self.kind!r}.")
        if self.score is not None and not isinstance(self.score, Decimal):
            object.__setattr__(self, "score", Decimal(str(self.score)))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        if "missed_concepts" in known:
            known["missed_concepts"] = tuple(known["missed_concepts"])
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["score"] = None if self.score is None else float(self.score)
        data["missed_concepts"] = list(self.missed_concepts)
        return data


@dataclass(frozen=True)
class ProblemTally:
    """Running counts for one problem; kept across resumes in stage_progress['problems']."""

    runs: int = 0
    failed_runs: int = 0
    hints: int = 0
    revealed: bool = False
    solved: bool = False
    first_run_fraction: float | None = None
    best_score: float = 0.0
    last_cases_passed: int = 0          # of the latest run: what an AI hint is measured against

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ProblemTally:
        data = data or {}
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AnswerMemo:
    """The latest answer to one question: what the mastery dimensions read."""

    passed: bool
    question_kind: str | None = None
    concept: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnswerMemo:
        return cls(bool(data.get("passed")), data.get("question_kind"), data.get("concept"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ProgressState:
    """The evidence-driven part of a learning session.

    Everything here is bounded by the pattern's size (questions, problems), never by how many
    attempts the learner made: the attempts themselves are appended to their own table, so a
    learner with thousands of attempts pays the same per step as one with none.
    """

    understanding: Decimal = UNDERSTANDING_START
    struggles: tuple[str, ...] = ()
    problems: Mapping[str, ProblemTally] = field(default_factory=dict)
    answers: Mapping[str, AnswerMemo] = field(default_factory=dict)
    best_score: Decimal = Decimal(0)
    current_score: Decimal = Decimal(0)
    attempts_count: int = 0
    mastery_scores: Mapping[str, float] = field(default_factory=dict)
    time_spent_seconds: float = 0.0
    recognition_streak: int = 0
    best_recognition_streak: int = 0
    perfect_check: bool = False

    def tally(self, problem_id: str) -> ProblemTally:
        return self.problems.get(problem_id, ProblemTally())


# ----- understanding -------------------------------------------------------------------------


def understanding_delta(evidence: Evidence, tally: ProblemTally | None = None) -> Decimal:
    """How far one piece of evidence moves understanding (before clamping to 0..100).

    `tally` is the problem's record *before* this evidence (used for test runs).
    """
    tally = tally or ProblemTally()
    if evidence.kind == ANSWER:
        if not evidence.passed:
            return ANSWER_WRONG
        if evidence.duration_seconds and evidence.duration_seconds > SLOW_ANSWER_SECONDS:
            return ANSWER_RIGHT_SLOW
        if 0 < evidence.duration_seconds <= QUICK_ANSWER_SECONDS:
            return ANSWER_RIGHT + ANSWER_RIGHT_QUICK_BONUS
        return ANSWER_RIGHT
    if evidence.kind == TEST_RUN:
        if evidence.passed:
            if tally.revealed:
                return RUN_PASSED_AFTER_REVEAL
            hints = max(evidence.hints_used, tally.hints)
            gain = max(RUN_PASSED_MIN, RUN_PASSED + RUN_PASSED_PER_HINT * hints)
            if hints == 0 and 0 < evidence.duration_seconds <= QUICK_SOLVE_SECONDS:
                gain += RUN_PASSED_QUICK_BONUS
            return gain
        fraction = case_fraction(evidence.cases_passed, evidence.cases_total)
        return RUN_FAILED_MOSTLY if fraction >= 0.5 else RUN_FAILED
    if evidence.kind == HINT:
        return HINT_TAKEN
    if evidence.kind == REVEAL:
        return SOLUTION_REVEALED
    if evidence.kind == KNOWLEDGE_CHECK_RESULT:
        return CHECK_PASSED if evidence.passed else CHECK_FAILED
    if evidence.kind == MASTERY_RESULT:
        return ASSESSMENT_PASSED if evidence.passed else ASSESSMENT_FAILED
    raise ValueError(f"unknown evidence kind {evidence.kind!r}")  # pragma: no cover


def move_understanding(level: Decimal, delta: Decimal) -> Decimal:
    moved = Decimal(level) + delta
    return max(UNDERSTANDING_MIN, min(UNDERSTANDING_MAX, moved)).quantize(ONE_PLACE)


# ----- attempts ------------------------------------------------------------------------------


def attempt_record(evidence: Evidence, now: datetime) -> dict[str, Any]:
    """One attempt_history entry (JSON-ready)."""
    record: dict[str, Any] = {
        "kind": evidence.kind,
        "stage": evidence.stage,
        "level": evidence.level,
        "item": evidence.item,
        "score": None if evidence.score is None else float(evidence.score),
        "passed": evidence.passed,
        "hints": evidence.hints_used,
        "duration_seconds": round(float(evidence.duration_seconds), 1),
        "at": now.isoformat(),
    }
    if evidence.concept:
        record["concept"] = evidence.concept
    if evidence.question_kind:
        record["question_kind"] = evidence.question_kind
    if evidence.cases_total is not None:
        record["cases_passed"] = evidence.cases_passed
        record["cases_total"] = evidence.cases_total
    if evidence.missed_concepts:
        record["missed_concepts"] = list(evidence.missed_concepts)
    return record


def _records_attempt(evidence: Evidence) -> bool:
    # Hints and reveals are not attempts; their effect shows in the next run's `hints` and score.
    return evidence.kind not in (HINT, REVEAL)


def _next_tally(tally: ProblemTally, evidence: Evidence) -> ProblemTally:
    if evidence.kind == HINT:
        return replace(tally, hints=max(tally.hints + 1, evidence.hints_used))
    if evidence.kind == REVEAL:
        return replace(tally, revealed=True)
    if evidence.kind == TEST_RUN:
        fraction = case_fraction(evidence.cases_passed, evidence.cases_total)
        score = float(evidence.score) if evidence.score is not None else 0.0
        return replace(
            tally,
            runs=tally.runs + 1,
            failed_runs=tally.failed_runs + (0 if evidence.passed else 1),
            solved=tally.solved or bool(evidence.passed),
            first_run_fraction=tally.first_run_fraction if tally.runs else fraction,
            best_score=max(tally.best_score, score),
            last_cases_passed=evidence.cases_passed or 0,
        )
    return tally


def apply_evidence(
    state: ProgressState, evidence: Evidence, now: datetime
) -> tuple[ProgressState, dict[str, Any] | None]:
    """Fold one piece of evidence into the session's progress.

    Returns the new state and the attempt record to append to the history (None for hints
    and reveals, which are not attempts).
    """
    problems = dict(state.problems)
    tally_before = state.tally(evidence.item)
    if evidence.kind in (TEST_RUN, HINT, REVEAL):
        problems[evidence.item] = _next_tally(tally_before, evidence)

    answers = state.answers
    streak, best_streak = state.recognition_streak, state.best_recognition_streak
    if evidence.kind == ANSWER:
        answers = {
            **answers,
            evidence.item: AnswerMemo(bool(evidence.passed), evidence.question_kind, evidence.concept),
        }
        if evidence.question_kind == "recognition":
            streak = streak + 1 if evidence.passed else 0
            best_streak = max(best_streak, streak)

    record = attempt_record(evidence, now) if _records_attempt(evidence) else None

    current, best = state.current_score, state.best_score
    if evidence.kind in SCORED_KINDS and evidence.score is not None:
        current = clamp_score(evidence.score)
        best = max(best, current)

    understanding = move_understanding(
        state.understanding, understanding_delta(evidence, tally_before)
    )
    dimensions = mastery_dimensions(answers, problems)
    scores: dict[str, float] = {
        name: value for name, value in dimensions.items() if value is not None
    }
    scores["overall"] = float(overall_mastery(dimensions, understanding))
    perfect = state.perfect_check or (
        evidence.kind == KNOWLEDGE_CHECK_RESULT and evidence.score is not None and evidence.score >= 100
    )
    return (
        ProgressState(
            understanding=understanding,
            struggles=merge_struggles(state.struggles, new_struggles(evidence, problems)),
            problems=problems,
            answers=answers,
            best_score=best,
            current_score=current,
            attempts_count=state.attempts_count + (1 if evidence.kind in ATTEMPT_KINDS else 0),
            mastery_scores=scores,
            time_spent_seconds=round(state.time_spent_seconds + float(evidence.duration_seconds or 0), 1)
            if record is not None
            else state.time_spent_seconds,
            recognition_streak=streak,
            best_recognition_streak=best_streak,
            perfect_check=perfect,
        ),
        record,
    )

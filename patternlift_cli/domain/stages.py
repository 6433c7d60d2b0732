"""The learning stage machine: where a learner is, what moves them on, and the pass marks.

introduction -> knowledge_check -> hands_on_practice (levels 1, 2, 3) -> mastery_assessment
-> completed

`completed` is not a database enum value: a completed session stays at `mastery_assessment`
with `completed_at` set and `is_active` false (the seed's enum has four stages). Only a passed
mastery assessment completes a pattern; nothing else can produce that transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from patternlift_cli.domain.errors import StageTransitionError, UsageError

INTRODUCTION = "introduction"
KNOWLEDGE_CHECK = "knowledge_check"
HANDS_ON_PRACTICE = "hands_on_practice"
MASTERY_ASSESSMENT = "mastery_assessment"
COMPLETED = "completed"

STAGE_ORDER = (INTRODUCTION, KNOWLEDGE_CHECK, HANDS_ON_PRACTICE, MASTERY_ASSESSMENT, COMPLETED)
PRACTICE_LEVELS = (1, 2, 3)

# Percent of knowledge-check questions to answer right before practice opens.
KNOWLEDGE_CHECK_PASS_PERCENT = Decimal(70)
# mastery.yaml may override it per pattern (`pass_score`).
DEFAULT_MASTERY_PASS_SCORE = Decimal(80)
# Failed test runs on one problem before the reference solution may be revealed.
FAILED_RUNS_BEFORE_REVEAL = 3

STAGE_TITLES = {
    INTRODUCTION: "Introduction",
    KNOWLEDGE_CHECK: "Knowledge check",
    HANDS_ON_PRACTICE: "Hands-on practice",
    MASTERY_ASSESSMENT: "Mastery assessment",
    COMPLETED: "Completed",
}


@dataclass(frozen=True)
class Position:
    stage: str = INTRODUCTION
    level: int = 1

    def __post_init__(self) -> None:
        if self.stage not in STAGE_ORDER:
            raise UsageError(f"Unknown learning stage {self.stage!r}.")
        if self.level not in PRACTICE_LEVELS:
            raise UsageError(f"A practice level is 1, 2 or 3, not {self.level!r}.")

    @property
    def is_completed(self) -> bool:
        return self.stage == COMPLETED

    def label(self) -> str:
        title = STAGE_TITLES[self.stage]
        return f"{title}, level {self.level}" if self.stage == HANDS_ON_PRACTICE else title


START = Position()


def percent(correct: int, total: int) -> Decimal:
    """0-100 with one decimal; an empty check counts as passed (nothing to get wrong)."""
    if total <= 0:
        return Decimal(100)
    return (Decimal(100) * correct / total).quantize(Decimal("0.1"))


def knowledge_check_passed(correct: int, total: int) -> bool:
    return percent(correct, total) >= KNOWLEDGE_CHECK_PASS_PERCENT


def mastery_passed(score: Decimal, pass_score: Decimal | int | None = None) -> bool:
    threshold = DEFAULT_MASTERY_PASS_SCORE if pass_score is None else Decimal(pass_score)
    return score >= threshold


def may_reveal_solution(failed_runs: int) -> bool:
    return failed_runs >= FAILED_RUNS_BEFORE_REVEAL


def after_lesson(position: Position) -> Position:
    _expect(position, INTRODUCTION)
    return Position(KNOWLEDGE_CHECK, 1)


def after_knowledge_check(position: Position, *, passed: bool) -> Position:
    """A pass opens practice at level 1; a miss stays for review and a retry."""
    _expect(position, KNOWLEDGE_CHECK)
    return Position(HANDS_ON_PRACTICE, 1) if passed else position


def after_practice_problem(position: Position, *, passed: bool) -> Position:
    """Passing level n opens level n+1; passing level 3 unlocks the mastery assessment."""
    _expect(position, HANDS_ON_PRACTICE)
    if not passed:
        return position
    if position.level < PRACTICE_LEVELS[-1]:
        return Position(HANDS_ON_PRACTICE, position.level + 1)
    # The level column is constrained to 1..3; the assessment keeps 3 (the last level passed).
    return Position(MASTERY_ASSESSMENT, position.level)


def after_mastery_assessment(position: Position, *, passed: bool) -> Position:
    """The one and only way to `completed`."""
    _expect(position, MASTERY_ASSESSMENT)
    return Position(COMPLETED, position.level) if passed else position


def _expect(position: Position, stage: str) -> None:
    if position.stage != stage:
        raise StageTransitionError(
            f"a {STAGE_TITLES[stage].lower()} outcome arrived during {position.label().lower()}"
        )

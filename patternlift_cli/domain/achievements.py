"""Achievements: named rules over plain facts about a learner.

`evaluate` returns every achievement the facts earn; the service inserts the ones the learner
does not hold yet (user_achievements is unique per user and achievement id), so an
achievement is unlocked once and never taken away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from patternlift_cli.domain.progress import ProblemTally
from patternlift_cli.domain.struggles import REPEATED_FAILURE_RUNS

SHARP_EYE_STREAK = 5


@dataclass(frozen=True)
class LearnerFacts:
    """What the rules look at: the session just updated, and the learner's whole record."""

    pattern_id: str
    perfect_knowledge_check: bool = False   # a knowledge check scored 100 in this pattern
    best_recognition_streak: int = 0         # recognition answers right in a row, at best
    problems: Mapping[str, ProblemTally] = field(default_factory=dict)
    practice_levels_passed: tuple[int, ...] = ()
    calibrated: bool = False
    introduction_done: bool = False
    pattern_completed: bool = False
    assessment_score: float | None = None
    mastered_pattern_ids: frozenset[str] = frozenset()
    course_pattern_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Achievement:
    id: str
    name: str
    description: str
    rule: Callable[[LearnerFacts], dict[str, Any] | None]  # data to store when earned, else None


@dataclass(frozen=True)
class Unlock:
    achievement_id: str
    name: str
    description: str
    data: dict[str, Any]


def _first_steps(facts: LearnerFacts) -> dict[str, Any] | None:
    return {"pattern_id": facts.pattern_id} if facts.introduction_done else None


def _self_aware(facts: LearnerFacts) -> dict[str, Any] | None:
    return {"pattern_id": facts.pattern_id} if facts.calibrated else None


def _perfect_knowledge_check(facts: LearnerFacts) -> dict[str, Any] | None:
    return {"pattern_id": facts.pattern_id} if facts.perfect_knowledge_check else None


def _sharp_eye(facts: LearnerFacts) -> dict[str, Any] | None:
    """Five recognition questions in a row answered right (within this pattern's history)."""
    if facts.best_recognition_streak >= SHARP_EYE_STREAK:
        return {"pattern_id": facts.pattern_id, "streak": facts.best_recognition_streak}
    return None


def _solved(facts: LearnerFacts, predicate: Callable[[ProblemTally], bool]) -> str | None:
    return next(
        (problem_id for problem_id, tally in facts.problems.items() if tally.solved and predicate(tally)),
        None,
    )


def _unassisted(facts: LearnerFacts) -> dict[str, Any] | None:
    problem_id = _solved(facts, lambda tally: tally.hints == 0 and not tally.revealed)
    return {"pattern_id": facts.pattern_id, "problem_id": problem_id} if problem_id else None


def _first_try(facts: LearnerFacts) -> dict[str, Any] | None:
    problem_id = _solved(facts, lambda tally: tally.failed_runs == 0 and tally.hints == 0)
    return {"pattern_id": facts.pattern_id, "problem_id": problem_id} if problem_id else None


def _comeback(facts: LearnerFacts) -> dict[str, Any] | None:
    problem_id = _solved(
        facts, lambda tally: tally.failed_runs >= REPEATED_FAILURE_RUNS and not tally.revealed
    )
    if problem_id is None:
        return None
    return {
        "pattern_id": facts.pattern_id,
        "problem_id": problem_id,
        "failed_runs": facts.problems[problem_id].failed_runs,
    }


def _clean_sweep(facts: LearnerFacts) -> dict[str, Any] | None:
    """All three practice levels passed with no hint and no reveal anywhere in the pattern."""
    if set(facts.practice_levels_passed) < {1, 2, 3}:
        return None
    if any(tally.hints or tally.revealed for tally in facts.problems.values()):
        return None
    return {"pattern_id": facts.pattern_id}


def _first_mastery(facts: LearnerFacts) -> dict[str, Any] | None:
    if not facts.mastered_pattern_ids:
        return None
    return {"pattern_id": facts.pattern_id if facts.pattern_completed else sorted(facts.mastered_pattern_ids)[0]}


def _flawless(facts: LearnerFacts) -> dict[str, Any] | None:
    if facts.pattern_completed and (facts.assessment_score or 0) >= 100:
        return {"pattern_id": facts.pattern_id}
    return None


def _mastered_count(count: int) -> Callable[[LearnerFacts], dict[str, Any] | None]:
    def rule(facts: LearnerFacts) -> dict[str, Any] | None:
        if len(facts.mastered_pattern_ids) >= count:
            return {"patterns": sorted(facts.mastered_pattern_ids)[:count]}
        return None

    return rule


def _course_complete(facts: LearnerFacts) -> dict[str, Any] | None:
    if facts.course_pattern_ids and facts.course_pattern_ids <= facts.mastered_pattern_ids:
        return {"patterns": len(facts.course_pattern_ids)}
    return None


ACHIEVEMENTS: tuple[Achievement, ...] = (
    Achievement("self_aware", "Know Thyself", "Finish a calibration questionnaire.", _self_aware),
    Achievement("first_steps", "First Steps", "Finish a pattern's introduction.", _first_steps),
    Achievement(
        "perfect_knowledge_check",
        "Perfect Knowledge Check",
        "Answer every question of a knowledge check right in one attempt.",
        _perfect_knowledge_check,
    ),
    Achievement(
        "sharp_eye", "Sharp Eye", "Recognise the pattern in five problems in a row.", _sharp_eye
    ),
    Achievement(
        "unassisted",
        "Unassisted",
        "Solve a problem without hints or a revealed solution.",
        _unassisted,
    ),
    Achievement(
        "first_try", "First Try", "Solve a problem on its first test run, without hints.", _first_try
    ),
    Achievement(
        "comeback",
        "Comeback",
        f"Solve a problem after {REPEATED_FAILURE_RUNS} or more failed runs, without a reveal.",
        _comeback,
    ),
    Achievement(
        "clean_sweep",
        "Clean Sweep",
        "Pass all three practice levels of a pattern without any hint or reveal.",
        _clean_sweep,
    ),
    Achievement("first_mastery", "First Pattern Mastered", "Pass a mastery assessment.", _first_mastery),
    Achievement(
        "flawless", "Flawless", "Score 100 on a mastery assessment.", _flawless
    ),
    Achievement("five_mastered", "Five Patterns Mastered", "Master five patterns.", _mastered_count(5)),
    Achievement("ten_mastered", "Ten Patterns Mastered", "Master ten patterns.", _mastered_count(10)),
    Achievement(
        "course_complete", "Course Complete", "Master every pattern in the course.", _course_complete
    ),
)
ACHIEVEMENTS_BY_ID = {achievement.id: achievement for achievement in ACHIEVEMENTS}


def evaluate(facts: LearnerFacts, already_unlocked: Iterable[str] = ()) -> list[Unlock]:
    """Achievements the facts earn that are not in `already_unlocked`, in catalogue order."""
    held = set(already_unlocked)
    unlocks = []
    for achievement in ACHIEVEMENTS:
        if achievement.id in held:
            continue
        data = achievement.rule(facts)
        if data is not None:
            unlocks.append(Unlock(achievement.id, achievement.name, achievement.description, data))
    return unlocks

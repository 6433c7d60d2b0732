"""What a piece of work is worth: practice and assessment scores, and the mastery dimensions.

Pure functions; docs/LEARNING.md states the same rules in prose (keep the two in step).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from patternlift_cli.domain.progress import AnswerMemo, ProblemTally

ONE_PLACE = Decimal("0.1")

# ----- scores ------------------------------------------------------------------------------
PRACTICE_HINT_COST = Decimal(10)
PRACTICE_FAILED_RUN_COST = Decimal(5)
PRACTICE_FAILED_RUN_COST_CAP = 4        # failed runs beyond this cost nothing more
PRACTICE_REVEALED_CAP = Decimal(40)     # the most a problem can score after a reveal
PRACTICE_PARTIAL_MAX = Decimal(50)      # an unsolved problem earns up to this for passing cases
PRACTICE_FLOOR = Decimal(10)            # a solved problem is always worth something

ASSESSMENT_FAILED_RUN_COST = Decimal(10)
ASSESSMENT_SOLVED_FLOOR = Decimal(50)
ASSESSMENT_PARTIAL_MAX = Decimal(60)
ASSESSMENT_PROBLEM_WEIGHT = Decimal("0.7")
ASSESSMENT_RECOGNITION_WEIGHT = Decimal("0.3")

# Mastery dimensions and their weight in the overall mastery score.
MASTERY_WEIGHTS: dict[str, Decimal] = {
    "recognition": Decimal("0.25"),
    "implementation": Decimal("0.35"),
    "complexity": Decimal("0.15"),
    "edge_cases": Decimal("0.25"),
}
# calculate_mastery_score blends the measured dimensions with the running understanding level.
MASTERY_DIMENSIONS_SHARE = Decimal("0.8")


def clamp_score(value: Decimal) -> Decimal:
    return max(Decimal(0), min(Decimal(100), value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)



def case_fraction(passed: int | None, total: int | None) -> float:
    if not total:
        return 0.0
    return max(0.0, min(1.0, (passed or 0) / total))


def practice_score(
    *,
    passed: bool,
    cases_passed: int,
    cases_total: int,
    hints_used: int,
    failed_runs_before: int,
    revealed: bool,
) -> Decimal:
    """0-100 for one practice submission: hints, failed runs and a reveal each cost points."""
    if not passed:
        return clamp_score(PRACTICE_PARTIAL_MAX * Decimal(str(case_fraction(cases_passed, cases_total))))
    score = (
        Decimal(100)
        - PRACTICE_HINT_COST * hints_used
        - PRACTICE_FAILED_RUN_COST * min(failed_runs_before, PRACTICE_FAILED_RUN_COST_CAP)
    )
    if revealed:
        score = min(score, PRACTICE_REVEALED_CAP)
    return clamp_score(max(PRACTICE_FLOOR, score))


def assessment_problem_score(
    *, passed: bool, cases_passed: int, cases_total: int, failed_runs_before: int
) -> Decimal:
    """0-100 for one assessment problem (no hints there): failed runs before the pass cost."""
    if not passed:
        return clamp_score(
            ASSESSMENT_PARTIAL_MAX * Decimal(str(case_fraction(cases_passed, cases_total)))
        )
    score = Decimal(100) - ASSESSMENT_FAILED_RUN_COST * failed_runs_before
    return clamp_score(max(ASSESSMENT_SOLVED_FLOOR, score))


def assessment_score(
    problem_scores: Iterable[Decimal], recognition_correct: int, recognition_total: int
) -> Decimal:
    """Weighted: problems 70 %, recognition questions 30 % (whichever exist)."""
    scores = [Decimal(score) for score in problem_scores]
    problem_part = sum(scores, Decimal(0)) / len(scores) if scores else None
    recognition_part = (
        Decimal(100) * recognition_correct / recognition_total if recognition_total else None
    )
    if problem_part is None and recognition_part is None:
        return Decimal(0)
    if problem_part is None:
        return clamp_score(recognition_part)  # type: ignore[arg-type]
    if recognition_part is None:
        return clamp_score(problem_part)
    return clamp_score(
        ASSESSMENT_PROBLEM_WEIGHT * problem_part + ASSESSMENT_RECOGNITION_WEIGHT * recognition_part
    )


# ----- mastery dimensions --------------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def mastery_dimensions(
    answers: Mapping[str, AnswerMemo], problems: Mapping[str, ProblemTally]
) -> dict[str, float | None]:
    """Per dimension 0-100, or None while there is no evidence for it.

    - recognition: share of recognition questions whose latest answer is right
    - complexity: the same for questions about complexity
    - implementation: mean best score over the problems attempted
    - edge_cases: mean share of hidden cases the *first* run of each problem passed (a first
      submission that handles the empty, single and duplicate cases shows edge-case care), with
      questions about edge cases counted alongside
    """
    latest = list(answers.values())

    def right_share(selected: list[AnswerMemo]) -> list[float]:
        return [100.0 if answer.passed else 0.0 for answer in selected]

    recognition = [a for a in latest if a.question_kind == "recognition"]
    complexity = [a for a in latest if "complexity" in (a.concept or "")]
    edge_answers = [a for a in latest if "edge" in (a.concept or "")]
    attempted = [tally for tally in problems.values() if tally.runs > 0]
    return {
        "recognition": _mean(right_share(recognition)),
        "implementation": _mean([tally.best_score for tally in attempted]),
        "complexity": _mean(right_share(complexity)),
        "edge_cases": _mean(
            [100.0 * (tally.first_run_fraction or 0.0) for tally in attempted]
            + right_share(edge_answers)
        ),
    }


def overall_mastery(dimensions: Mapping[str, float | None], understanding: Decimal) -> Decimal:
    """calculate_mastery_score's formula: weighted measured dimensions, blended with understanding.

    Dimensions without evidence drop out and the others' weights are renormalised; with no
    evidence at all the score is the understanding level scaled by its share.
    """
    measured = {
        name: Decimal(str(value))
        for name, value in dimensions.items()
        if value is not None and name in MASTERY_WEIGHTS
    }
    understanding_part = (Decimal(1) - MASTERY_DIMENSIONS_SHARE) * Decimal(understanding)
    if not measured:
        return clamp_score(understanding_part)
    weight_total = sum((MASTERY_WEIGHTS[name] for name in measured), Decimal(0))
    weighted = sum((MASTERY_WEIGHTS[name] * value for name, value in measured.items()), Decimal(0))
    return clamp_score(MASTERY_DIMENSIONS_SHARE * weighted / weight_total + understanding_part)



"""Pure progress rules: understanding, struggles, attempts, scores, mastery (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from patternlift_cli.domain import progress as p
from patternlift_cli.domain import scoring, struggles
from patternlift_cli.domain.progress import (
    Evidence,
    ProblemTally,
    ProgressState,
    apply_evidence,
)
from patternlift_cli.errors import UsageError

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def fold(state: ProgressState, *evidence: Evidence) -> tuple[ProgressState, list[dict]]:
    """Apply evidence in order; the new state and the attempt records to append."""
    records = []
    for item in evidence:
        state, record = apply_evidence(state, item, NOW)
        if record is not None:
            records.append(record)
    return state, records


def answer(item: str, passed: bool, *, concept: str = "sorted-input", kind: str = "multiple_choice", seconds: float = 60) -> Evidence:
    return Evidence(
        kind=p.ANSWER, stage="knowledge_check", item=item, passed=passed,
        score=Decimal(100 if passed else 0), concept=concept, question_kind=kind, duration_seconds=seconds,
    )


def run(item: str, passed: bool, *, cases: tuple[int, int] = (3, 10), hints: int = 0, score: str = "0", seconds: float = 120) -> Evidence:
    cases_passed, total = cases
    if passed:
        cases_passed = total
    return Evidence(
        kind=p.TEST_RUN, stage="hands_on_practice", level=1, item=item, passed=passed,
        score=Decimal(score), hints_used=hints, cases_passed=cases_passed, cases_total=total,
        duration_seconds=seconds,
    )


def test_understanding_starts_at_50_and_is_clamped() -> None:
    state = ProgressState()
    assert state.understanding == Decimal(50)
    assert p.move_understanding(Decimal(99), Decimal(8)) == Decimal(100)
    assert p.move_understanding(Decimal(1), Decimal(-8)) == Decimal(0)


@pytest.mark.parametrize(
    ("evidence", "tally", "expected"),
    [
        (answer("q", True, seconds=20), None, Decimal(4)),          # quick and right
        (answer("q", True, seconds=100), None, Decimal(3)),
        (answer("q", True, seconds=400), None, Decimal(2)),         # right after a long think
        (answer("q", False), None, Decimal(-4)),
        (run("pb", True, seconds=60), None, Decimal(10)),           # unaided quick solve
        (run("pb", True, hints=2, seconds=60), ProblemTally(hints=2), Decimal(4)),
        (run("pb", True), ProblemTally(hints=1, revealed=True), Decimal(1)),
        (run("pb", False, cases=(6, 10)), None, Decimal(-1)),        # close
        (run("pb", False, cases=(1, 10)), None, Decimal(-3)),
        (Evidence(kind=p.HINT, stage="hands_on_practice", item="pb"), None, Decimal(-2)),
        (Evidence(kind=p.REVEAL, stage="hands_on_practice", item="pb"), None, Decimal(-8)),
    ],
)
def test_each_piece_of_evidence_moves_understanding(evidence, tally, expected) -> None:
    assert p.understanding_delta(evidence, tally) == expected


def test_wrong_answer_records_concept_struggle_and_attempt() -> None:
    state, (record,) = fold(ProgressState(), answer("tp-1", False, concept="sorted-input"))
    assert state.struggles == ("concept:sorted-input",)
    assert state.understanding == Decimal(46)
    assert state.attempts_count == 1
    assert record == {
        "kind": "answer", "stage": "knowledge_check", "level": 1, "item": "tp-1", "score": 0.0,
        "passed": False, "hints": 0, "duration_seconds": 60.0, "at": NOW.isoformat(),
        "concept": "sorted-input", "question_kind": "multiple_choice",
    }
    # The same concept missed again stays one indicator.
    state, _ = fold(state, answer("tp-2", False, concept="sorted-input"))
    assert state.struggles == ("concept:sorted-input",)


def test_three_failed_runs_mark_repeated_failure_and_hints_mark_dependency() -> None:
    state, runs = fold(ProgressState(), run("pb", False), run("pb", False))
    assert "repeated_failure:pb" not in state.struggles
    state, third = fold(state, run("pb", False))
    assert "repeated_failure:pb" in state.struggles
    assert state.tally("pb").failed_runs == 3
    assert state.tally("pb").first_run_fraction == pytest.approx(0.3)

    hint = Evidence(kind=p.HINT, stage="hands_on_practice", item="pb", hints_used=1)
    state, records = fold(state, hint)
    assert struggles.HINT_DEPENDENCY not in state.struggles
    other = Evidence(kind=p.HINT, stage="hands_on_practice", item="pc", hints_used=1)
    state, more = fold(state, other)
    assert struggles.HINT_DEPENDENCY in state.struggles
    # Hints are not attempts.
    assert state.attempts_count == 3 and len(runs + third) == 3 and records == more == []


def test_practice_score_costs() -> None:
    full = scoring.practice_score(passed=True, cases_passed=10, cases_total=10, hints_used=0, failed_runs_before=0, revealed=False)
    assert full == Decimal(100)
    assert scoring.practice_score(passed=True, cases_passed=10, cases_total=10, hints_used=1, failed_runs_before=1, revealed=False) == Decimal(85)
    assert scoring.practice_score(passed=True, cases_passed=10, cases_total=10, hints_used=0, failed_runs_before=9, revealed=False) == Decimal(80)
    assert scoring.practice_score(passed=True, cases_passed=10, cases_total=10, hints_used=3, failed_runs_before=4, revealed=True) == Decimal(40)
    assert scoring.practice_score(passed=False, cases_passed=4, cases_total=10, hints_used=0, failed_runs_before=0, revealed=False) == Decimal(20)


def test_assessment_scores_are_weighted() -> None:
    assert scoring.assessment_problem_score(passed=True, cases_passed=8, cases_total=8, failed_runs_before=1) == Decimal(90)
    assert scoring.assessment_problem_score(passed=False, cases_passed=5, cases_total=10, failed_runs_before=3) == Decimal(30)
    assert scoring.assessment_score([Decimal(100)], 3, 3) == Decimal(100)
    assert scoring.assessment_score([Decimal(100)], 1, 3) == Decimal("80.0")
    assert scoring.assessment_score([Decimal(90)], 2, 4) == Decimal("78.0")
    assert scoring.assessment_score([], 2, 4) == Decimal("50.0")
    assert scoring.assessment_score([Decimal(70)], 0, 0) == Decimal("70.0")


def test_scores_best_and_current() -> None:
    state, _ = fold(ProgressState(), run("pb", False, score="20"))
    assert state.current_score == Decimal(20) and state.best_score == Decimal(20)
    state, _ = fold(state, run("pb", True, score="95"), run("pc", False, score="10"))
    assert state.current_score == Decimal(10) and state.best_score == Decimal(95)
    # An answer is an attempt but not a score of the session.
    state, _ = fold(state, answer("q", True))
    assert state.current_score == Decimal(10)
    assert state.attempts_count == 4


def test_mastery_dimensions_and_overall() -> None:
    state, _ = fold(
        ProgressState(),
        answer("r1", False, kind="recognition", concept="recognition"),
        answer("r1", True, kind="recognition", concept="recognition"),
        answer("r2", True, kind="recognition", concept="recognition"),
        answer("c1", False, kind="short_answer", concept="complexity"),
        run("pb", False, cases=(5, 10), score="25"),
        run("pb", True, score="95"),
    )
    dims = scoring.mastery_dimensions(state.answers, state.problems)
    # Only the latest answer per question counts: the retried r1 is right now.
    assert dims == {"recognition": 100.0, "implementation": 95.0, "complexity": 0.0, "edge_cases": 50.0}
    overall = scoring.overall_mastery(dims, state.understanding)
    weighted = (Decimal("0.25") * 100 + Decimal("0.35") * 95 + 0 + Decimal("0.25") * 50) / 1
    assert overall == scoring.clamp_score(Decimal("0.8") * weighted + Decimal("0.2") * state.understanding)
    assert state.mastery_scores["overall"] == float(overall)
    assert scoring.overall_mastery({"recognition": None}, Decimal(50)) == Decimal(10)
    # The running totals the achievements read: the streak of right recognition answers.
    assert (state.recognition_streak, state.best_recognition_streak) == (2, 2)
    assert state.time_spent_seconds == 4 * 60 + 2 * 120


def test_running_totals_match_a_replay_of_the_history() -> None:
    """A session saved before the totals existed rebuilds them from attempt_history."""
    from patternlift_cli.domain.session_state import StageProgress

    check = Evidence(kind=p.KNOWLEDGE_CHECK_RESULT, stage="knowledge_check", passed=True, score=Decimal(100))
    state, records = fold(
        ProgressState(),
        answer("r1", True, kind="recognition"), answer("r2", False, kind="recognition"),
        answer("r3", True, kind="recognition"), check,
    )
    rebuilt = StageProgress.load({}, records)
    assert rebuilt.answers == dict(state.answers)
    assert (rebuilt.recognition_streak, rebuilt.best_recognition_streak, rebuilt.perfect_check) == (1, 1, True)
    assert rebuilt.time_spent_seconds == state.time_spent_seconds


def test_evidence_round_trips_as_dict() -> None:
    evidence = Evidence(kind=p.KNOWLEDGE_CHECK_RESULT, stage="knowledge_check", passed=False,
                        score=Decimal("62.5"), missed_concepts=("a", "b"))
    again = Evidence.from_dict(evidence.to_dict())
    assert again == evidence
    with pytest.raises(UsageError):
        Evidence(kind="guess", stage="introduction")


def test_failed_check_records_missed_concepts() -> None:
    evidence = Evidence(kind=p.KNOWLEDGE_CHECK_RESULT, stage="knowledge_check", passed=False,
                        score=Decimal(50), missed_concepts=("complexity", "sorted-input"))
    state, (record,) = fold(ProgressState(), evidence)
    assert state.struggles == ("concept:complexity", "concept:sorted-input")
    assert state.understanding == Decimal(45)
    assert record["missed_concepts"] == ["complexity", "sorted-input"]
    assert state.attempts_count == 0  # a result, not an attempt of its own

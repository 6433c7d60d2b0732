"""The learning service on both backends, over the two-pattern mini course.

The mini course keeps these tests about the service's rules (transactions, stage moves,
mastery, achievements) independent of the packaged lessons' wording; test_learn_e2e.py drives
the real two-pointers pattern through the CLI.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from patternlift_cli.domain import calibration
from patternlift_cli.domain.progress import Evidence
from patternlift_cli.errors import UnknownPatternError, UsageError


@pytest.fixture
def course(mini_course, learner) -> None:
    """The mini course of tests/mini_course.py, with a learner signed in."""


def answer(service, view, qid: str, correct: bool, *, stage: str = "knowledge_check", kind: str = "multiple_choice", concept: str = "c"):
    return service.update_learning_progress(
        view.user_id, view.session_id,
        Evidence(kind="answer", stage=stage, item=qid, passed=correct, score=Decimal(100 if correct else 0),
                 concept=concept, question_kind=kind, duration_seconds=30),
        response="a" if correct else "b",
    )


def run(service, view, pid: str, passed: int, total: int = 10, stage: str = "hands_on_practice"):
    return service.update_learning_progress(
        view.user_id, view.session_id,
        Evidence(kind="test_run", stage=stage, item=pid, passed=passed == total, cases_passed=passed, cases_total=total,
                 duration_seconds=90),
    )


def test_patterns_table_sync_is_idempotent(course, engine) -> None:
    from patternlift_cli.db.models import Pattern
    from patternlift_cli.services import catalog

    report = catalog.sync_patterns()
    assert set(report.inserted) == {"two-pointers", "hashing"}
    assert not catalog.sync_patterns().changed
    with engine.begin() as connection:
        row = connection.execute(sa.select(Pattern).where(Pattern.id == "two-pointers")).one()
        assert (row.name, row.sort_order, list(row.prerequisites), row.problem_count) == ("Two Pointers", 3, ["hashing"], 4)
        connection.execute(sa.update(Pattern).where(Pattern.id == "two-pointers").values(content_hash="stale"))
    assert catalog.sync_patterns().updated == ("two-pointers",)


def test_whole_pattern_through_the_service(course, engine) -> None:
    from patternlift_cli.db.models import LearningSession, PatternProgress, UserAchievement, UserCalibration
    from patternlift_cli.services import catalog, learning

    catalog.sync_patterns()
    with pytest.raises(UnknownPatternError) as error:
        learning.load_pattern("two-pointer")
    assert error.value.suggestions[0] == "two-pointers"

    view = learning.open_session("two-pointers")
    assert (view.stage, view.level, view.calibrated) == ("introduction", 1, False)
    result = calibration.calibrate({"experience": "b", "foundations": "b", "learning_style": "a", "when_stuck": "c", "time": "b"})
    learning.save_calibration(view.session_id, result)
    learning.save_lesson_page(view.session_id, 1)
    assert learning.open_session("two-pointers").section("introduction")["page"] == 1
    outcome = learning.complete_lesson(view.session_id)
    assert outcome["stage"] == "knowledge_check"
    assert {a["id"] for a in outcome["unlocked_achievements"]} == {"first_steps"}

    # A failed knowledge check (2 of 4 < 70 %): review pending, concepts recorded, then a retry.
    answer(learning, view, "tp-1", False, concept="sorted-input")
    answer(learning, view, "tp-2", True)
    answer(learning, view, "tp-3", False, kind="short_answer", concept="complexity")
    with pytest.raises(UsageError):
        run(learning, view, "two-pointers-1-a", 10)  # no practice before the check is passed
    outcome = answer(learning, view, "tp-4", True, kind="recognition", concept="recognition")
    check = outcome["result"]["knowledge_check"]
    assert (check["passed"], check["score"], check["missed"]) == (False, 50.0, ["tp-1", "tp-3"])
    assert outcome["stage"] == "knowledge_check"
    assert "concept:sorted-input" in outcome["struggle_indicators"]
    with pytest.raises(UsageError):
        answer(learning, view, "tp-1", True)  # review first
    learning.finish_review(view.session_id)
    for qid in ("tp-1", "tp-2", "tp-3"):
        answer(learning, view, qid, True)
    outcome = answer(learning, view, "tp-4", True, kind="recognition")
    assert outcome["result"]["knowledge_check"]["passed"] is True
    assert (outcome["stage"], outcome["level"]) == ("hands_on_practice", 1)
    assert "perfect_knowledge_check" in {a["id"] for a in outcome["unlocked_achievements"]}

    # Level 1: a failing run, a hint, the reveal refused, then a pass.
    outcome = run(learning, view, "two-pointers-1-a", 4)
    assert outcome["result"] == {"passed": False, "score": 20.0}
    outcome = learning.update_learning_progress(
        view.user_id, view.session_id, Evidence(kind="hint", stage="hands_on_practice", item="two-pointers-1-a"))
    assert outcome["result"] == {"hint_index": 0, "hint": "h1"}
    with pytest.raises(UsageError, match="after 3 failed runs"):
        learning.update_learning_progress(
            view.user_id, view.session_id, Evidence(kind="reveal", stage="hands_on_practice", item="two-pointers-1-a"))
    outcome = run(learning, view, "two-pointers-1-a", 10)
    assert outcome["result"]["score"] == 85.0  # one hint (-10) and one failed run (-5)
    assert outcome["level"] == 2
    # Level 2: three failures unlock the reveal; level 3 clean.
    for _ in range(3):
        run(learning, view, "two-pointers-2-b", 0)
    outcome = run(learning, view, "two-pointers-2-b", 10)
    assert "comeback" in {a["id"] for a in outcome["unlocked_achievements"]}
    outcome = run(learning, view, "two-pointers-3-c", 10)
    assert (outcome["stage"], outcome["level"]) == ("mastery_assessment", 3)
    with pytest.raises(UsageError):
        learning.update_learning_progress(
            view.user_id, view.session_id, Evidence(kind="hint", stage="mastery_assessment", item="two-pointers-m-x"))

    # Mastery: the problem, then recognition; one miss keeps the score at 100*0.7 + 50*0.3 = 85.
    outcome = run(learning, view, "two-pointers-m-x", 10, stage="mastery_assessment")
    assert outcome["result"]["final"] is True and not outcome["completed"]
    answer(learning, view, "tp-m1", True, stage="mastery_assessment", kind="recognition")
    outcome = answer(learning, view, "tp-m2", False, stage="mastery_assessment", kind="recognition")
    assessment = outcome["result"]["mastery_assessment"]
    assert (assessment["score"], assessment["passed"]) == (85.0, True)
    assert outcome["completed"] is True
    assert "first_mastery" in {a["id"] for a in outcome["unlocked_achievements"]}
    with pytest.raises(UsageError):
        answer(learning, view, "tp-m2", True, stage="mastery_assessment", kind="recognition")

    mastery = learning.calculate_mastery_score(view.user_id, "two-pointers")
    assert isinstance(mastery, Decimal) and Decimal(0) < mastery <= Decimal(100)
    with engine.begin() as connection:
        row = connection.execute(sa.select(LearningSession)).one()
        assert row.completed_at is not None and row.is_active is False
        assert row.current_stage.value == "mastery_assessment"
        assert row.persona_type == "visual_learner"
        assert row.attempts_count == len([a for a in row.attempt_history if a["kind"] in ("answer", "test_run")])
        assert row.best_score == Decimal(100)
        progress = connection.execute(sa.select(PatternProgress)).one()
        assert progress.assessment_score == Decimal(85) and progress.session_id == row.id
        assert progress.mastery_score == mastery
        calibration_row = connection.execute(sa.select(UserCalibration)).one()
        assert calibration_row.guidance_config["lesson_sections"][0] == "worked_example"
        achievement_ids = [r.achievement_id for r in connection.execute(sa.select(UserAchievement))]
        assert len(achievement_ids) == len(set(achievement_ids))
        assert {"self_aware", "first_steps", "first_mastery"} <= set(achievement_ids)

    overview = {row.id: row for row in learning.patterns_overview()}
    assert [row.id for row in learning.patterns_overview()] == ["hashing", "two-pointers"]
    assert overview["two-pointers"].mastered and overview["two-pointers"].stage == "completed"
    assert overview["hashing"].stage is None
    detail = learning.progress_detail("two-pointers")
    assert detail.mastered and detail.attempts_count == row.attempts_count

    # Restart keeps the mastery record and achievements but resets the session.
    again = learning.restart_session("two-pointers")
    assert (again.stage, again.level, again.attempts_count, again.calibrated) == ("introduction", 1, 0, True)
    assert learning.progress_detail("two-pointers").mastered

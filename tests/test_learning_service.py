"""The learning use cases on both backends, over the two-pattern mini course.

The mini course keeps these tests about the rules (transactions, stage moves, grading, scores,
mastery, achievements) independent of the packaged lessons' wording; test_learn_e2e.py drives
the real two-pointers pattern through the CLI.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from patternlift_cli.errors import RefusedError, UnknownPatternError, UsageError
from tests.mini_course import CORRECT, PARTIAL

RESPONSES = {"experience": "b", "foundations": "b", "learning_style": "a", "when_stuck": "c", "time": "b"}


@pytest.fixture
def learning(mini_course, learner):
    """The signed-in learner's learning use cases, on the mini course."""
    from tests.conftest import signed_in

    return signed_in().learning


def write(problem_id: str, code: str) -> None:
    from patternlift_cli.content.loader import get_problem
    from patternlift_cli.practice.workspace import workspace_file

    path = workspace_file(get_problem(problem_id))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(code)


def run(learning, session_id, problem_id: str, code: str):
    write(problem_id, code)
    return learning.run(session_id, problem_id, 90)


def test_patterns_table_sync_is_idempotent(mini_course, learner, engine) -> None:
    from patternlift_cli.db.models import Pattern
    from patternlift_cli.services import catalog
    from tests.conftest import local_database

    db = local_database()
    report = catalog.sync_patterns(db)
    assert set(report.inserted) == {"two-pointers", "hashing"}
    assert not catalog.sync_patterns(db).changed
    with engine.begin() as connection:
        row = connection.execute(sa.select(Pattern).where(Pattern.id == "two-pointers")).one()
        assert (row.name, row.sort_order, list(row.prerequisites), row.problem_count) == ("Two Pointers", 3, ["hashing"], 4)
        connection.execute(sa.update(Pattern).where(Pattern.id == "two-pointers").values(content_hash="stale"))
    assert catalog.sync_patterns(db).updated == ("two-pointers",)


def test_whole_pattern_through_the_use_cases(learning, engine) -> None:
    from patternlift_cli.db.models import (
        LearningAttempt,
        LearningSession,
        PatternProgress,
        UserAchievement,
        UserCalibration,
    )

    with pytest.raises(UnknownPatternError) as error:
        learning.open_session("two-pointer")
    assert error.value.suggestions[0] == "two-pointers"

    state = learning.open_session("two-pointers")
    sid = state.session_id
    assert (state.stage, state.level, state.calibrated) == ("introduction", 1, False)
    outcome = learning.calibrate(sid, RESPONSES)
    assert (outcome.persona_type, outcome.depth) == ("visual_learner", "standard")
    assert [unlock.id for unlock in outcome.step.unlocked] == ["self_aware"]
    lesson = learning.lesson(sid)
    assert lesson.pages[0].key == "worked_example" and lesson.start == 0  # visual learners see the trace first
    learning.save_lesson_page(sid, 1)
    assert learning.lesson(sid).start == 1
    step = learning.complete_lesson(sid)
    assert step.stage == "knowledge_check"
    assert [unlock.id for unlock in step.unlocked] == ["first_steps"]

    # A failed knowledge check (2 of 4 < 70 %): review pending, concepts recorded, then a retry.
    check = learning.knowledge_check(sid)
    assert (check.attempt, check.total, check.fresh) == (1, 4, True)
    assert sorted(q.id for q in check.questions) == ["tp-1", "tp-2", "tp-3", "tp-4"]  # a pool of four: all
    assert not learning.answer(sid, "tp-1", "banana", 5).valid  # not a choice: nothing recorded
    assert learning.answer(sid, "tp-1", "Wrong", 30).correct is False
    with pytest.raises(RefusedError):
        learning.answer(sid, "tp-1", "Right", 30)  # answered already in this attempt
    assert learning.answer(sid, "tp-2", "Right", 30).correct
    assert learning.answer(sid, "tp-3", "n^2", 30).correct is False
    with pytest.raises(RefusedError):
        run(learning, sid, "two-pointers-1-a", CORRECT)  # no practice before the check is passed
    feedback = learning.answer(sid, "tp-4", "two-pointers", 30)
    result = feedback.check
    assert (result.passed, result.score, sorted(result.missed)) == (False, Decimal("50.0"), ["tp-1", "tp-3"])
    assert feedback.step.stage == "knowledge_check"
    assert "concept:sorted-input" in feedback.step.struggles
    check = learning.knowledge_check(sid)
    assert check.questions == [] and sorted(item.concept for item in check.review) == ["complexity", "sorted-input"]
    with pytest.raises(RefusedError):
        learning.answer(sid, "tp-1", "Right", 30)  # review first
    learning.finish_review(sid)
    check = learning.knowledge_check(sid)
    assert check.attempt == 2 and len(check.questions) == 4
    for qid, response in (("tp-1", "Right"), ("tp-2", "Right"), ("tp-3", "O(N)")):
        learning.answer(sid, qid, response, 20)
    feedback = learning.answer(sid, "tp-4", "two-pointers", 20)
    assert feedback.check.passed is True
    assert (feedback.step.stage, feedback.step.level) == ("hands_on_practice", 1)
    assert "perfect_knowledge_check" in {unlock.id for unlock in feedback.step.unlocked}

    # Level 1: the untouched starter is refused, a failing run, a hint, the reveal refused, a pass.
    problem = learning.practice(sid)
    assert (problem.problem_id, problem.hints_total, problem.can_reveal) == ("two-pointers-1-a", 3, False)
    from patternlift_cli.content.loader import get_problem
    from patternlift_cli.practice.workspace import starter_code

    write("two-pointers-1-a", starter_code(get_problem("two-pointers-1-a")))
    with pytest.raises(RefusedError, match="starter"):
        learning.run(sid, "two-pointers-1-a", 5)
    outcome = run(learning, sid, "two-pointers-1-a", PARTIAL)
    assert (outcome.passed, outcome.score, outcome.report.passed_count) == (False, Decimal("15.0"), 3)
    hint = learning.hint(sid, "two-pointers-1-a")
    assert (hint.number, hint.text) == (1, "h1")
    with pytest.raises(RefusedError, match="after 3 failed runs"):
        learning.reveal(sid, "two-pointers-1-a")
    outcome = run(learning, sid, "two-pointers-1-a", CORRECT)
    assert outcome.score == Decimal("85.0")  # one hint (-10) and one failed run (-5)
    assert (outcome.breakdown.hint_cost, outcome.breakdown.failed_run_cost) == (Decimal(10), Decimal(5))
    assert outcome.step.level == 2 and outcome.next_label == "Hands-on practice, level 2"
    # Level 2: three failures unlock the reveal; level 3 clean.
    for _ in range(3):
        run(learning, sid, "two-pointers-2-b", PARTIAL)
    assert learning.practice(sid).can_reveal
    outcome = run(learning, sid, "two-pointers-2-b", CORRECT)
    assert "comeback" in {unlock.id for unlock in outcome.step.unlocked}
    outcome = run(learning, sid, "two-pointers-3-c", CORRECT)
    assert (outcome.step.stage, outcome.step.level) == ("mastery_assessment", 3)
    with pytest.raises(RefusedError):
        learning.hint(sid, "two-pointers-m-x")

    # Mastery: the problem, then recognition; one miss keeps the score at 100*0.7 + 50*0.3 = 85.
    assessment = learning.assessment(sid)
    assert assessment.fresh and [p.problem_id for p in assessment.problems] == ["two-pointers-m-x"]
    outcome = run(learning, sid, "two-pointers-m-x", CORRECT)
    assert outcome.final is True and not outcome.step.completed
    learning.answer(sid, "tp-m1", "two-pointers", 10)
    feedback = learning.answer(sid, "tp-m2", "hashing", 10)
    assert (feedback.assessment.score, feedback.assessment.passed) == (Decimal("85.0"), True)
    assert feedback.step.completed is True
    assert "first_mastery" in {unlock.id for unlock in feedback.step.unlocked}
    with pytest.raises(RefusedError):
        learning.answer(sid, "tp-m2", "two-pointers", 10)

    mastery = learning.calculate_mastery_score("two-pointers")
    assert isinstance(mastery, Decimal) and Decimal(0) < mastery <= Decimal(100)
    with engine.begin() as connection:
        row = connection.execute(sa.select(LearningSession)).one()
        assert row.completed_at is not None and row.is_active is False
        assert row.current_stage.value == "mastery_assessment"
        assert row.persona_type == "visual_learner"
        attempts = connection.execute(sa.select(LearningAttempt).where(LearningAttempt.session_id == row.id)).all()
        assert row.attempts_count == len([a for a in attempts if a.kind in ("answer", "test_run")])
        assert len(row.attempt_history) == 20 and row.attempt_history[-1]["kind"] == "mastery_assessment"
        assert row.best_score == Decimal(100)
        progress = connection.execute(sa.select(PatternProgress)).one()
        assert progress.assessment_score == Decimal(85) and progress.session_id == row.id
        assert progress.mastery_score == mastery and progress.time_spent_seconds > 0
        calibration_row = connection.execute(sa.select(UserCalibration)).one()
        assert calibration_row.guidance_config["lesson_sections"][0] == "worked_example"
        achievement_ids = [r.achievement_id for r in connection.execute(sa.select(UserAchievement))]
        assert len(achievement_ids) == len(set(achievement_ids))
        assert {"self_aware", "first_steps", "first_mastery"} <= set(achievement_ids)

    overview = {item.id: item for item in learning.patterns()}
    assert [item.id for item in learning.patterns()] == ["hashing", "two-pointers"]
    assert overview["two-pointers"].mastered and overview["two-pointers"].stage == "completed"
    assert overview["hashing"].stage is None
    detail = learning.progress("two-pointers")
    assert detail.mastered and detail.attempts_count == row.attempts_count
    assert len(detail.attempt_history) == len(attempts) and detail.attempts_not_shown == 0

    # Restart keeps the mastery record and achievements but resets the session and its history.
    again = learning.restart_session("two-pointers")
    assert (again.stage, again.level, again.attempts_count, again.calibrated) == ("introduction", 1, 0, True)
    assert learning.progress("two-pointers").mastered and learning.progress("two-pointers").attempt_history == []


def test_a_session_of_another_learner_is_not_reachable(learning) -> None:
    import uuid

    with pytest.raises(UsageError, match="does not exist"):
        learning.knowledge_check(uuid.uuid4())

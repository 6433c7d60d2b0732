"""The tutor adapts: calibration once per learner, spaced review by FSRS, and the next step.

Over the mini course, with time injected into the use cases (nothing sleeps).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.mini_course import CORRECT, PARTIAL
from tests.test_learning_loop import invoke

LEARNER_ANSWERS = {"foundations": "b", "learning_style": "d", "when_stuck": "a", "time": "b"}
# The use cases get this clock; commands run through the CLI read the real one, so START is
# today (a fixed date would make a mastered pattern's first review come due as the calendar moves).
START = datetime.now(UTC).replace(microsecond=0)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def learner_api(mini_course, learner):
    from tests.conftest import signed_in

    api = signed_in()
    api.learning.clock = Clock(START)
    return api


def master(api, pattern_id: str) -> None:
    """Take a mini-course pattern from the start to mastered through the use cases."""
    from patternlift_cli.content.loader import get_pattern
    from patternlift_cli.practice.workspace import workspace_file

    learning = api.learning
    sid = learning.open_session(pattern_id).session_id
    learning.calibrate(sid, None)
    learning.complete_lesson(sid)
    pattern = get_pattern(pattern_id)
    for question in learning.knowledge_check(sid).questions:
        source = next(q for q in pattern.questions if q.id == question.id)
        learning.answer(sid, question.id, _right(source), 10)
    for level in (1, 2, 3, "m"):
        problem = pattern.mastery_problems[0] if level == "m" else pattern.practice_problem(level)
        path = workspace_file(problem)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CORRECT)
        learning.run(sid, problem.id, 30)
    for question in pattern.mastery.recognition:
        learning.answer(sid, question.id, str(question.answer), 5)
    assert learning.open_session(pattern_id).stage == "completed"


def _right(question) -> str:
    if question.kind == "multiple_choice":
        return next(option.text for option in question.options if option.correct)
    return str(question.answer) if question.kind == "recognition" else str(question.accepted[0])


def test_learner_questions_are_asked_once_and_the_hint_preference_holds_everywhere(mini_course, learner, monkeypatch) -> None:
    from patternlift_cli.db.models import UserCalibration, UserProfile
    from tests.conftest import local_database

    # The learner-level questions first (foundations, style, when stuck, time), then the pattern's.
    result = invoke(monkeypatch, ["learn", "hashing"], [*LEARNER_ANSWERS.values(), "a", "q"])
    assert result.exit_code == 0, result.output
    assert "A new technique sticks best" in result.output and "socratic hints" in result.output

    result = invoke(monkeypatch, ["learn", "two-pointers"], ["c", "q"])
    assert result.exit_code == 0, result.output
    assert "one quick question" in result.output
    assert "A new technique sticks best" not in result.output and "socratic hints" in result.output

    with local_database().session() as session:
        profile = session.exec(sa.select(UserProfile)).scalars().one()
        assert profile.learning_preferences["calibration"] == LEARNER_ANSWERS
        rows = session.exec(sa.select(UserCalibration)).scalars().all()
        assert {row.pattern_id: row.guidance_config["hint_style"] for row in rows} == {
            "hashing": "socratic", "two-pointers": "socratic"}
        assert {row.pattern_id: row.responses["experience"] for row in rows} == {"hashing": "a", "two-pointers": "c"}

    # `calibrate` redoes the learner-level part, and every started pattern follows it.
    result = invoke(monkeypatch, ["calibrate"], ["b", "b", "b", "b"])
    assert result.exit_code == 0 and "2 pattern(s)" in result.output, result.output
    with local_database().session() as session:
        styles = {row.guidance_config["hint_style"] for row in session.exec(sa.select(UserCalibration)).scalars()}
    assert styles == {"direct"}


def test_a_mastered_pattern_comes_due_by_fsrs_and_its_review_moves_the_schedule(learner_api, engine) -> None:
    from patternlift_cli.db.models import PatternReview, ReviewLog

    master(learner_api, "hashing")
    review, clock = learner_api.review, learner_api.learning.clock
    (row,) = _rows(engine, PatternReview)
    first_due = row.due_at
    assert first_due > START  # FSRS' first interval after a Good rating at mastery
    assert review.due() == []
    assert learner_api.learning.patterns()[0].review_due_at == first_due

    clock.now = first_due + timedelta(hours=1)
    (due,) = review.due()
    assert due.pattern_id == "hashing"
    assert learner_api.learning.next_step().command == "patternlift review"
    session = review.start("hashing")
    for question in session.questions:
        assert review.answer("hashing", question.id, "two-pointers").correct  # the mini course's answer
    open(session.workspace_file, "w").write(CORRECT)
    assert review.run("hashing").all_passed
    outcome = review.finish("hashing", seconds=600)
    assert outcome.rating == "good" and outcome.next_due_at > clock.now + timedelta(days=3)
    assert review.due() == []

    # Much later, a failed review: again, a lapse, a sooner next review, a lower estimate.
    clock.now = outcome.next_due_at + timedelta(days=2)
    session = review.start("hashing")
    for question in session.questions:
        review.answer("hashing", question.id, "hashing")
    open(session.workspace_file, "w").write(PARTIAL)
    assert not review.run("hashing").all_passed
    before = learner_api.learning.progress("hashing").knowledge_estimate
    failed = review.finish("hashing", seconds=300)
    assert failed.rating == "again" and failed.next_due_at - clock.now < outcome.next_due_at - START
    assert failed.mastery_estimate < before
    (row,) = _rows(engine, PatternReview)
    assert (row.reps, row.lapses, row.last_rating) == (2, 1, "again")
    assert [log.rating for log in sorted(_rows(engine, ReviewLog), key=lambda log: log.reviewed_at)] == ["good", "again"]


def test_next_recommends_the_prerequisite_of_a_pattern_started_out_of_order(learner_api, monkeypatch) -> None:
    learning = learner_api.learning
    assert learning.next_step().command == "patternlift learn hashing"  # the course starts there
    learning.open_session("two-pointers")
    step = learning.next_step()
    assert step.command == "patternlift learn hashing" and "builds on Hashing" in step.reason
    master(learner_api, "hashing")
    assert learning.next_step().command == "patternlift learn two-pointers"

    result = invoke(monkeypatch, ["progress"], [])
    assert result.exit_code == 0, result.output
    assert "Your course" in result.output and "mastered ✓" in result.output and "day streak" in result.output
    assert "Next: patternlift learn two-pointers" in result.output


def _rows(engine, model):
    with engine.begin() as connection:
        return connection.execute(sa.select(model)).all()


def test_a_failed_check_is_retried_on_unseen_questions_missed_concepts_first(learner) -> None:
    """The real two-pointers pool (more than ten questions): the retry is not the same ten again."""
    from patternlift_cli.content.loader import get_pattern
    from tests.conftest import signed_in
    from tests.test_learning_loop import current_question

    learning = signed_in().learning
    pattern = get_pattern("two-pointers")
    assert len(pattern.question_pool) >= 16
    sid = learning.open_session("two-pointers").session_id
    learning.calibrate(sid, None)
    learning.complete_lesson(sid)
    first = learning.knowledge_check(sid)
    assert first.total == 10 and len({q.id for q in first.questions}) == 10
    missed = set()
    for number in range(10):
        question = current_question("two-pointers")
        wrong = number < 4
        if wrong:
            missed.add(question.concept)
        response = _wrong(question) if wrong else _right(question)
        feedback = learning.answer(sid, question.id, response, 10)
    assert feedback.check is not None and feedback.check.passed is False
    learning.finish_review(sid)
    retry = learning.knowledge_check(sid)
    asked_before = {q.id for q in first.questions}
    fresh = [q.id for q in retry.questions if q.id not in asked_before]
    assert len(fresh) >= min(10, len(pattern.question_pool) - 10)  # unseen questions first
    assert current_question("two-pointers").concept in missed  # the retry opens with a missed concept


def _wrong(question) -> str:
    if question.kind == "multiple_choice":
        return next(option.text for option in question.options if not option.correct)
    if question.kind == "recognition":
        return next(str(c) for c in question.choices if str(c) != str(question.answer))
    return "O(2^n) surely"


def test_a_learner_who_fails_with_off_by_one_code_gets_the_off_by_one_hint_first(learner) -> None:
    """The real two-pointers course: 0-based positions where the problem counts from 1 are
    diagnosed, and the first hint is about that, not the ladder's first step."""
    from patternlift_cli.content.loader import get_pattern
    from patternlift_cli.practice.workspace import workspace_file
    from tests.conftest import signed_in
    from tests.test_learning_loop import current_question

    learning = signed_in().learning
    pattern = get_pattern("two-pointers")
    sid = learning.open_session("two-pointers").session_id
    learning.calibrate(sid, None)
    learning.complete_lesson(sid)
    for _ in range(learning.knowledge_check(sid).total):
        question = current_question("two-pointers")
        feedback = learning.answer(sid, question.id, _right(question), 10)
    assert feedback.check is not None and feedback.check.passed
    assert learning.open_session("two-pointers").stage == "hands_on_practice"

    problem = pattern.practice_problem(1)
    zero_based = next(wrong for wrong in problem.wrong_solutions if wrong.diagnosis == "zero-based")
    path = workspace_file(problem)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(zero_based.code)
    outcome = learning.run(sid, problem.id, 30)
    assert not outcome.passed and outcome.diagnosis == "zero-based"

    diagnosis = next(d for d in problem.diagnoses if d.id == "zero-based")
    first = learning.hint(sid, problem.id)
    assert first.about_failure and first.number == 0
    assert first.text == (diagnosis.ask if first.style == "socratic" else diagnosis.hint)
    assert "from 1" in diagnosis.hint
    ladder = problem.socratic_hints if first.style == "socratic" else problem.hints
    after = learning.hint(sid, problem.id)  # then the fixed ladder, from its first step
    assert not after.about_failure and (after.number, after.text) == (1, ladder[0])

"""Mastery in connected mode is the server's verdict, not the learner machine's.

Practice runs are judged where the learner is and recorded from their report. In the mastery
assessment a report is refused, however good it claims to be; the solution's source goes to
the server, which judges it in its own sandbox, and only that verdict completes the pattern.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from patternlift_cli.errors import RefusedError, TemporarilyUnavailableError
from patternlift_cli.ports.learning import JudgeSummary
from tests.test_learn_e2e import PATTERN, _real_curriculum, reference, right, writer
from tests.test_learning_loop import current_question


def _all_passed(problem_id: str) -> JudgeSummary:
    return JudgeSummary(problem_id=problem_id, verdict="accepted", message="All 3 cases passed.",
                        cases=[{"number": n, "status": "passed"} for n in (1, 2, 3)])


def _to_the_assessment(learning):  # type: ignore[no-untyped-def]
    """Calibration skipped, the lesson read, the check passed, practice reported as solved."""
    pattern = _real_curriculum()
    state = learning.open_session(PATTERN)
    session = state.session_id
    learning.calibrate(session, None)
    learning.complete_lesson(session)
    check = learning.knowledge_check(session)
    for _ in check.questions:
        question = current_question(PATTERN)
        learning.answer(session, question.id, right(question), 2.0)
    for level in (1, 2, 3):
        problem = pattern.practice_problem(level)
        outcome = learning.record_run(session, problem.id, _all_passed(problem.id), 30.0)
        assert outcome.passed  # practice: the learner's machine judges, the server scores
    assert learning.open_session(PATTERN).stage == "mastery_assessment"
    return pattern, session


def _completed_at(connected):  # type: ignore[no-untyped-def]
    from patternlift_cli.db.models import LearningSession

    with connected.engine.begin() as connection:
        return connection.execute(sa.select(LearningSession.completed_at)).scalar_one()


def test_a_forged_report_is_refused_and_the_servers_verdict_decides(connected) -> None:
    from patternlift_cli.cli.context import current_learner

    learning = current_learner().learning
    pattern, session = _to_the_assessment(learning)
    first, *others = pattern.mastery_problems

    with pytest.raises(RefusedError, match="the server judges your solution itself"):
        learning.record_run(session, first.id, _all_passed(first.id), 10.0)

    writer(first, first.wrong_solutions[0].code)()
    failed = learning.run(session, first.id, 10.0)  # the source goes to the server's judge
    assert not failed.passed and failed.report.verdict != "accepted"

    for problem in pattern.mastery_problems:
        writer(problem, reference(problem))()
        outcome = learning.run(session, problem.id, 20.0)
        assert outcome.passed and outcome.report.verdict == "accepted", outcome.report.message
    assert _completed_at(connected) is None  # the recognition questions are still to answer
    for question in pattern.mastery.recognition:
        learning.answer(session, question.id, right(question), 3.0)
    assert _completed_at(connected) is not None
    unlocked = {status.id for status in learning.achievements() if status.unlocked}
    assert "first_mastery" in unlocked


def test_the_judge_runs_one_job_and_refuses_past_its_queue() -> None:
    from patternlift_cli.server.judge_gate import JudgeGate
    from patternlift_cli.server.problems import error_response

    gate = JudgeGate(queue_limit=1)
    running, release, waiting_done = threading.Event(), threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with gate.slot():
            order.append("first")
            running.set()
            release.wait(10)

    def second() -> None:
        with gate.slot():
            order.append("second")
        waiting_done.set()

    threads = [threading.Thread(target=first)]
    threads[0].start()
    running.wait(10)
    threads.append(threading.Thread(target=second))
    threads[1].start()
    while gate._admitted < 2:  # the second is queued behind the first
        threading.Event().wait(0.01)
    with pytest.raises(TemporarilyUnavailableError) as busy, gate.slot():
        pass
    release.set()
    waiting_done.wait(10)
    for thread in threads:
        thread.join(10)
    assert order == ["first", "second"]
    response = error_response(busy.value)
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert b"judge is busy" in response.body


def test_a_mastered_pattern_is_reviewed_through_the_server(connected) -> None:
    from pathlib import Path

    from patternlift_cli.cli.context import current_learner
    from patternlift_cli.db.models import PatternReview, ReviewLog

    learner = current_learner()
    pattern, session = _to_the_assessment(learner.learning)
    for problem in pattern.mastery_problems:
        writer(problem, reference(problem))()
        assert learner.learning.run(session, problem.id, 20.0).passed
    for question in pattern.mastery.recognition:
        learner.learning.answer(session, question.id, right(question), 3.0)
    assert learner.review.due() == []

    connected.platform.clock.set(25 * 86400)  # the server's clock: 25 days on (the token lives 30)
    (due,) = learner.review.due()
    review = learner.review.start(due.pattern_id)
    path = Path(review.workspace_file)
    problem = pattern.practice_problem(1)
    assert path.exists() and "review" in path.parts and path.read_text() != reference(problem)
    for question in review.questions:
        source = next(q for q in [*pattern.questions, *pattern.mastery.recognition] if q.id == question.id)
        assert learner.review.answer(PATTERN, question.id, right(source)).valid
    path.write_text(reference(problem), encoding="utf-8")
    assert learner.review.run(PATTERN).all_passed  # judged here, recorded there
    outcome = learner.review.finish(PATTERN, 120.0)
    assert outcome.problem_passed and outcome.rating in ("good", "easy")
    with connected.engine.begin() as connection:
        card = connection.execute(sa.select(PatternReview)).one()
        assert card.reps == 1 and card.last_rating == outcome.rating
        assert len(connection.execute(sa.select(ReviewLog)).all()) == 1

"""`/v1/learning/...`: the `ports.learning.Learning` use cases over HTTP, for the token's learner.

Each handler is `LocalLearning(db, learner.id)` on the request's `LearnerDB` (row-level
security as the learner), so the rules are the very ones solo mode runs. Nothing in a body
names a learner; every write honours Idempotency-Key. Practice runs are judged on the
learner's machine and recorded from their report (`/runs`); an assessment solution is sent as
source and judged here (`/submissions`), and a reported run during the assessment is refused,
so mastery comes only from the server's own verdict.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from patternlift_cli.ports.learning import (
    AnswerFeedback,
    Assessment,
    CalibrationOutcome,
    CalibrationQuestion,
    HandInOutcome,
    HintOutcome,
    JudgeSummary,
    KnowledgeCheck,
    Lesson,
    PracticeProblem,
    RevealOutcome,
    RunOutcome,
    SessionState,
    Step,
)
from patternlift_cli.ports.learning_requests import (
    AnswerRequest,
    LessonPosition,
    OpenSession,
    Preferences,
    PreferencesUpdated,
    ProblemRef,
    RecordRun,
    Responses,
    Submission,
)
from patternlift_cli.ports.problems import Problem
from patternlift_cli.ports.reports import AchievementStatus, CourseMap, NextStep, PatternOverview, ProgressDetail
from patternlift_cli.server.content_check import require_same_content
from patternlift_cli.server.deps import CurrentLearner, LearnerDB, Now
from patternlift_cli.server.idempotency import HeldTransactionRoute, end_held_transaction

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 401, 404, 409, 413, 422, 503)
}

router = APIRouter(
    prefix="/v1/learning",
    tags=["learning"],
    responses=PROBLEMS,
    route_class=HeldTransactionRoute,
    dependencies=[Depends(require_same_content)],
)


def _sync_catalog(request: Request) -> None:
    """The `patterns` rows sessions reference are the platform's, written as the owner (the
    learner role may only read them). One SELECT when nothing changed; run on every session
    opened, so a catalogue the database lost (or a newer release's) is back before it is needed."""
    import sqlalchemy as sa

    from patternlift_cli.db.unit import Database
    from patternlift_cli.services.catalog import sync_patterns

    end_held_transaction(request)  # the sync is a transaction of its own, before the session's
    try:
        sync_patterns(Database(request.app.state.engine))
    except sa.exc.IntegrityError:  # another replica inserted the same rows first
        sync_patterns(Database(request.app.state.engine))


def _load_the_loop() -> None:
    """The CLI loads the loop's parts on first use (services.learning), with importlib's
    LazyLoader, whose first touch is not thread-safe: two request threads touching a part at
    once saw it half-executed (no `award_achievements`). The server loads them all here, once,
    while the worker imports its routes."""
    from patternlift_cli.services import learning

    for name in ("assessment", "completion", "knowledge_check", "practice", "reports", "sessions"):
        getattr(getattr(learning, name), "__doc__")


_load_the_loop()


def named_workspace(problem: Any) -> Path:
    """The path the learner's file has by default; the file itself is the client's to write."""
    from patternlift_cli.practice.workspace import workspace_file

    return Path(workspace_file(problem))


async def _learning(request: Request, learner: CurrentLearner, db: LearnerDB, now: Now):  # type: ignore[no-untyped-def]
    # A coroutine: it only builds the use case, so it needs no hop to the thread pool.
    from patternlift_cli.services.learning import LocalLearning

    return LocalLearning(db, learner.id, clock=lambda: now, workspace=named_workspace, catalog_synced=True)


Learning = Any
LearningDep = Depends(_learning)


# ----- sessions, calibration, lesson ------------------------------------------------------------


@router.post("/sessions", response_model=SessionState)
def open_session(body: OpenSession, request: Request, learning: Learning = LearningDep) -> SessionState:
    """The learner's session for a pattern (created on first use); `restart` starts it over."""
    _sync_catalog(request)
    if body.restart:
        return learning.restart_session(body.pattern_id)
    return learning.open_session(body.pattern_id)


@router.get("/sessions/{session_id}/questionnaire", response_model=list[CalibrationQuestion])
def questionnaire(session_id: uuid.UUID, learning: Learning = LearningDep) -> list[CalibrationQuestion]:
    return learning.questionnaire(session_id)


@router.get("/preference-questions", response_model=list[CalibrationQuestion])
def preference_questions(learning: Learning = LearningDep) -> list[CalibrationQuestion]:
    return learning.preference_questions()


@router.put("/preferences", response_model=PreferencesUpdated)
def set_preferences(body: Preferences, learning: Learning = LearningDep) -> PreferencesUpdated:
    return PreferencesUpdated(updated=learning.set_preferences(body.responses))


@router.post("/sessions/{session_id}/calibration", response_model=CalibrationOutcome)
def calibrate(session_id: uuid.UUID, body: Responses, learning: Learning = LearningDep) -> CalibrationOutcome:
    return learning.calibrate(session_id, body.responses)


@router.get("/sessions/{session_id}/lesson", response_model=Lesson)
def lesson(session_id: uuid.UUID, learning: Learning = LearningDep) -> Lesson:
    return learning.lesson(session_id)


@router.put("/sessions/{session_id}/lesson/page", status_code=204, response_class=Response)
def save_lesson_page(session_id: uuid.UUID, body: LessonPosition, learning: Learning = LearningDep) -> Response:
    learning.save_lesson_page(session_id, body.page)
    return Response(status_code=204)


@router.post("/sessions/{session_id}/lesson/complete", response_model=Step)
def complete_lesson(session_id: uuid.UUID, learning: Learning = LearningDep) -> Step:
    return learning.complete_lesson(session_id)


# ----- knowledge check ------------------------------------------------------------------------


@router.post("/sessions/{session_id}/knowledge-check", response_model=KnowledgeCheck)
def knowledge_check(session_id: uuid.UUID, learning: Learning = LearningDep) -> KnowledgeCheck:
    """The check's attempt (its questions are drawn once and kept, hence a POST)."""
    return learning.knowledge_check(session_id)


@router.post("/sessions/{session_id}/answers", response_model=AnswerFeedback)
def answer(session_id: uuid.UUID, body: AnswerRequest, learning: Learning = LearningDep) -> Response:
    """Grade an answer of the knowledge check or the assessment: the server decides."""
    feedback = learning.answer(session_id, body.question_id, body.response, body.seconds)
    # The bytes FastAPI would send for the response model, made here: for a plain function it
    # validates and serializes a returned model in another thread-pool hop (the busiest route).
    return Response(feedback.model_dump_json(by_alias=True), media_type="application/json")


@router.post("/sessions/{session_id}/review-read", response_model=Step)
def finish_review(session_id: uuid.UUID, learning: Learning = LearningDep) -> Step:
    return learning.finish_review(session_id)


# ----- practice and assessment ----------------------------------------------------------------


@router.get("/sessions/{session_id}/practice", response_model=PracticeProblem)
def practice(session_id: uuid.UUID, learning: Learning = LearningDep) -> PracticeProblem:
    return learning.practice(session_id)


@router.post("/sessions/{session_id}/runs", response_model=RunOutcome)
def record_run(session_id: uuid.UUID, body: RecordRun, learning: Learning = LearningDep) -> RunOutcome:
    """A practice run judged on the learner's machine. Refused during the mastery assessment."""
    return learning.record_run(session_id, body.problem_id, body.report, body.seconds, reported=True)


@router.post("/sessions/{session_id}/submissions", response_model=RunOutcome)
def submit(
    session_id: uuid.UUID, body: Submission, request: Request, learning: Learning = LearningDep
) -> RunOutcome:
    """An assessment solution, judged here in the sandbox (one at a time per worker; 503 when busy)."""
    end_held_transaction(request)  # nothing stays open while the judge runs
    from patternlift_cli.content.loader import get_problem
    from patternlift_cli.errors import RefusedError, UsageError
    from patternlift_cli.practice.judge import judge_source
    from patternlift_cli.practice.workspace import starter_code
    from patternlift_cli.server.judge_gate import server_judge

    problem = get_problem(body.problem_id)
    if problem.level != "mastery":
        raise UsageError(f"'{body.problem_id}' is a practice problem: practice runs are judged on your machine.")
    learning.assessment(session_id)  # refuses outside the assessment before any judging
    if body.source.strip() == starter_code(problem).strip():
        raise RefusedError("The file is still the starter code: write your solution in it first. Nothing was recorded.")
    with server_judge().slot():
        report = JudgeSummary.of(judge_source(problem, body.source))
    return learning.record_run(session_id, body.problem_id, report, body.seconds)


@router.post("/sessions/{session_id}/hints", response_model=HintOutcome)
def hint(session_id: uuid.UUID, body: ProblemRef, learning: Learning = LearningDep) -> HintOutcome:
    return learning.hint(session_id, body.problem_id)


@router.post("/sessions/{session_id}/reveal", response_model=RevealOutcome)
def reveal(session_id: uuid.UUID, body: ProblemRef, learning: Learning = LearningDep) -> RevealOutcome:
    return learning.reveal(session_id, body.problem_id)


@router.get("/sessions/{session_id}/assessment", response_model=Assessment)
def assessment(session_id: uuid.UUID, learning: Learning = LearningDep) -> Assessment:
    return learning.assessment(session_id)


@router.post("/sessions/{session_id}/hand-in", response_model=HandInOutcome)
def hand_in(session_id: uuid.UUID, body: ProblemRef, learning: Learning = LearningDep) -> HandInOutcome:
    return learning.hand_in(session_id, body.problem_id)


# ----- where the learner stands ---------------------------------------------------------------


@router.get("/patterns", response_model=list[PatternOverview])
def patterns(learning: Learning = LearningDep) -> list[PatternOverview]:
    return learning.patterns()


@router.get("/next", response_model=NextStep)
def next_step(learning: Learning = LearningDep) -> NextStep:
    return learning.next_step()


@router.get("/course", response_model=CourseMap)
def course_map(learning: Learning = LearningDep) -> CourseMap:
    return learning.course_map()


@router.get("/progress/{pattern_id}", response_model=ProgressDetail)
def progress(pattern_id: str, learning: Learning = LearningDep) -> ProgressDetail:
    return learning.progress(pattern_id)


@router.get("/achievements", response_model=list[AchievementStatus])
def achievements(learning: Learning = LearningDep) -> list[AchievementStatus]:
    return learning.achievements()

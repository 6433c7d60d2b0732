"""`ports.learning.Learning` over HTTP: the same use cases, decided by the PatternLift server.

The server grades answers and scores runs; this side only carries what the learner typed or
wrote. Practice is judged here, in the local sandbox, and the report is recorded on the server;
an assessment solution is sent as source and judged by the server. Files stay on this machine:
the server names a problem, this side writes its starter into the local workspace.

Every write carries an Idempotency-Key and is retried; an answer or a run the server cannot be
reached for is kept in the outbox (remote/outbox.py) and sent first by the next command.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

from patternlift_cli.errors import RefusedError, ServerUnreachableError
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
from patternlift_cli.ports.learning_requests import CONTENT_HEADER, PreferencesUpdated
from patternlift_cli.ports.reports import AchievementStatus, CourseMap, NextStep, PatternOverview, ProgressDetail
from patternlift_cli.remote import outbox
from patternlift_cli.remote.client import ServerClient

ModelT = TypeVar("ModelT", bound=BaseModel)
Notify = Callable[[str], None]


class RemoteArea:
    """What the learning and review clients share: the content header and the outbox."""

    prefix = ""

    def __init__(self, client: ServerClient, *, notify: Notify | None = None) -> None:
        self.client = client
        self.notify = notify
        self._headers: dict[str, str] | None = None
        self._outbox_sent = False

    def headers(self) -> dict[str, str]:
        if self._headers is None:
            from patternlift_cli.content.version import content_version

            self._headers = {CONTENT_HEADER: content_version()}
        return self._headers

    def _send_kept(self) -> None:
        if not self._outbox_sent:
            outbox.send_kept(self.client, self.headers(), self.notify)
            self._outbox_sent = True

    def get(self, path: str, model: type[ModelT]) -> ModelT:
        self._send_kept()
        return self.client.call("GET", self.prefix + path, model, headers=self.headers())

    def get_list(self, path: str, item: type[ModelT]) -> list[ModelT]:
        self._send_kept()
        response = self.client.request("GET", self.prefix + path, headers=self.headers())
        return _parse_list(self.client, path, item, response.content)

    def write(self, method: str, path: str, model: type[ModelT] | None, body: Any = None, *,
              keep_as: str | None = None) -> Any:
        """A write, retried with one key; `keep_as` names it when it is kept for later on failure."""
        self._send_kept()
        key = outbox.new_key()
        try:
            if model is None:
                self.client.request(method, self.prefix + path, json=body, idempotent=True,
                                    idempotency_key=key, headers=self.headers())
                return None
            return self.client.call(method, self.prefix + path, model, json=body, idempotent=True,
                                    idempotency_key=key, headers=self.headers())
        except ServerUnreachableError as error:
            if keep_as is None:
                raise
            outbox.keep(outbox.KeptWrite(method, self.prefix + path, body, key, keep_as, self.client.server_url))
            raise ServerUnreachableError(
                error.message,
                hint=f"{keep_as[0].upper()}{keep_as[1:]} is kept on this machine and will be sent the next time you run patternlift.",
            ) from error


def _parse_list(client: ServerClient, path: str, item: type[ModelT], content: bytes) -> list[ModelT]:
    from pydantic import ValidationError

    from patternlift_cli.errors import BadServerResponseError

    try:
        return TypeAdapter(list[item]).validate_json(content)  # type: ignore[valid-type]
    except ValidationError as error:
        raise BadServerResponseError(
            f"The server at {client.server_url} answered {path} with data this client does not understand; "
            "one of the two needs upgrading."
        ) from error


def bounded(seconds: float) -> float:
    """Seconds as the server takes them (0 to a day: a session left open overnight is not an error)."""
    return min(max(0.0, float(seconds)), 86_400.0)


def local_workspace(problem_id: str) -> str:
    """The learner's file for the problem on this machine (the starter written when missing)."""
    from patternlift_cli.content.loader import get_problem
    from patternlift_cli.practice.workspace import workspace_file, write_starter

    problem = get_problem(problem_id)
    path = workspace_file(problem)
    return str(path if path.exists() else write_starter(problem))


class RemoteLearning(RemoteArea):
    prefix = "/v1/learning"

    # ----- sessions ------------------------------------------------------------------------

    def open_session(self, pattern_id: str) -> SessionState:
        return self.write("POST", "/sessions", SessionState, {"pattern_id": pattern_id})

    def restart_session(self, pattern_id: str) -> SessionState:
        return self.write("POST", "/sessions", SessionState, {"pattern_id": pattern_id, "restart": True})

    def questionnaire(self, session_id: uuid.UUID) -> list[CalibrationQuestion]:
        return self.get_list(f"/sessions/{session_id}/questionnaire", CalibrationQuestion)

    def preference_questions(self) -> list[CalibrationQuestion]:
        return self.get_list("/preference-questions", CalibrationQuestion)

    def set_preferences(self, responses: Mapping[str, str]) -> int:
        return self.write("PUT", "/preferences", PreferencesUpdated, {"responses": dict(responses)}).updated

    def calibrate(self, session_id: uuid.UUID, responses: Mapping[str, str] | None) -> CalibrationOutcome:
        body = {"responses": dict(responses) if responses is not None else None}
        return self.write("POST", f"/sessions/{session_id}/calibration", CalibrationOutcome, body)

    # ----- introduction --------------------------------------------------------------------

    def lesson(self, session_id: uuid.UUID) -> Lesson:
        return self.get(f"/sessions/{session_id}/lesson", Lesson)

    def save_lesson_page(self, session_id: uuid.UUID, page: int) -> None:
        self.write("PUT", f"/sessions/{session_id}/lesson/page", None, {"page": page})

    def complete_lesson(self, session_id: uuid.UUID) -> Step:
        return self.write("POST", f"/sessions/{session_id}/lesson/complete", Step)

    # ----- knowledge check -----------------------------------------------------------------

    def knowledge_check(self, session_id: uuid.UUID) -> KnowledgeCheck:
        return self.write("POST", f"/sessions/{session_id}/knowledge-check", KnowledgeCheck)

    def answer(self, session_id: uuid.UUID, question_id: str, response: str, seconds: float) -> AnswerFeedback:
        body = {"question_id": question_id, "response": response, "seconds": bounded(seconds)}
        return self.write("POST", f"/sessions/{session_id}/answers", AnswerFeedback, body, keep_as="your answer")

    def finish_review(self, session_id: uuid.UUID) -> Step:
        return self.write("POST", f"/sessions/{session_id}/review-read", Step)

    # ----- practice and assessment -----------------------------------------------------------

    def practice(self, session_id: uuid.UUID) -> PracticeProblem:
        problem = self.get(f"/sessions/{session_id}/practice", PracticeProblem)
        if not problem.problem_id:
            return problem
        return problem.model_copy(update={"workspace_file": local_workspace(problem.problem_id)})

    def assessment(self, session_id: uuid.UUID) -> Assessment:
        assessment = self.get(f"/sessions/{session_id}/assessment", Assessment)
        problems = [view.model_copy(update={"workspace_file": local_workspace(view.problem_id)})
                    for view in assessment.problems]
        return assessment.model_copy(update={"problems": problems})

    def run(self, session_id: uuid.UUID, problem_id: str, seconds: float) -> RunOutcome:
        """Practice: judged here, the report recorded. The assessment: the source, judged there."""
        from patternlift_cli.content.loader import get_problem
        from patternlift_cli.practice.judge import judge_source, read_solution
        from patternlift_cli.practice.workspace import starter_code, workspace_file

        problem = get_problem(problem_id)
        source = read_solution(problem, workspace_file(problem))
        if source.strip() == starter_code(problem).strip():
            raise RefusedError(
                "The file is still the starter code: write your solution in it first. Nothing was recorded."
            )
        seconds = bounded(seconds)
        if problem.level == "mastery":
            body = {"problem_id": problem_id, "source": source, "seconds": seconds}
            return self.write("POST", f"/sessions/{session_id}/submissions", RunOutcome, body, keep_as="your solution")
        report = JudgeSummary.of(judge_source(problem, source))
        body = {"problem_id": problem_id, "report": report.model_dump(mode="json"), "seconds": seconds}
        return self.write("POST", f"/sessions/{session_id}/runs", RunOutcome, body, keep_as="your run")

    def record_run(self, session_id: uuid.UUID, problem_id: str, report: JudgeSummary, seconds: float) -> RunOutcome:
        body = {"problem_id": problem_id, "report": report.model_dump(mode="json"), "seconds": bounded(seconds)}
        return self.write("POST", f"/sessions/{session_id}/runs", RunOutcome, body, keep_as="your run")

    def hint(self, session_id: uuid.UUID, problem_id: str) -> HintOutcome:
        return self.write("POST", f"/sessions/{session_id}/hints", HintOutcome, {"problem_id": problem_id})

    def reveal(self, session_id: uuid.UUID, problem_id: str) -> RevealOutcome:
        return self.write("POST", f"/sessions/{session_id}/reveal", RevealOutcome, {"problem_id": problem_id})

    def hand_in(self, session_id: uuid.UUID, problem_id: str) -> HandInOutcome:
        return self.write("POST", f"/sessions/{session_id}/hand-in", HandInOutcome, {"problem_id": problem_id})

    # ----- where the learner stands ----------------------------------------------------------

    def patterns(self) -> list[PatternOverview]:
        return self.get_list("/patterns", PatternOverview)

    def next_step(self) -> NextStep:
        return self.get("/next", NextStep)

    def course_map(self) -> CourseMap:
        return self.get("/course", CourseMap)

    def progress(self, pattern_id: str) -> ProgressDetail:
        return self.get(f"/progress/{pattern_id}", ProgressDetail)

    def achievements(self) -> list[AchievementStatus]:
        return self.get_list("/achievements", AchievementStatus)

"""Request bodies of the /v1 learning and review endpoints (their answers are the ports' models).

Every body forbids extra fields: the learner is whoever the access token says, so a `user_id`
(or a limit, a status, a score) in a body is refused instead of being silently ignored.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from patternlift_cli.ports.learning import JudgeSummary

# The curriculum version travels in this header on every learning request (content.version).
CONTENT_HEADER = "PatternLift-Content"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpenSession(_Body):
    pattern_id: str = Field(min_length=1, max_length=100)
    restart: bool = False


class Responses(_Body):
    responses: dict[str, str] | None = None


class Preferences(_Body):
    responses: dict[str, str]


class PreferencesUpdated(BaseModel):
    updated: int


class LessonPosition(_Body):
    page: int = Field(ge=0, le=10_000)


class AnswerRequest(_Body):
    question_id: str = Field(min_length=1, max_length=200)
    response: str = Field(max_length=10_000)
    seconds: float = Field(default=0.0, ge=0, le=86_400)


class RecordRun(_Body):
    """A practice run judged on the learner's machine: the server scores what it reports."""

    problem_id: str = Field(min_length=1, max_length=200)
    report: JudgeSummary
    seconds: float = Field(default=0.0, ge=0, le=86_400)


class Submission(_Body):
    """An assessment solution's source: the server judges it in its own sandbox."""

    problem_id: str = Field(min_length=1, max_length=200)
    source: str = Field(max_length=200_000)
    seconds: float = Field(default=0.0, ge=0, le=86_400)


class ProblemRef(_Body):
    problem_id: str = Field(min_length=1, max_length=200)


class ReviewAnswer(_Body):
    question_id: str = Field(min_length=1, max_length=200)
    response: str = Field(max_length=10_000)


class ReviewRun(_Body):
    report: JudgeSummary


class ReviewFinish(_Body):
    seconds: float = Field(default=0.0, ge=0, le=86_400)

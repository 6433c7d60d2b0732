"""The learning interface: sessions, the four stages, and where the learner stands.

The learner's answers are graded and their runs scored behind this interface, never by the
caller: a remote implementation sends what the learner typed or wrote, and the server decides.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import Field

from patternlift_cli.ports.base import Model

if TYPE_CHECKING:
    from patternlift_cli.ports.reports import (
        AchievementStatus,
        CourseMap,
        NextStep,
        PatternOverview,
        ProgressDetail,
    )


class Unlock(Model):
    id: str
    name: str
    description: str


class Step(Model):
    """Where the session stands after an update, and what the update unlocked."""

    session_id: uuid.UUID
    stage: str                      # a domain.stages name, including "completed"
    level: int
    understanding: Decimal
    current_score: Decimal
    best_score: Decimal
    attempts_count: int
    struggles: list[str] = Field(default_factory=list)
    mastery_scores: dict[str, Decimal] = Field(default_factory=dict)
    unlocked: list[Unlock] = Field(default_factory=list)
    completed: bool = False


class SessionState(Model):
    session_id: uuid.UUID
    pattern_id: str
    pattern_name: str
    stage: str
    level: int
    understanding: Decimal
    persona_type: str
    guidance: dict[str, Any] | None = None   # None until calibrated
    struggles: list[str] = Field(default_factory=list)
    best_score: Decimal = Decimal(0)
    current_score: Decimal = Decimal(0)
    attempts_count: int = 0
    completed_at: datetime | None = None

    @property
    def calibrated(self) -> bool:
        return self.guidance is not None

    def guide(self, key: str, default: Any = None) -> Any:
        return (self.guidance or {}).get(key, default)


class CalibrationOption(Model):
    key: str
    text: str


class CalibrationQuestion(Model):
    id: str
    prompt: str                     # may name the pattern as {pattern}
    options: list[CalibrationOption]


class CalibrationOutcome(Model):
    persona_type: str
    depth: str
    hint_style: str
    step: Step


# ----- introduction ------------------------------------------------------------------------


class LessonPage(Model):
    key: str
    title: str
    body: str


class Lesson(Model):
    pages: list[LessonPage]
    start: int = 0


# ----- questions ------------------------------------------------------------------------------


class QuestionView(Model):
    id: str
    number: int
    total: int
    kind: str                       # multiple_choice | short_answer | recognition
    prompt: str
    choices: list[str] = Field(default_factory=list)  # as shown; empty for short answers


class ReviewItem(Model):
    concept: str
    prompt: str
    correct_text: str
    explanation: str


class CheckResult(Model):
    attempt: int
    score: Decimal
    passed: bool
    correct: int
    total: int
    pass_percent: Decimal
    missed: list[str] = Field(default_factory=list)
    missed_concepts: list[str] = Field(default_factory=list)


class KnowledgeCheck(Model):
    attempt: int
    total: int
    pass_percent: Decimal
    fresh: bool                     # nothing answered yet in this attempt
    questions: list[QuestionView]   # still to answer, in order
    review: list[ReviewItem] | None = None  # missed questions to read before the retry


class AssessmentResult(Model):
    attempt: int
    score: Decimal
    pass_score: Decimal
    passed: bool
    recognition_correct: int
    recognition_total: int
    problem_scores: dict[str, Decimal] = Field(default_factory=dict)


class AnswerFeedback(Model):
    valid: bool                     # False: not one of the choices; nothing was recorded
    correct: bool = False
    explanation: str = ""
    correct_text: str = ""
    others: list[tuple[str, str]] = Field(default_factory=list)   # (option, why) for a deep review
    explain_all: bool = False
    check: CheckResult | None = None
    assessment: AssessmentResult | None = None
    step: Step | None = None


# ----- practice and assessment -----------------------------------------------------------------


class CaseSummary(Model):
    number: int
    status: str
    input: str | None = None
    expected: str | None = None
    actual: str | None = None
    traceback: list[str] = Field(default_factory=list)
    cpu_ms: float | None = None
    note: str | None = None
    output: str = ""
    # The JSON values the comparison saw (the first failure only): what diagnoses read.
    arguments: dict[str, Any] | None = None
    expected_value: Any = None
    actual_value: Any = None


class JudgeSummary(Model):
    """A judge report as it travels: the verdict, every case's status, the first failure's data."""

    problem_id: str
    verdict: str
    message: str
    cases: list[CaseSummary]
    output: str = ""
    output_truncated: bool = False
    duration_seconds: float = 0.0
    cpu_seconds: float = 0.0
    isolation: str = "bwrap"
    notice: str | None = None

    @property
    def total(self) -> int:
        return len(self.cases)

    @property
    def passed_count(self) -> int:
        return sum(1 for case in self.cases if case.status == "passed")

    @property
    def all_passed(self) -> bool:
        return self.verdict == "accepted"

    @property
    def first_failure(self) -> CaseSummary | None:
        return next((case for case in self.cases if case.status != "passed"), None)

    @classmethod
    def of(cls, report: Any) -> JudgeSummary:
        data = report.to_dict() if hasattr(report, "to_dict") else dict(report)
        return cls.model_validate(data)


class PracticeProblem(Model):
    problem_id: str
    level: int
    workspace_file: str
    hints_total: int                    # the ladder, plus a hint about the last failure when one is ready
    hints_used: int
    failure_hint_ready: bool = False
    hint_cost: Decimal
    failed_runs: int
    runs: int
    revealed: bool
    can_reveal: bool
    failed_runs_to_reveal: int
    revealed_cap: Decimal
    recap_template: str | None = None   # the lesson's template, shown again before level 1
    hint_style: str = "direct"
    show_solution_notes: bool = True


class ScoreBreakdown(Model):
    """How a solved problem's score was reached, so a penalty is never a mystery."""

    base: Decimal = Decimal(100)
    hints: int = 0
    hint_cost: Decimal = Decimal(0)
    failed_runs: int = 0
    failed_run_cost: Decimal = Decimal(0)
    revealed_cap: Decimal | None = None
    score: Decimal = Decimal(0)


class RunOutcome(Model):
    report: JudgeSummary
    passed: bool
    score: Decimal
    breakdown: ScoreBreakdown | None = None
    next_label: str | None = None       # what a pass opened ("Hands-on practice, level 2")
    final: bool = False                 # an assessment problem that is handed in
    diagnosis: str | None = None        # the typical mistake the first failing case shows
    assessment: AssessmentResult | None = None
    ai_hint_quality: Decimal | None = None
    step: Step


class HintOutcome(Model):
    number: int                         # the built-in ladder's step (0: a hint about the last failure)
    total: int
    text: str
    style: str
    about_failure: bool = False
    step: Step


class RevealOutcome(Model):
    problem_id: str
    newly_revealed: bool
    step: Step


class AssessmentProblemView(Model):
    problem_id: str
    number: int
    workspace_file: str
    final: bool


class Assessment(Model):
    fresh: bool
    pass_score: Decimal
    problems: list[AssessmentProblemView]
    questions: list[QuestionView]       # still to answer, in order


class HandInOutcome(Model):
    assessment: AssessmentResult | None = None
    step: Step


class Learning(Protocol):
    """The signed-in learner's learning, one transaction per call."""

    def open_session(self, pattern_id: str) -> SessionState: ...
    def restart_session(self, pattern_id: str) -> SessionState: ...
    def questionnaire(self, session_id: uuid.UUID) -> list[CalibrationQuestion]: ...
    def preference_questions(self) -> list[CalibrationQuestion]: ...
    def set_preferences(self, responses: Mapping[str, str]) -> int: ...
    def calibrate(self, session_id: uuid.UUID, responses: Mapping[str, str] | None) -> CalibrationOutcome: ...

    def lesson(self, session_id: uuid.UUID) -> Lesson: ...
    def save_lesson_page(self, session_id: uuid.UUID, page: int) -> None: ...
    def complete_lesson(self, session_id: uuid.UUID) -> Step: ...

    def knowledge_check(self, session_id: uuid.UUID) -> KnowledgeCheck: ...
    def answer(self, session_id: uuid.UUID, question_id: str, response: str, seconds: float) -> AnswerFeedback: ...
    def finish_review(self, session_id: uuid.UUID) -> Step: ...

    def practice(self, session_id: uuid.UUID) -> PracticeProblem: ...
    def run(self, session_id: uuid.UUID, problem_id: str, seconds: float) -> RunOutcome: ...
    def hint(self, session_id: uuid.UUID, problem_id: str) -> HintOutcome: ...
    def reveal(self, session_id: uuid.UUID, problem_id: str) -> RevealOutcome: ...

    def assessment(self, session_id: uuid.UUID) -> Assessment: ...
    def hand_in(self, session_id: uuid.UUID, problem_id: str) -> HandInOutcome: ...

    def patterns(self) -> list[PatternOverview]: ...
    def next_step(self) -> NextStep: ...
    def course_map(self) -> CourseMap: ...
    def progress(self, pattern_id: str) -> ProgressDetail: ...
    def achievements(self) -> list[AchievementStatus]: ...

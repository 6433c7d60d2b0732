"""The learning use cases on a database: the `ports.learning.Learning` interface, locally.

`LocalLearning(db, user_id)` serves one learner. Every method is one transaction (the row is
locked for the update), returns a typed result and prints nothing. The modules beside this one
hold the rules of each part of the loop: sessions (calibration, lesson), knowledge_check,
practice, assessment, completion (mastery records, achievements) and reports.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from patternlift_cli.domain import stages
from patternlift_cli.errors import RefusedError, UsageError

if TYPE_CHECKING:
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
    from patternlift_cli.ports.reports import (
        AchievementStatus,
        CourseMap,
        NextStep,
        PatternOverview,
        ProgressDetail,
    )
    from patternlift_cli.services.learning.records import Work

Clock = Callable[[], datetime]


def _loaded_on_first_use(name: str) -> ModuleType:
    """A part of the loop, imported when first used: `patterns` needs the overview, not the
    ORM rows, the judge, the question pools and the variant generators behind the loop."""
    qualified = f"{__name__}.{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    spec = importlib.util.find_spec(qualified)
    assert spec is not None and spec.loader is not None, qualified
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module


assessment = _loaded_on_first_use("assessment")
completion = _loaded_on_first_use("completion")
knowledge_check = _loaded_on_first_use("knowledge_check")
practice = _loaded_on_first_use("practice")
records = _loaded_on_first_use("records")
reports = _loaded_on_first_use("reports")
sessions = _loaded_on_first_use("sessions")


def utc_now() -> datetime:
    return datetime.now(UTC)


class LocalLearning:
    """`workspace` maps a problem to the learner's file (written with its starter when missing);
    the server passes one that only names the path, since the file lives on the learner's machine.
    """

    def __init__(
        self,
        db: Any,
        user_id: uuid.UUID,
        *,
        clock: Clock = utc_now,
        workspace: Callable[[Any], Path] | None = None,
        catalog_synced: bool = False,
    ) -> None:
        self.db = db
        self.user_id = user_id
        self.clock = clock
        self.workspace = workspace or prepare_workspace
        self._patterns_synced = catalog_synced

    # ----- plumbing ------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise UsageError("A naive datetime was given; PatternLift works in timezone-aware UTC.")
        return now.astimezone(UTC)

    @contextmanager
    def _update(self, session_id: uuid.UUID) -> Iterator[Work]:
        """One locked update of the session: saved, then achievements, then committed."""
        with records.work(self.db, self.user_id, session_id, self._now()) as unit:
            yield unit
            unit.save()
            completion.award_achievements(unit, _course_ids())

    def _sync_patterns(self) -> None:
        # learning_sessions.pattern_id references patterns: the catalogue goes in first.
        if not self._patterns_synced:
            from patternlift_cli.services.catalog import sync_patterns

            sync_patterns(self.db)
            self._patterns_synced = True

    def _session_state(self, pattern_id: str, *, restart: bool) -> SessionState:
        from patternlift_cli.content.loader import get_pattern

        pattern = get_pattern(pattern_id)
        self._sync_patterns()
        now = self._now()
        with self.db.session(write=True) as session:
            reset = sessions.reset_row if restart else sessions.open_row
            row = reset(session, self.user_id, pattern.id, now)
            return records.state_view(row, pattern, records.calibration_of(session, self.user_id, pattern.id))

    # ----- sessions ------------------------------------------------------------------------

    def open_session(self, pattern_id: str) -> SessionState:
        return self._session_state(pattern_id, restart=False)

    def restart_session(self, pattern_id: str) -> SessionState:
        return self._session_state(pattern_id, restart=True)

    def questionnaire(self, session_id: uuid.UUID) -> list[CalibrationQuestion]:
        """The calibration questions a new pattern asks (learner-level ones only the first time)."""
        with records.work(self.db, self.user_id, session_id, self._now()) as unit:
            return sessions.questionnaire(unit.session, self.user_id)

    def preference_questions(self) -> list[CalibrationQuestion]:
        return sessions.preference_questions()

    def set_preferences(self, responses: Mapping[str, str]) -> int:
        """Redo the learner-level calibration; returns how many patterns' guidance changed."""
        with self.db.session(write=True) as session:
            return sessions.apply_preferences(session, self.user_id, responses, self._now())

    def calibrate(self, session_id: uuid.UUID, responses: Mapping[str, str] | None) -> CalibrationOutcome:
        with self._update(session_id) as unit:
            result = sessions.calibrate(unit, responses)
        from patternlift_cli.ports.learning import CalibrationOutcome

        config = result.guidance_config
        return CalibrationOutcome(
            persona_type=result.persona_type, depth=config["depth"], hint_style=config["hint_style"], step=unit.step()
        )

    # ----- introduction --------------------------------------------------------------------

    def lesson(self, session_id: uuid.UUID) -> Lesson:
        with records.work(self.db, self.user_id, session_id, self._now()) as unit:
            return sessions.lesson(unit)

    def save_lesson_page(self, session_id: uuid.UUID, page: int) -> None:
        with records.work(self.db, self.user_id, session_id, self._now()) as unit:
            sessions.save_page(unit, page)
            unit.save()

    def complete_lesson(self, session_id: uuid.UUID) -> Step:
        with self._update(session_id) as unit:
            sessions.complete_lesson(unit)
        return unit.step()

    # ----- knowledge check -----------------------------------------------------------------

    def knowledge_check(self, session_id: uuid.UUID) -> KnowledgeCheck:
        with records.work(self.db, self.user_id, session_id, self._now()) as unit:
            check = knowledge_check.current(unit)
            unit.save()  # the attempt's questions are drawn once and kept
            return check

    def answer(self, session_id: uuid.UUID, question_id: str, response: str, seconds: float) -> AnswerFeedback:
        with self._update(session_id) as unit:
            if unit.position.stage == stages.MASTERY_ASSESSMENT:
                feedback = assessment.answer(unit, question_id, response, seconds)
            else:
                feedback = knowledge_check.answer(unit, question_id, response, seconds)
            if not feedback.valid:
                return feedback  # nothing recorded; the transaction changes nothing
        return feedback.model_copy(update={"step": unit.step()})

    def finish_review(self, session_id: uuid.UUID) -> Step:
        with self._update(session_id) as unit:
            knowledge_check.finish_review(unit)
        return unit.step()

    # ----- practice and assessment -----------------------------------------------------------

    def practice(self, session_id: uuid.UUID) -> PracticeProblem:
        with records.work(self.db, self.user_id, session_id, self._now()) as unit:
            problem = unit.pattern.practice_problem(unit.position.level) if unit.position.stage == stages.HANDS_ON_PRACTICE else None
            return practice.current(unit, str(self.workspace(problem)) if problem else "")

    def assessment(self, session_id: uuid.UUID) -> Assessment:
        with records.work(self.db, self.user_id, session_id, self._now()) as unit:
            return assessment.current(unit, lambda problem: str(self.workspace(problem)))

    def run(self, session_id: uuid.UUID, problem_id: str, seconds: float) -> RunOutcome:
        """Judge the learner's workspace file for the problem and record the run."""
        from patternlift_cli.content.loader import get_problem

        return self.submit(session_id, problem_id, read_solution(get_problem(problem_id)), seconds)

    def submit(self, session_id: uuid.UUID, problem_id: str, source: str, seconds: float) -> RunOutcome:
        """Judge `source` here (the server does this for the assessment) and record the run."""
        from patternlift_cli.content.loader import get_problem
        from patternlift_cli.ports.learning import JudgeSummary
        from patternlift_cli.practice.judge import judge_source
        from patternlift_cli.practice.workspace import starter_code

        problem = get_problem(problem_id)
        if source.strip() == starter_code(problem).strip():
            raise RefusedError(
                "The file is still the starter code: write your solution in it first. Nothing was recorded."
            )
        report = JudgeSummary.of(judge_source(problem, source))
        return self.record_run(session_id, problem_id, report, seconds)

    def record_run(
        self, session_id: uuid.UUID, problem_id: str, report: JudgeSummary, seconds: float, *, reported: bool = False
    ) -> RunOutcome:
        """Record a judged run: practice runs are judged where the learner is, this scores them.

        `reported`: the report comes from the learner's machine (connected mode). Such a report
        is taken for practice only: mastery is granted on a verdict this side reached itself.
        """
        from patternlift_cli.ports.learning import RunOutcome

        with self._update(session_id) as unit:
            stage = unit.position.stage
            if stage == stages.HANDS_ON_PRACTICE:
                result = practice.record_run(unit, problem_id, report, seconds)
            elif stage == stages.MASTERY_ASSESSMENT and reported:
                raise RefusedError(
                    "During the mastery assessment the server judges your solution itself; "
                    "a report judged elsewhere is not recorded."
                )
            elif stage == stages.MASTERY_ASSESSMENT:
                result = assessment.record_run(unit, problem_id, report, seconds)
            elif stage == stages.COMPLETED:
                raise RefusedError("This pattern is already mastered; `learn --restart` starts it over.")
            else:
                raise RefusedError(f"No problems are judged during {unit.position.label().lower()}.")
        return RunOutcome(report=report, step=unit.step(), **result)

    def hint(self, session_id: uuid.UUID, problem_id: str) -> HintOutcome:
        with self._update(session_id) as unit:
            outcome = practice.hint(unit, problem_id)
        return outcome.model_copy(update={"step": unit.step()})

    def reveal(self, session_id: uuid.UUID, problem_id: str) -> RevealOutcome:
        with self._update(session_id) as unit:
            outcome = practice.reveal(unit, problem_id)
        return outcome.model_copy(update={"step": unit.step()})

    def hand_in(self, session_id: uuid.UUID, problem_id: str) -> HandInOutcome:
        from patternlift_cli.ports.learning import HandInOutcome

        with self._update(session_id) as unit:
            result = assessment.hand_in(unit, problem_id)
        return HandInOutcome(assessment=result, step=unit.step())

    def await_hint_outcome(self, session_id: uuid.UUID, problem_id: str, interaction_id: uuid.UUID) -> None:
        with records.work(self.db, self.user_id, session_id, self._now()) as unit:
            practice.await_hint_outcome(unit, problem_id, interaction_id)
            unit.save()

    # ----- where the learner stands ----------------------------------------------------------

    def patterns(self) -> list[PatternOverview]:
        from patternlift_cli.services.learning import overview

        with self.db.connection() as connection:
            return overview.patterns_overview(connection, self.user_id)

    def next_step(self) -> NextStep:
        return self.course_map().next_step

    def course_map(self) -> CourseMap:
        from patternlift_cli.domain.recommend import recommend
        from patternlift_cli.ports.reports import CourseMap, NextStep
        from patternlift_cli.services.learning import overview

        now = self._now()
        with self.db.connection() as connection:
            rows = overview.patterns_overview(connection, self.user_id)
            streak = overview.streak_days(connection, self.user_id, now.date())
        due = sorted((row.review_due_at, row.id) for row in rows if row.review_due_at and row.review_due_at <= now)
        advice = recommend(rows, [(pattern_id, when) for when, pattern_id in due])
        return CourseMap(
            patterns=rows, reviews_due=len(due), streak_days=streak,
            next_step=NextStep(command=advice.command, pattern_id=advice.pattern_id, reason=advice.reason),
        )

    def progress(self, pattern_id: str) -> ProgressDetail:
        from patternlift_cli.content.loader import get_pattern

        pattern = get_pattern(pattern_id)
        with self.db.session() as session:
            return reports.progress_detail(session, self.user_id, pattern)

    def achievements(self) -> list[AchievementStatus]:
        with self.db.session() as session:
            return reports.achievements(session, self.user_id)

    def calculate_mastery_score(self, pattern_id: str) -> Decimal:
        """The seed's `calculate_mastery_score(p_user_id, p_pattern_id) -> numeric`."""
        with self.db.session() as session:
            return reports.calculate_mastery_score(session, self.user_id, pattern_id)


def _course_ids() -> frozenset[str]:
    from patternlift_cli.content.loader import list_patterns

    return frozenset(pattern.id for pattern in list_patterns())


def prepare_workspace(problem: Any) -> Path:
    """The learner's file for the problem; the starter is written only if none exists yet."""
    from patternlift_cli.practice.workspace import workspace_file, write_starter

    path = Path(workspace_file(problem))
    if not path.exists():
        path = Path(write_starter(problem) or path)
    return path


def read_solution(problem: Any) -> str:
    """The learner's workspace file for the problem (a pipe or a folder there is refused)."""
    from patternlift_cli.practice.judge import read_solution as read
    from patternlift_cli.practice.workspace import workspace_file

    return read(problem, workspace_file(problem))

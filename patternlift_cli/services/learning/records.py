"""A learning session as one step sees it: the locked row, its typed progress, and the write.

Every update of the learning use cases is one `Work`: load the session row (locked for
update), its `StageProgress` and `ProgressState`; change them; `save()` writes the row back and
appends the step's attempts to `learning_attempts`. Reading the history is never part of a
step, so a step costs the same after 5,000 attempts as after none.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, select

from patternlift_cli.db.models import LearningAttempt, LearningSession, UserCalibration
from patternlift_cli.db.types import LearningStage
from patternlift_cli.domain import progress as rules
from patternlift_cli.domain import stages
from patternlift_cli.domain.knowledge import learn_from
from patternlift_cli.domain.progress import Evidence, ProgressState
from patternlift_cli.domain.session_state import StageProgress
from patternlift_cli.domain.stages import Position
from patternlift_cli.errors import UsageError
from patternlift_cli.ports.learning import SessionState, Step, Unlock

if TYPE_CHECKING:
    from patternlift_cli.content.models import Pattern
    from patternlift_cli.db.unit import Database

# How many recent attempts `learning_sessions.attempt_history` keeps (docs/SCHEMA.md).
HISTORY_WINDOW = 20

_sessions = LearningSession.__table__
_attempts = LearningAttempt.__table__
# Every column a step may change, written together by `Work.save` (one statement shape).
_WRITTEN = (
    "current_stage", "current_level", "stage_progress", "understanding_level", "attempt_history",
    "struggle_indicators", "mastery_scores", "best_score", "current_score", "attempts_count",
    "persona_type", "is_active", "completed_at", "updated_at",
)


def stage_of(row: LearningSession) -> str:
    if row.completed_at is not None:
        return stages.COMPLETED
    stage = row.current_stage
    return stage.value if isinstance(stage, LearningStage) else str(stage or stages.INTRODUCTION)


def position_of(row: LearningSession) -> Position:
    return Position(stage_of(row), row.current_level or 1)


def calibration_of(session: Session, user_id: uuid.UUID, pattern_id: str) -> UserCalibration | None:
    return session.exec(
        select(UserCalibration).where(UserCalibration.user_id == user_id, UserCalibration.pattern_id == pattern_id)
    ).first()


def session_row(session: Session, user_id: uuid.UUID, pattern_id: str) -> LearningSession | None:
    return session.exec(
        select(LearningSession).where(LearningSession.user_id == user_id, LearningSession.pattern_id == pattern_id)
    ).first()


def state_view(row: LearningSession, pattern: Pattern, calibration: UserCalibration | None) -> SessionState:
    return SessionState(
        session_id=row.id,
        pattern_id=pattern.id,
        pattern_name=pattern.name,
        stage=stage_of(row),
        level=row.current_level or 1,
        understanding=Decimal(row.understanding_level if row.understanding_level is not None else 50),
        persona_type=row.persona_type or "balanced_learner",
        guidance=dict(calibration.guidance_config) if calibration else None,
        struggles=list(row.struggle_indicators or ()),
        best_score=Decimal(row.best_score or 0),
        current_score=Decimal(row.current_score or 0),
        attempts_count=row.attempts_count or 0,
        completed_at=row.completed_at,
    )


@dataclass
class Work:
    """One update of one session, inside its transaction."""

    session: Session
    row: LearningSession
    pattern: Pattern
    now: datetime
    progress: StageProgress
    state: ProgressState
    appended: list[dict[str, Any]] = field(default_factory=list)
    unlocked: list[Unlock] = field(default_factory=list)
    _calibration: Any = field(default=None, repr=False)
    calibration_written: bool = False
    achievement_inputs_at_load: tuple[Any, ...] = ()

    @property
    def user_id(self) -> uuid.UUID:
        return self.row.user_id  # type: ignore[return-value]

    @property
    def position(self) -> Position:
        return position_of(self.row)

    def calibration(self) -> UserCalibration | None:
        if self._calibration is None:
            self._calibration = calibration_of(self.session, self.user_id, self.pattern.id) or False
        return self._calibration or None

    def forget_calibration(self) -> None:
        """The step wrote the calibration: read it again, and check achievements after."""
        self._calibration = None
        self.calibration_written = True

    def achievement_inputs(self) -> tuple[Any, ...]:
        """What the achievement rules read from this session (the calibration aside: see
        `calibration_written`). A step that leaves it unchanged can unlock nothing new: every
        update checks achievements, so what these facts earn was awarded when they arose."""
        state, progress = self.state, self.progress
        return (
            state.perfect_check,
            state.best_recognition_streak,
            frozenset(state.problems.items()),
            frozenset(progress.practice),
            progress.introduction.done,
            self.row.completed_at is not None,
            progress.mastery.passed_score,
        )

    def guidance(self, key: str, default: Any = None) -> Any:
        calibration = self.calibration()
        return (calibration.guidance_config or {}).get(key, default) if calibration else default

    def apply(self, evidence: Evidence) -> None:
        self.progress.knowledge = learn_from(self.progress.knowledge, evidence, self.state.tally(evidence.item))
        self.state, record = rules.apply_evidence(self.state, evidence, self.now)
        if record is not None:
            self.appended.append(record)

    def move(self, position: Position) -> None:
        if position.is_completed:
            return  # completion is written by completion.complete_pattern, with its records
        self.row.current_stage = LearningStage(position.stage)
        self.row.current_level = position.level

    def save(self) -> None:
        """Write the session back and append this step's attempts."""
        row, state, progress = self.row, self.state, self.progress
        progress.problems = dict(state.problems)
        progress.answers = dict(state.answers)
        progress.time_spent_seconds = state.time_spent_seconds
        progress.recognition_streak = state.recognition_streak
        progress.best_recognition_streak = state.best_recognition_streak
        progress.perfect_check = state.perfect_check
        row.stage_progress = progress.dump()
        row.understanding_level = state.understanding
        row.struggle_indicators = list(state.struggles)
        row.best_score = state.best_score
        row.current_score = state.current_score
        row.attempts_count = state.attempts_count
        row.mastery_scores = dict(state.mastery_scores)
        row.updated_at = self.now
        attempts = [attempt_row(row.id, self.user_id, record) for record in self.appended]
        if attempts:
            row.attempt_history = [*(row.attempt_history or ()), *self.appended][-HISTORY_WINDOW:]
            self.appended = []
        # Core, not the ORM's flush (the row is not in the ORM session: see `work`): the same
        # columns, a statement built once per shape, a fraction of the unit of work's cost.
        params: dict[str, Any] = {f"saved_{name}": getattr(row, name) for name in _WRITTEN}
        params["saved_id"] = row.id
        connection = self.session.connection()
        if attempts and connection.dialect.name == "postgresql":
            # One round trip: the row's UPDATE is a CTE of the attempts' INSERT.
            for number, attempt in enumerate(attempts):
                params.update({f"a{number}_{name}": value for name, value in attempt.items()})
            connection.execute(_saved_with_attempts(len(attempts)), params)
        else:
            connection.execute(_SAVE, params)
            if attempts:
                connection.execute(sa.insert(_attempts), attempts)
        self.session.flush()  # what else the step wrote through the ORM (a calibration, a mastery record)

    def step(self) -> Step:
        row = self.row
        return Step(
            session_id=row.id,
            stage=stage_of(row),
            level=row.current_level or 1,
            understanding=Decimal(row.understanding_level or 0),
            current_score=Decimal(row.current_score or 0),
            best_score=Decimal(row.best_score or 0),
            attempts_count=row.attempts_count or 0,
            struggles=list(row.struggle_indicators or ()),
            mastery_scores={key: Decimal(str(value)) for key, value in (row.mastery_scores or {}).items()},
            unlocked=list(self.unlocked),
            completed=row.completed_at is not None,
        )


_SAVE = sa.update(_sessions).where(_sessions.c.id == sa.bindparam("saved_id", type_=_sessions.c.id.type)).values(
    {name: sa.bindparam(f"saved_{name}", type_=_sessions.c[name].type) for name in _WRITTEN}
)


@lru_cache(maxsize=8)
def _saved_with_attempts(count: int) -> sa.Insert:
    """INSERT of `count` attempts (bound `a<i>_<column>`), the session's UPDATE and the other
    attempts' INSERTs in CTEs: one statement SQLAlchemy can cache (a multi-row VALUES it cannot)."""

    def insert(number: int) -> sa.Insert:
        return sa.insert(_attempts).values(
            {name: sa.bindparam(f"a{number}_{name}", type_=_attempts.c[name].type) for name in _ATTEMPT_COLUMNS}
        )

    others = [insert(number).returning(_attempts.c.id).cte(f"attempt_{number}") for number in range(count - 1)]
    return insert(count - 1).add_cte(_SAVE.returning(_sessions.c.id).cte("saved"), *others)


def progress_state(row: LearningSession, progress: StageProgress) -> ProgressState:
    return ProgressState(
        understanding=Decimal(row.understanding_level if row.understanding_level is not None else 50),
        struggles=tuple(row.struggle_indicators or ()),
        problems=dict(progress.problems),
        answers=dict(progress.answers),
        best_score=Decimal(row.best_score or 0),
        current_score=Decimal(row.current_score or 0),
        attempts_count=row.attempts_count or 0,
        mastery_scores=dict(row.mastery_scores or {}),
        time_spent_seconds=progress.time_spent_seconds,
        recognition_streak=progress.recognition_streak,
        best_recognition_streak=progress.best_recognition_streak,
        perfect_check=progress.perfect_check,
    )


_ATTEMPT_COLUMNS = (
    "id", "session_id", "user_id", "kind", "stage", "level", "item", "score", "passed", "hints", "duration_seconds",
    "concept", "question_kind", "cases_passed", "cases_total", "details", "created_at",
)


def attempt_row(session_id: uuid.UUID, user_id: uuid.UUID, record: dict[str, Any]) -> dict[str, Any]:
    def number(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    return {
        "id": uuid.uuid4(),
        "session_id": session_id,
        "user_id": user_id,
        "kind": record["kind"],
        "stage": record["stage"],
        "level": record["level"],
        "item": record["item"],
        "score": number(record.get("score")),
        "passed": record.get("passed"),
        "hints": record.get("hints") or 0,
        "duration_seconds": number(record.get("duration_seconds")) or Decimal(0),
        "concept": record.get("concept"),
        "question_kind": record.get("question_kind"),
        "cases_passed": record.get("cases_passed"),
        "cases_total": record.get("cases_total"),
        "details": {"missed_concepts": record["missed_concepts"]} if record.get("missed_concepts") else {},
        "created_at": datetime.fromisoformat(record["at"]),
    }


@contextmanager
def work(db: Database, user_id: uuid.UUID, session_id: uuid.UUID, now: datetime) -> Iterator[Work]:
    """Lock the learner's session and yield it as a `Work`; the transaction commits after."""
    from patternlift_cli.content.loader import get_pattern

    with db.session(write=True) as session:
        # The calibration comes along (most steps read the guidance): one round trip, not two.
        found = session.exec(
            select(LearningSession, UserCalibration)
            .outerjoin(
                UserCalibration,
                sa.and_(
                    UserCalibration.user_id == LearningSession.user_id,
                    UserCalibration.pattern_id == LearningSession.pattern_id,
                ),
            )
            .where(LearningSession.id == session_id)
            .with_for_update(of=LearningSession)
        ).first()
        row, calibration = found if found is not None else (None, None)
        if row is None or row.user_id != user_id:
            raise UsageError("That learning session does not exist for this learner.")
        session.expunge(row)  # `Work.save` writes it (with Core); the ORM must not flush it too
        progress = StageProgress.load(row.stage_progress, row.attempt_history or ())
        unit = Work(session, row, get_pattern(row.pattern_id or ""), now, progress, progress_state(row, progress))
        unit._calibration = calibration or False  # False: looked up, and there is none
        unit.achievement_inputs_at_load = unit.achievement_inputs()
        yield unit

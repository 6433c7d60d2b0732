"""Opening, restarting and calibrating a session, and its introduction (the lesson)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session

from patternlift_cli.db.models import LearningSession, UserCalibration
from patternlift_cli.db.types import LearningStage
from patternlift_cli.domain import calibration as calibration_rules
from patternlift_cli.domain import progress as rules
from patternlift_cli.domain import stages
from patternlift_cli.domain.lesson import SECTION_HEADINGS, lesson_pages
from patternlift_cli.ports.learning import CalibrationOption, CalibrationQuestion, Lesson, LessonPage
from patternlift_cli.services.learning.records import Work, calibration_of, session_row


def open_row(session: Session, user_id: uuid.UUID, pattern_id: str, now: datetime) -> LearningSession:
    """The learner's session for the pattern, created at the introduction if new."""
    row = session_row(session, user_id, pattern_id)
    if row is None:
        row = LearningSession(user_id=user_id, pattern_id=pattern_id, created_at=now, updated_at=now)
        session.add(row)
        session.flush()
    return row


def reset_row(session: Session, user_id: uuid.UUID, pattern_id: str, now: datetime) -> LearningSession:
    """Start the pattern over. Calibration, achievements and mastery already earned stay."""
    import sqlalchemy as sa

    from patternlift_cli.db.models import LearningAttempt

    row = open_row(session, user_id, pattern_id, now)
    session.execute(sa.delete(LearningAttempt).where(LearningAttempt.session_id == row.id))
    row.current_stage = LearningStage.introduction
    row.current_level = 1
    row.stage_progress = {}
    row.understanding_level = rules.UNDERSTANDING_START
    row.attempt_history = []
    row.struggle_indicators = []
    row.mastery_scores = {}
    row.best_score = Decimal(0)
    row.current_score = Decimal(0)
    row.attempts_count = 0
    row.is_active = True
    row.completed_at = None
    row.updated_at = now
    session.flush()
    return row


def questionnaire() -> list[CalibrationQuestion]:
    return [
        CalibrationQuestion(
            id=question.id,
            prompt=question.prompt,
            options=[CalibrationOption(key=option.key, text=option.text) for option in question.options],
        )
        for question in calibration_rules.QUESTIONS
    ]


def calibrate(work: Work, responses: Mapping[str, str] | None) -> calibration_rules.CalibrationResult:
    """Store (or replace) the learner's calibration for the pattern; None means skipped."""
    result = calibration_rules.calibrate(responses) if responses is not None else calibration_rules.default_calibration()
    calibration = calibration_of(work.session, work.user_id, work.pattern.id)
    if calibration is None:
        calibration = UserCalibration(
            user_id=work.user_id,
            pattern_id=work.pattern.id,
            persona_type=result.persona_type,
            total_score=result.total_score,
            responses=dict(result.responses),
            guidance_config=dict(result.guidance_config),
            created_at=work.now,
        )
        work.session.add(calibration)
    else:
        calibration.persona_type = result.persona_type
        calibration.total_score = result.total_score
        calibration.responses = dict(result.responses)
        calibration.guidance_config = dict(result.guidance_config)
    calibration.updated_at = work.now
    work.row.persona_type = result.persona_type
    work.forget_calibration()
    return result


def lesson(work: Work) -> Lesson:
    pages = lesson_pages(work.pattern.lesson.sections, work.guidance("lesson_sections"))
    return Lesson(
        pages=[LessonPage(key=key, title=SECTION_HEADINGS.get(key, key), body=body) for key, body in pages],
        start=work.progress.introduction.page,
    )


def save_page(work: Work, page: int) -> None:
    work.progress.introduction.page = max(0, page)


def complete_lesson(work: Work) -> None:
    """The introduction is read: on to the knowledge check."""
    if work.position.stage != stages.INTRODUCTION:
        return
    work.progress.introduction.done = True
    work.move(stages.after_lesson(work.position))

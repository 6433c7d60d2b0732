"""Opening, restarting and calibrating a session, and its introduction (the lesson)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select

from patternlift_cli.db.models import LearningSession, UserCalibration, UserProfile
from patternlift_cli.db.types import LearningStage
from patternlift_cli.domain import calibration as calibration_rules
from patternlift_cli.domain import progress as rules
from patternlift_cli.domain import stages
from patternlift_cli.domain.lesson import SECTION_HEADINGS, lesson_pages
from patternlift_cli.errors import UsageError
from patternlift_cli.ports.learning import (
    CalibrationOption,
    CalibrationQuestion,
    Lesson,
    LessonPage,
)
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


def _views(questions: list[calibration_rules.Question]) -> list[CalibrationQuestion]:
    return [
        CalibrationQuestion(
            id=question.id,
            prompt=question.prompt,
            options=[CalibrationOption(key=option.key, text=option.text) for option in question.options],
        )
        for question in questions
    ]


def stored_preferences(session: Session, user_id: uuid.UUID) -> dict[str, str]:
    """The learner-level calibration answers, asked once per learner."""
    profile = session.get(UserProfile, user_id)
    answers = ((profile.learning_preferences if profile else None) or {}).get("calibration") or {}
    return {key: str(value) for key, value in answers.items() if key in calibration_rules.LEARNER_QUESTION_IDS}


def questionnaire(session: Session, user_id: uuid.UUID) -> list[CalibrationQuestion]:
    """What a new pattern asks: about the pattern, and about the learner only the first time."""
    known = stored_preferences(session, user_id)
    wanted = calibration_rules.PATTERN_QUESTION_IDS
    if any(key not in known for key in calibration_rules.LEARNER_QUESTION_IDS):
        wanted = calibration_rules.LEARNER_QUESTION_IDS + wanted
    return _views(calibration_rules.questions(wanted))


def preference_questions() -> list[CalibrationQuestion]:
    return _views(calibration_rules.questions(calibration_rules.LEARNER_QUESTION_IDS))


def store_preferences(session: Session, user_id: uuid.UUID, responses: Mapping[str, str], now: datetime) -> None:
    learner_answers = {key: value for key, value in responses.items() if key in calibration_rules.LEARNER_QUESTION_IDS}
    if not learner_answers:
        return
    profile = session.get(UserProfile, user_id)
    if profile is None:
        raise UsageError("That learner no longer exists.")
    preferences = dict(profile.learning_preferences or {})
    preferences["calibration"] = {**(preferences.get("calibration") or {}), **learner_answers}
    profile.learning_preferences = preferences
    profile.updated_at = now


def apply_preferences(session: Session, user_id: uuid.UUID, responses: Mapping[str, str], now: datetime) -> int:
    """`patternlift calibrate`: new learner-level answers, and every pattern's guidance from them."""
    for question in calibration_rules.questions(calibration_rules.LEARNER_QUESTION_IDS):
        if question.option(str(responses.get(question.id, ""))) is None:
            raise UsageError(f"No valid answer for the calibration question '{question.id}'.")
    store_preferences(session, user_id, responses, now)
    rows = session.exec(select(UserCalibration).where(UserCalibration.user_id == user_id)).all()
    updated = 0
    for calibration in rows:
        if "skipped" in (calibration.responses or {}):
            continue
        result = calibration_rules.calibrate({**calibration.responses, **responses})
        _store(calibration, result, now)
        row = session_row(session, user_id, calibration.pattern_id)
        if row is not None:
            row.persona_type = result.persona_type
        updated += 1
    return updated


def _store(calibration: UserCalibration, result: calibration_rules.CalibrationResult, now: datetime) -> None:
    calibration.persona_type = result.persona_type
    calibration.total_score = result.total_score
    calibration.responses = dict(result.responses)
    calibration.guidance_config = dict(result.guidance_config)
    calibration.updated_at = now


def calibrate(work: Work, responses: Mapping[str, str] | None) -> calibration_rules.CalibrationResult:
    """Store (or replace) the learner's calibration for the pattern; None means skipped.

    The learner-level answers come from the learner's preferences when not given again."""
    if responses is None:
        result = calibration_rules.default_calibration()
    else:
        store_preferences(work.session, work.user_id, responses, work.now)
        result = calibration_rules.calibrate({**stored_preferences(work.session, work.user_id), **responses})
    calibration = calibration_of(work.session, work.user_id, work.pattern.id)
    if calibration is None:
        calibration = UserCalibration(
            user_id=work.user_id, pattern_id=work.pattern.id, persona_type=result.persona_type,
            total_score=result.total_score, responses={}, guidance_config={}, created_at=work.now,
        )
        work.session.add(calibration)
    _store(calibration, result, work.now)
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

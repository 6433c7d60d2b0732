"""After every update: the mastery record a passed assessment writes, and achievements.

Run at the end of each learning update, inside its transaction, so an achievement and the
evidence that earned it are committed together (or not at all).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select

from patternlift_cli.db.models import PatternProgress, UserAchievement, UserCalibration
from patternlift_cli.db.upsert import insert_ignoring_duplicates
from patternlift_cli.domain import achievements as achievement_rules
from patternlift_cli.domain import scoring
from patternlift_cli.domain.progress import ProgressState
from patternlift_cli.ports.learning import Unlock
from patternlift_cli.services.learning.records import Work
from patternlift_cli.services.learning.review import schedule_first_review


def mastery_score(state: ProgressState) -> Decimal:
    """calculate_mastery_score's figure for a session (docs/LEARNING.md)."""
    return scoring.overall_mastery(scoring.mastery_dimensions(state.answers, state.problems), state.understanding)


def complete_pattern(work: Work, assessment_score: Decimal) -> None:
    """A passed mastery assessment: the only way a pattern is completed."""
    row, now = work.row, work.now
    row.completed_at = now
    row.is_active = False
    work.progress.mastery.passed_score = assessment_score
    figure = mastery_score(work.state)
    time_spent = int(work.state.time_spent_seconds)
    schedule_first_review(work.session, work.user_id, work.pattern.id, now)
    existing = work.session.exec(
        select(PatternProgress).where(PatternProgress.user_id == row.user_id, PatternProgress.pattern_id == row.pattern_id)
    ).first()
    if existing is None:
        work.session.add(
            PatternProgress(
                user_id=row.user_id,  # type: ignore[arg-type]
                pattern_id=row.pattern_id or "",
                session_id=row.id,
                mastery_score=figure,
                assessment_score=assessment_score,
                attempts_count=row.attempts_count or 0,
                time_spent_seconds=time_spent,
                mastered_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        return
    # Mastered before and again after a restart: keep the first date, the better scores.
    existing.session_id = row.id
    existing.mastery_score = max(Decimal(existing.mastery_score), figure)
    existing.assessment_score = max(Decimal(existing.assessment_score), assessment_score)
    existing.attempts_count = row.attempts_count or 0
    existing.time_spent_seconds = time_spent
    existing.updated_at = now


def answered_questionnaire(calibration: UserCalibration | None) -> bool:
    # `--skip-calibration` stores balanced_learner with {"skipped": "true"}: not a questionnaire.
    return calibration is not None and "skipped" not in (calibration.responses or {})


def award_achievements(work: Work, course_pattern_ids: frozenset[str]) -> None:
    """Unlock what the session now earns; each achievement once per learner, ever."""
    if not work.calibration_written and work.achievement_inputs() == work.achievement_inputs_at_load:
        return  # nothing a rule reads changed: skip the two reads below (most answers)
    session, user_id, state, progress = work.session, work.user_id, work.state, work.progress
    session.flush()
    mastered = frozenset(
        session.exec(select(PatternProgress.pattern_id).where(PatternProgress.user_id == user_id)).all()
    )
    facts = achievement_rules.LearnerFacts(
        pattern_id=work.pattern.id,
        perfect_knowledge_check=state.perfect_check,
        best_recognition_streak=state.best_recognition_streak,
        problems=state.problems,
        practice_levels_passed=tuple(progress.practice),
        calibrated=answered_questionnaire(work.calibration()),
        introduction_done=progress.introduction.done,
        pattern_completed=work.row.completed_at is not None,
        assessment_score=float(progress.mastery.passed_score) if progress.mastery.passed_score is not None else None,
        mastered_pattern_ids=mastered,
        course_pattern_ids=course_pattern_ids,
    )
    held = session.exec(select(UserAchievement.achievement_id).where(UserAchievement.user_id == user_id)).all()
    for unlock in achievement_rules.evaluate(facts, held):
        _insert_achievement(session, user_id, unlock, work.now)
        work.unlocked.append(Unlock(id=unlock.achievement_id, name=unlock.name, description=unlock.description))


def _insert_achievement(session: Session, user_id: uuid.UUID, unlock: achievement_rules.Unlock, now: datetime) -> None:
    # Unique per (user, achievement): a concurrent unlock elsewhere is not an error.
    session.execute(
        insert_ignoring_duplicates(
            UserAchievement.__table__,
            session.get_bind().dialect.name,
            ["user_id", "achievement_id"],
            {
                "id": uuid.uuid4(),
                "user_id": user_id,
                "achievement_id": unlock.achievement_id,
                "achievement_name": unlock.name,
                "achievement_data": {**unlock.data, "description": unlock.description},
                "unlocked_at": now,
                "created_at": now,
            },
        )
    )

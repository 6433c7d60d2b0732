"""Where the learner stands: one pattern's progress, achievements (the course overview is
`overview.py`, on Core).

Reads select only the columns they show; a pattern's attempt history is read from its own
table, newest first, up to a limit the caller sees.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from patternlift_cli.db.models import (
    LearningAttempt,
    LearningSession,
    PatternProgress,
    UserAchievement,
)
from patternlift_cli.domain import achievements as achievement_rules
from patternlift_cli.domain.knowledge import pattern_figure
from patternlift_cli.domain.session_state import StageProgress
from patternlift_cli.domain.struggles import describe_struggle
from patternlift_cli.ports.reports import (
    AchievementStatus,
    Attempt,
    ConceptEstimate,
    ProgressDetail,
)
from patternlift_cli.services.learning.completion import mastery_score
from patternlift_cli.services.learning.overview import review_schedule, stage_name
from patternlift_cli.services.learning.records import progress_state

ATTEMPTS_SHOWN = 200


def progress_detail(session: Session, user_id: uuid.UUID, pattern: object) -> ProgressDetail:
    pattern_id, name = pattern.id, pattern.name  # type: ignore[attr-defined]
    titles = {problem.id: problem.title for problem in pattern.problems}  # type: ignore[attr-defined]
    row = session.exec(
        select(LearningSession).where(LearningSession.user_id == user_id, LearningSession.pattern_id == pattern_id)
    ).first()
    record = session.exec(
        select(PatternProgress).where(PatternProgress.user_id == user_id, PatternProgress.pattern_id == pattern_id)
    ).first()
    if row is None:
        return ProgressDetail(pattern_id=pattern_id, pattern_name=name, started=False, mastered=record is not None)
    stored = StageProgress.load(row.stage_progress, row.attempt_history or ())
    state = progress_state(row, stored)
    attempts = session.exec(
        select(LearningAttempt)
        .where(LearningAttempt.session_id == row.id)
        .order_by(LearningAttempt.created_at.desc(), LearningAttempt.id)
        .limit(ATTEMPTS_SHOWN)
    ).all()
    recorded = session.execute(
        sa.select(sa.func.count()).select_from(LearningAttempt).where(LearningAttempt.session_id == row.id)
    ).scalar_one()
    return ProgressDetail(
        pattern_id=pattern_id,
        pattern_name=name,
        started=True,
        stage=stage_name(row.current_stage, row.completed_at),
        level=row.current_level or 1,
        understanding_level=Decimal(row.understanding_level or 0),
        persona_type=row.persona_type,
        mastery_score=mastery_score(state),
        mastery_scores={key: Decimal(str(value)) for key, value in (row.mastery_scores or {}).items()},
        best_score=Decimal(row.best_score or 0),
        current_score=Decimal(row.current_score or 0),
        attempts_count=row.attempts_count or 0,
        struggle_indicators=list(row.struggle_indicators or ()),
        struggles_in_words=[describe_struggle(s, titles) for s in row.struggle_indicators or ()],
        knowledge_estimate=pattern_figure(stored.knowledge),
        concepts=[
            ConceptEstimate(
                concept=name, known=skill.percent, observations=skill.observations,
                moved_by=[f"{move.item} {'right' if move.correct else 'wrong'} {100 * move.delta:+.1f}"
                          for move in skill.recent],
            )
            for name, skill in sorted(stored.knowledge.items())
        ],
        pass_score=Decimal(str(pattern.mastery.pass_score)),  # type: ignore[attr-defined]
        review_due_at=review_schedule(session, user_id).get(pattern_id),
        attempt_history=[_attempt(attempt) for attempt in reversed(attempts)],
        attempts_not_shown=max(0, recorded - len(attempts)),
        mastered=record is not None,
        assessment_score=Decimal(record.assessment_score) if record else None,
        mastered_at=record.mastered_at if record else None,
    )


def _attempt(row: LearningAttempt) -> Attempt:
    return Attempt(
        at=row.created_at, kind=row.kind, stage=row.stage, level=row.level, item=row.item,
        score=row.score, passed=row.passed, hints=row.hints, duration_seconds=row.duration_seconds,
        concept=row.concept, question_kind=row.question_kind, cases_passed=row.cases_passed,
        cases_total=row.cases_total,
    )


def achievements(session: Session, user_id: uuid.UUID) -> list[AchievementStatus]:
    """Every achievement in the catalogue, unlocked ones with their date and data."""
    held = {
        row.achievement_id: row
        for row in session.exec(select(UserAchievement).where(UserAchievement.user_id == user_id)).all()
    }
    statuses = []
    for achievement in achievement_rules.ACHIEVEMENTS:
        row = held.get(achievement.id)
        statuses.append(
            AchievementStatus(
                id=achievement.id,
                name=achievement.name,
                description=achievement.description,
                unlocked=row is not None,
                unlocked_at=row.unlocked_at if row else None,
                data={k: v for k, v in (row.achievement_data or {}).items() if k != "description"} if row else {},
            )
        )
    return statuses


def calculate_mastery_score(session: Session, user_id: uuid.UUID, pattern_id: str) -> Decimal:
    """The seed's calculate_mastery_score: 0-100, the weighted mastery dimensions blended with
    understanding (docs/LEARNING.md)."""
    row = session.exec(
        select(LearningSession).where(LearningSession.user_id == user_id, LearningSession.pattern_id == pattern_id)
    ).first()
    if row is None:
        return Decimal(0)
    return mastery_score(progress_state(row, StageProgress.load(row.stage_progress, row.attempt_history or ())))

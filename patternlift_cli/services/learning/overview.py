"""The course overview (`patterns`, `next`, `progress` without a pattern), read with SQLAlchemy Core.

These reads run at the start of the commands a learner types most, so they use the Core tables
of `db/tables.py` on a plain connection (no ORM, no SQLModel, no result models beyond the ones
they return) and the curriculum's outline instead of the whole course. Each function takes
anything that executes a Core statement (a Connection, or a Session inside a larger read).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from patternlift_cli.db.tables import (
    learning_attempts,
    learning_sessions,
    pattern_progress,
    pattern_reviews,
)
from patternlift_cli.domain import stages
from patternlift_cli.ports.reports import PatternOverview


def stage_name(stage: object, completed_at: object) -> str:
    if completed_at is not None:
        return stages.COMPLETED
    return getattr(stage, "value", None) or str(stage or stages.INTRODUCTION)


def review_schedule(connection: Any, user_id: uuid.UUID) -> dict[str, datetime]:
    """pattern id -> when its next review is due."""
    table = pattern_reviews.c
    rows = connection.execute(sa.select(table.pattern_id, table.due_at).where(table.user_id == user_id)).all()
    return dict(rows)


def patterns_overview(connection: Any, user_id: uuid.UUID) -> list[PatternOverview]:
    from patternlift_cli.content.loader import course_outline

    table = learning_sessions.c
    rows = {
        row.pattern_id: row
        for row in connection.execute(
            sa.select(table.pattern_id, table.current_stage, table.current_level, table.understanding_level,
                      table.completed_at, table.mastery_scores, table.updated_at).where(table.user_id == user_id)
        )
    }
    reviews = review_schedule(connection, user_id)
    mastered = dict(
        connection.execute(
            sa.select(pattern_progress.c.pattern_id, pattern_progress.c.mastered_at)
            .where(pattern_progress.c.user_id == user_id)
        ).all()
    )
    overview = []
    for pattern in course_outline().patterns:  # what is shown of each pattern, without the course
        row = rows.get(pattern.id)
        overview.append(
            PatternOverview(
                id=pattern.id,
                name=pattern.name,
                order=pattern.order,
                prerequisites=list(pattern.prerequisites),
                prerequisites_met=all(pid in mastered for pid in pattern.prerequisites),
                stage=stage_name(row.current_stage, row.completed_at) if row else None,
                level=(row.current_level or 1) if row else None,
                understanding=Decimal(row.understanding_level) if row and row.understanding_level is not None else None,
                mastered=pattern.id in mastered,
                mastered_at=mastered.get(pattern.id),
                mastery_score=_overall(row.mastery_scores) if row else None,
                review_due_at=reviews.get(pattern.id),
                last_active_at=row.updated_at if row else None,
            )
        )
    return overview


def _overall(scores: object) -> Decimal | None:
    value = (scores or {}).get("overall") if isinstance(scores, dict) else None
    return None if value is None else Decimal(str(value))


def streak_days(connection: Any, user_id: uuid.UUID, today: date) -> int:
    """Consecutive days, ending today or yesterday, on which the learner answered or ran something."""
    since = datetime.combine(today - timedelta(days=366), time.min, tzinfo=UTC)
    table = learning_attempts.c
    stamps = connection.execute(
        sa.select(table.created_at).where(table.user_id == user_id, table.created_at >= since)
    ).scalars().all()
    days = {stamp.astimezone(UTC).date() for stamp in stamps}
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak

"""What to do next: one step, and the reason for it in one line.

In order: a review that is due (forgetting is the cheapest thing to prevent); the pattern the
learner was working on, unless it builds on a pattern not mastered yet (then that one first);
the first pattern of the course whose prerequisites are all mastered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class CourseRow(Protocol):
    id: str
    name: str
    prerequisites: Sequence[str]
    stage: str | None
    mastered: bool
    last_active_at: datetime | None


@dataclass(frozen=True)
class Recommendation:
    command: str
    pattern_id: str | None
    reason: str


def first_unmastered_prerequisite(pattern_id: str, rows: Mapping[str, CourseRow]) -> str | None:
    """The deepest prerequisite not mastered yet whose own prerequisites are (None: all met)."""
    seen: set[str] = set()

    def walk(current: str) -> str | None:
        for prerequisite in rows[current].prerequisites:
            if prerequisite in seen or prerequisite not in rows or rows[prerequisite].mastered:
                continue
            seen.add(prerequisite)
            return walk(prerequisite) or prerequisite
        return None

    return walk(pattern_id)


def recommend(course: Sequence[CourseRow], due_reviews: Sequence[tuple[str, datetime]]) -> Recommendation:
    rows = {row.id: row for row in course}
    if due_reviews:
        pattern_id, due = due_reviews[0]
        others = f" and {len(due_reviews) - 1} more" if len(due_reviews) > 1 else ""
        return Recommendation(
            "patternlift review", pattern_id,
            f"{rows[pattern_id].name if pattern_id in rows else pattern_id}{others} due for review since "
            f"{due:%Y-%m-%d}: a review now keeps it from fading.",
        )
    started = [row for row in course if row.stage not in (None, "completed") and not row.mastered]
    started.sort(key=lambda row: row.last_active_at.timestamp() if row.last_active_at else 0.0, reverse=True)
    for row in started:
        missing = first_unmastered_prerequisite(row.id, rows)
        if missing is not None:
            return Recommendation(
                f"patternlift learn {missing}", missing,
                f"{row.name} builds on {rows[missing].name}, which is not mastered yet.",
            )
        return Recommendation(f"patternlift learn {row.id}", row.id, f"You stopped {row.name} mid-way; pick it up.")
    for row in course:
        if not row.mastered and row.stage is None and first_unmastered_prerequisite(row.id, rows) is None:
            why = "its prerequisites are mastered" if row.prerequisites else "it needs nothing before it"
            return Recommendation(f"patternlift learn {row.id}", row.id, f"Next in the course: {row.name}; {why}.")
    for row in course:
        if not row.mastered:
            return Recommendation(f"patternlift learn {row.id}", row.id, f"{row.name} is the next pattern not mastered.")
    return Recommendation("patternlift review", None, "Every pattern is mastered; reviews keep them fresh when they come due.")

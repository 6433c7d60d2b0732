"""Keep the `patterns` table in step with the packaged curriculum.

`learning_sessions.pattern_id` and `pattern_progress.pattern_id` reference `patterns`, so every
learning command calls `sync_patterns()` first. It hashes each pattern folder's files and
compares the loader's `content_hash` of each pattern folder with the stored one in one SELECT;
only patterns whose hash changed are upserted. The SELECT runs every time, because another
process (or a test) may have changed the table since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from patternlift_cli.db.database import ready_engine
from patternlift_cli.db.engine import session_scope
from patternlift_cli.db.models import Pattern

if TYPE_CHECKING:
    from patternlift_cli.content.models import Pattern as ContentPattern



@dataclass(frozen=True)
class SyncReport:
    checked: int
    inserted: tuple[str, ...]
    updated: tuple[str, ...]
    unpublished: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or self.unpublished)


def pattern_row_values(pattern: ContentPattern) -> dict[str, Any]:
    """The `patterns` columns for one curriculum pattern."""
    return {
        "id": pattern.id,
        "name": pattern.name,
        "summary": pattern.summary,
        "sort_order": pattern.order,
        "prerequisites": list(pattern.prerequisites),
        "tags": list(pattern.tags),
        "problem_count": len(pattern.problems),
        "content_hash": pattern.content_hash,
    }


def curriculum_rows() -> dict[str, dict[str, Any]]:
    """pattern id -> `patterns` column values for the curriculum in use."""
    from patternlift_cli.content.loader import list_patterns

    return {pattern.id: pattern_row_values(pattern) for pattern in list_patterns()}


def sync_patterns(engine: Engine | None = None) -> SyncReport:
    """Upsert changed patterns; mark patterns no longer shipped as unpublished (rows stay,
    because sessions and mastery records reference them)."""
    engine = engine or ready_engine()
    wanted = curriculum_rows()
    inserted: list[str] = []
    updated: list[str] = []
    unpublished: list[str] = []
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        stored = {
            row.id: (row.content_hash, row.is_published)
            for row in session.execute(
                sa.select(Pattern.id, Pattern.content_hash, Pattern.is_published)
            )
        }
        for pattern_id, values in wanted.items():
            if pattern_id not in stored:
                session.execute(sa.insert(Pattern).values(**values, is_published=True))
                inserted.append(pattern_id)
            elif stored[pattern_id] != (values["content_hash"], True):
                session.execute(
                    sa.update(Pattern)
                    .where(Pattern.id == pattern_id)
                    .values(**values, is_published=True, updated_at=now)
                )
                updated.append(pattern_id)
        for pattern_id, (_, published) in stored.items():
            if pattern_id not in wanted and published:
                session.execute(
                    sa.update(Pattern)
                    .where(Pattern.id == pattern_id)
                    .values(is_published=False, updated_at=now)
                )
                unpublished.append(pattern_id)
    return SyncReport(len(wanted), tuple(inserted), tuple(updated), tuple(unpublished))

"""Keep the `patterns` table in step with the packaged curriculum.

`learning_sessions.pattern_id` and `pattern_progress.pattern_id` reference `patterns`, so the
learning use cases call `sync_patterns()` before their first write in a process. It compares
each pattern folder's `content_hash` (from the loader) with the stored one in one SELECT and
upserts only patterns whose hash changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patternlift_cli.content.models import Pattern as ContentPattern
    from patternlift_cli.db.unit import Database


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


def sync_patterns(db: Database) -> SyncReport:
    """Upsert changed patterns; mark patterns no longer shipped as unpublished (rows stay,
    because sessions and mastery records reference them)."""
    # Imported here: `check` and `problems` read the catalogue without touching a database.
    import sqlalchemy as sa

    from patternlift_cli.db.models import Pattern

    wanted = curriculum_rows()
    inserted: list[str] = []
    updated: list[str] = []
    unpublished: list[str] = []
    now = datetime.now(UTC)
    with db.session() as session:
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


class Catalog:
    """The curriculum, as every command reads it. It ships with the CLI and with the server
    alike, so reading it never needs the database or the network."""

    def patterns(self) -> list[ContentPattern]:
        from patternlift_cli.content.loader import list_patterns

        return list_patterns()

    def pattern(self, pattern_id: str) -> ContentPattern:
        """The pattern, or UnknownPatternError with the closest names (exit 2)."""
        from patternlift_cli.content.loader import get_pattern

        return get_pattern(pattern_id.strip().lower())

    def pattern_id(self, pattern_id: str) -> str:
        """The id of a pattern one can learn, refused as `pattern` refuses it, without reading
        the pattern's content (the course outline is enough)."""
        from patternlift_cli.content.pattern_ids import learnable_pattern_id

        return learnable_pattern_id(pattern_id)

    def problem(self, problem_id: str) -> Any:
        from patternlift_cli.content.loader import get_problem

        return get_problem(problem_id.strip())

    def planned(self) -> list[Any]:
        """Course entries whose lessons are not written yet (from the course outline)."""
        from patternlift_cli.content.loader import course_outline

        return list(course_outline().planned)

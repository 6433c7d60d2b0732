"""The course's outline: each pattern's id, name, order and prerequisites, and what is planned.

`patterns`, `next` and `progress` (the course map) show only these, so they read this small file
instead of the whole validated course (1.4 MB: every lesson, question, problem and hidden case,
~35 ms with the content models it needs). It lives beside the curriculum cache and carries the
same content key (content/cache.py), so it is exactly as fresh as that cache: an edit, a new
pattern or an upgrade changes the key and the outline is made again from the curriculum. As
with the cache, nothing is trusted before the key matches, what is read is validated again, and
a missing, damaged or foreign file is only a miss.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from patternlift_cli.content import cache

if TYPE_CHECKING:
    from patternlift_cli.content.loader import Curriculum

MAGIC = b"PLO1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PatternOutline(_Strict):
    id: str
    name: str
    order: int
    prerequisites: tuple[str, ...] = ()


class PlannedPattern(_Strict):
    """A course entry whose lessons are not written yet."""

    id: str
    name: str


class CourseOutline(_Strict):
    patterns: tuple[PatternOutline, ...]  # in course order, as Curriculum.ordered()
    planned: tuple[PlannedPattern, ...]


def of(curriculum: Curriculum) -> CourseOutline:
    return CourseOutline(
        patterns=tuple(
            PatternOutline(id=pattern.id, name=pattern.name, order=pattern.order,
                           prerequisites=tuple(pattern.prerequisites))
            for pattern in curriculum.ordered()
        ),
        planned=tuple(PlannedPattern(id=entry.id, name=entry.name) for entry in curriculum.planned()),
    )


def outline_file(root: Path) -> Path:
    return cache.cache_file(root).with_suffix(".outline")


def load(root: Path, key: bytes) -> CourseOutline | None:
    """The outline stored for `root` under this key, or None."""
    try:
        with open(outline_file(root), "rb") as handle:
            if handle.readline().rstrip(b"\n") != MAGIC + b" " + key:
                return None
            return CourseOutline.model_validate_json(handle.read())
    except (OSError, ValueError, ValidationError):
        return None


def store(root: Path, key: bytes, outline: CourseOutline) -> None:
    """Write the outline for `root`; one that cannot be written is simply not there."""
    target = outline_file(root)
    blob = b"%s %s\n%s" % (MAGIC, key, json.dumps(outline.model_dump(mode="json"), separators=(",", ":")).encode())
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # A temporary file beside it, then os.replace: a reader sees the old outline or the new.
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".outline-", delete=False) as handle:
            partial = Path(handle.name)
            handle.write(blob)
    except OSError:
        return
    try:
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)

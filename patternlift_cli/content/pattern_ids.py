"""A pattern id as a learner types it: the pattern it names, or a refusal that says what to type."""

from __future__ import annotations

import difflib
from typing import NoReturn

from patternlift_cli.errors import UnknownPatternError, UsageError


def learnable_pattern_id(pattern_id: str) -> str:
    """The id of a pattern one can learn, refused as `get_pattern` refuses it, from the course
    outline alone: for a command that names a pattern but needs none of its content here."""
    from patternlift_cli.content.loader import course_outline

    outline = course_outline()
    wanted = pattern_id.strip().lower()
    ids = [pattern.id for pattern in outline.patterns]
    if wanted not in ids:
        refuse(pattern_id, {entry.id: entry.name for entry in outline.planned}, ids)
    return wanted


def refuse(asked: str, planned: dict[str, str], ids: list[str]) -> NoReturn:
    wanted = asked.strip().lower()
    if wanted in planned:
        raise UsageError(
            f"'{planned[wanted]}' is part of the course but its lessons are not written yet.",
            hint="Run `patternlift patterns` to see the patterns you can learn now.",
        )
    raise UnknownPatternError(asked, difflib.get_close_matches(wanted, ids, n=3, cutoff=0.5))

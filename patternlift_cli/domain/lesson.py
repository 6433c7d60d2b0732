"""A pattern's lesson: its six sections, how they are keyed, and the pages a learner sees."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

WHEN_IT_APPLIES = "when_it_applies"
SIGNALS = "signals"
TEMPLATE = "template"
WORKED_EXAMPLE = "worked_example"
COMPLEXITY = "complexity"
COMMON_MISTAKES = "common_mistakes"

# key -> the `## ` heading lesson.md uses for it (docs/CONTENT_FORMAT.md), in authoring order.
SECTION_HEADINGS: dict[str, str] = {
    WHEN_IT_APPLIES: "When it applies",
    SIGNALS: "Signals",
    TEMPLATE: "Template",
    WORKED_EXAMPLE: "Worked example",
    COMPLEXITY: "Complexity",
    COMMON_MISTAKES: "Common mistakes",
}
SECTION_KEYS = tuple(SECTION_HEADINGS)


def section_key(heading: str) -> str:
    """"When it applies" -> "when_it_applies"."""
    return re.sub(r"[^a-z0-9]+", "_", heading.strip().lower()).strip("_")


def lesson_pages(sections_by_heading: Mapping[str, str], order: Iterable[str] | None) -> list[tuple[str, str]]:
    """(key, body) pages in the learner's order (authoring order when none is given)."""
    sections = {section_key(heading): body for heading, body in sections_by_heading.items()}
    keys = list(order or SECTION_KEYS)
    return [(key, sections[key]) for key in keys if sections.get(key)]

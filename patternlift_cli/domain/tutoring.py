"""What the AI tutor is asked, and how its replies are scored; pure functions over content.

Prompt size bound: the whole prompt (system + user message) is at most `max_chars`
characters (PATTERNLIFT_AI_PROMPT_MAX_CHARS, default 12,000). Parts are added in priority
order (instructions, the learner's question, the failing case, the code, the problem, the
lesson) and each part is cut to what is left, so the most useful context survives and the
budget's worst case is known before the call.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

INTERACTION_TYPES = ("explain", "hint", "review", "question")

_TASKS = {
    "explain": (
        "Explain the pattern again, differently from the lesson, in the learner's preferred style. "
        "Keep it under 250 words and end with one quick self-check question."
    ),
    "hint": (
        "Give ONE hint for the learner's current code and its first failing test. Do not write the "
        "solution or a corrected version of their code. Point at the specific line or idea that is off."
    ),
    "review": (
        "The learner's code passes every test. Review it: time and space complexity, edge cases it "
        "handles or is lucky on, and one or two style improvements. Under 200 words."
    ),
    "question": "Answer the learner's question about this pattern, in context. Be concrete and brief.",
}
_HINT_STYLES = {
    "socratic": "Ask a guiding question instead of stating the fix.",
    "direct": "Say plainly what to look at and why, without giving the code.",
}


@dataclass(frozen=True)
class TutorContext:
    kind: str
    pattern_name: str
    pattern_summary: str
    lesson_markdown: str
    persona: str = "balanced_learner"
    guidance: Mapping[str, Any] | None = None
    struggles: Sequence[str] = ()
    problem_title: str | None = None
    problem_statement: str | None = None
    code: str | None = None
    failing_case: Mapping[str, Any] | None = None
    question: str | None = None


def _cut(text: str, room: int) -> str:
    if room <= 0:
        return ""
    if len(text) <= room:
        return text
    marker = "\n[... cut to fit the prompt size bound ...]"
    return text[: max(0, room - len(marker))] + marker


def build_messages(context: TutorContext, *, max_chars: int) -> list[dict[str, str]]:
    """System and user messages for one tutor call, together at most `max_chars` characters."""
    if context.kind not in _TASKS:
        raise ValueError(f"unknown tutor request '{context.kind}'")
    guidance = dict(context.guidance or {})
    style = guidance.get("ai_tone") or "mix a short explanation with a small example"
    system = (
        "You are PatternLift's tutor for algorithm patterns, coaching one learner in a terminal. "
        f"The learner is a {context.persona.replace('_', ' ')}: {style}. "
        f"Lesson depth they chose: {guidance.get('depth', 'standard')}. "
        + (_HINT_STYLES.get(str(guidance.get("hint_style")), _HINT_STYLES["direct"]) + " " if context.kind == "hint" else "")
        + "Never reveal a full solution. Use Python. Plain text or light Markdown, no preamble.\n"
        + f"Task: {_TASKS[context.kind]}"
    )
    system = _cut(system, max_chars // 4)
    room = max_chars - len(system)
    parts: list[str] = []

    def add(title: str, body: str | None, share: float = 1.0) -> None:
        nonlocal room
        if not body or room <= len(title) + 4:
            return
        block = f"## {title}\n" + _cut(body.strip(), int((room - len(title) - 4) * share))
        parts.append(block)
        room -= len(block) + 2

    add("Learner's question", context.question, 0.5)
    if context.failing_case:
        add("First failing test", json.dumps(dict(context.failing_case), default=str, indent=1), 0.4)
    add("Learner's code", context.code, 0.6)
    if context.struggles:
        add("Concepts they have struggled with", ", ".join(context.struggles), 0.2)
    if context.problem_title or context.problem_statement:
        add("Problem", f"{context.problem_title or ''}\n{context.problem_statement or ''}", 0.6)
    add(f"Pattern: {context.pattern_name}", f"{context.pattern_summary}\n\n{context.lesson_markdown}")
    user = "\n\n".join(parts) or f"Pattern: {context.pattern_name}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user[: max(0, max_chars - len(system))]}]


def hint_quality(cases_before: int, cases_after: int, total: int) -> Decimal:
    """response_quality_score for an AI hint, from the learner's next test run (1-5).

    5: the next run passes everything; 2-4: it passes more cases than before, in proportion to
    how much of the gap closed; 2: no change; 1: fewer cases pass than before.
    """
    if total <= 0:
        return Decimal(2)
    if cases_after >= total:
        return Decimal(5)
    if cases_after < cases_before:
        return Decimal(1)
    gap = total - cases_before
    if gap <= 0 or cases_after == cases_before:
        return Decimal(2)
    return (Decimal(2) + Decimal(2) * Decimal(cases_after - cases_before) / Decimal(gap)).quantize(Decimal("0.01"))

"""Grading a learner's answer to a question, and the texts a question is shown and reviewed with.

Pure functions over question objects shaped like the curriculum's (``kind``, ``options`` /
``choices`` / ``accepted``, ``explanation``), so the learning service grades on the learner's
machine and on the server alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Spellings of the same complexity are one answer: O(n²) = O(n^2) = O(n**2), O(n log n) =
# O(n*log(n)) = nlogn. A power keeps its "^", so O(2^n) is never mistaken for O(2n).
_POWER = re.compile(r"([⁰¹²³⁴⁵⁶⁷⁸⁹ⁿ]+)")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹ⁿ", "0123456789n")
_NOISE = re.compile(r"[\s*()·×]")


@dataclass(frozen=True)
class AnswerGrade:
    valid: bool                 # False: not an answer at all (ask again, record nothing)
    correct: bool = False
    response: str = ""          # normalised, as stored
    chosen_text: str = ""
    explanation: str = ""
    correct_text: str = ""
    other_explanations: tuple[tuple[str, str], ...] = ()  # (option, why) for the deep review


def normalise_short_answer(text: str) -> str:
    """Case, spacing, an `O(...)` wrapper and the usual ways of writing a power do not matter."""
    text = _POWER.sub(lambda match: "^" + match.group(1), text.strip().lower()).translate(_SUPERSCRIPTS)
    if text.startswith("o(") and text.endswith(")"):
        text = text[2:-1]
    return _NOISE.sub("", text.replace("**", "^"))


def choices_of(question: Any, order: Sequence[int] | None = None) -> list[str]:
    """The texts a learner chooses between, in the order shown (empty for short answers)."""
    if question.kind == "multiple_choice":
        texts = [str(option.text) for option in question.options]
    elif question.kind == "recognition":
        texts = [str(choice) for choice in question.choices]
    else:
        return []
    return [texts[index] for index in (order or range(len(texts)))]


def correct_text(question: Any) -> str:
    if question.kind == "multiple_choice":
        return next(str(option.text) for option in question.options if option.correct)
    if question.kind == "recognition":
        return str(question.answer)
    accepted = list(question.accepted)
    return str(accepted[0]) if accepted else ""


def explanation_of(question: Any) -> str:
    """Why the right answer is right (what a review of a missed question shows)."""
    if question.kind == "multiple_choice":
        return next(option.explanation for option in question.options if option.correct)
    return str(question.explanation or "")


def _pick(response: str, count: int) -> int | None:
    """'b', 'B', '2' or '2.' -> index 1."""
    token = response.strip().lower().rstrip(".)")
    if len(token) == 1 and "a" <= token <= "z":
        index = ord(token) - ord("a")
    elif token.isdigit():
        index = int(token) - 1
    else:
        return None
    return index if 0 <= index < count else None


def _normalise_choice(text: str) -> str:
    return " ".join(text.replace("`", "").strip().rstrip(".").casefold().split())


def _chosen_index(response: str, shown: list[str]) -> int | None:
    """A letter, a number, or the choice's own text (how a script answers without knowing the order)."""
    index = _pick(response, len(shown))
    if index is None:
        typed = _normalise_choice(response)
        matches = [i for i, text in enumerate(shown) if _normalise_choice(text) == typed]
        index = matches[0] if len(matches) == 1 else None
    return index


def grade_answer(question: Any, response: str, order: Sequence[int] | None = None) -> AnswerGrade:
    """Grade a response to the question as shown in `order` (authoring order when None)."""
    kind = question.kind
    if kind == "multiple_choice":
        options = list(question.options)
        positions = list(order or range(len(options)))
        index = _chosen_index(response, choices_of(question, positions))
        if index is None:
            return AnswerGrade(valid=False)
        chosen = options[positions[index]]
        return AnswerGrade(
            valid=True,
            correct=bool(chosen.correct),
            # Stored by authoring position, so records mean the same option for every learner.
            response=chr(ord("a") + positions[index]),
            chosen_text=str(chosen.text),
            explanation=str(chosen.explanation),
            correct_text=correct_text(question),
            other_explanations=tuple(
                (str(options[i].text), str(options[i].explanation)) for i in positions if options[i] is not chosen
            ),
        )
    explanation = str(question.explanation or "")
    if kind == "recognition":
        shown = choices_of(question, order)
        index = _chosen_index(response, shown)
        if index is None:
            return AnswerGrade(valid=False)
        return AnswerGrade(
            valid=True,
            correct=shown[index] == str(question.answer),
            response=shown[index],
            chosen_text=shown[index],
            explanation=explanation,
            correct_text=str(question.answer),
        )
    if not response.strip():
        return AnswerGrade(valid=False)
    given = normalise_short_answer(response)
    return AnswerGrade(
        valid=True,
        correct=any(given == normalise_short_answer(str(item)) for item in question.accepted),
        response=response.strip(),
        chosen_text=response.strip(),
        explanation=explanation,
        correct_text=correct_text(question),
    )

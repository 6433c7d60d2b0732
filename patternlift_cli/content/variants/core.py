"""The generator registry and the step from a generator's draft to a question model.

A generator is `fn(rng: random.Random, **params) -> ChoiceDraft | ShortDraft`, registered
under a kebab-case name with `@generator(name)`. Its keyword parameters (with defaults) are the
`params` an author may set in questions.yaml. It must use `rng` for every random choice and
nothing else (no global `random`, no clock), so the same seed always gives the same question.
"""

from __future__ import annotations

import difflib
import inspect
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from patternlift_cli.content.models import MultipleChoice, Option, ShortAnswer

MAX_OPTIONS = 4
MIN_OPTIONS = 3


@dataclass(frozen=True)
class Choice:
    text: str
    explanation: str


@dataclass(frozen=True)
class ChoiceDraft:
    """A multiple-choice question: the right option and candidate wrong ones, best first.

    Candidates that read the same as the answer or as an earlier candidate are dropped (a
    mistake can give the right result on a lucky instance); the first MAX_OPTIONS - 1 left stay.
    """

    prompt: str
    answer: Choice
    distractors: Sequence[Choice]


@dataclass(frozen=True)
class ShortDraft:
    prompt: str
    accepted: Sequence[str]
    explanation: str
    rejected: Sequence[str] = field(default=())  # wrong answers a test can check are refused


Generator = Callable[..., ChoiceDraft | ShortDraft]
GENERATORS: dict[str, Generator] = {}


def generator(name: str) -> Callable[[Generator], Generator]:
    def register(function: Generator) -> Generator:
        if name in GENERATORS:
            raise RuntimeError(f"variant generator '{name}' is registered twice")
        GENERATORS[name] = function
        return function

    return register


def same_text(text: str) -> str:
    """How grading compares an option's text with a typed answer (services' _normalise_choice)."""
    return " ".join(text.replace("`", "").strip().rstrip(".").casefold().split())


def check(name: str, params: Mapping[str, Any]) -> None:
    """Raise ValueError unless `name` is a generator that accepts `params` (tried on one seed)."""
    function = GENERATORS.get(name)
    if function is None:
        close = difflib.get_close_matches(name, list(GENERATORS), n=1)
        suggestion = f" (did you mean '{close[0]}'?)" if close else ""
        raise ValueError(f"unknown variant generator '{name}'{suggestion}")
    accepted = [
        parameter.name
        for parameter in inspect.signature(function).parameters.values()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        allowed = ", ".join(accepted) or "none"
        raise ValueError(f"generator '{name}' has no parameter '{unknown[0]}' (parameters: {allowed})")
    try:
        generate(name, 0, question_id="check", concept="check", params=params)
    except (TypeError, ValueError) as error:
        raise ValueError(f"generator '{name}' rejects params {dict(params)}: {error}") from error


def generate(
    name: str, seed: int, *, question_id: str, concept: str, params: Mapping[str, Any] | None = None
) -> MultipleChoice | ShortAnswer:
    """The question `name` generates from `seed`, with the variant's stable id and concept."""
    rng = random.Random(seed)
    draft = GENERATORS[name](rng, **dict(params or {}))
    if isinstance(draft, ShortDraft):
        return ShortAnswer(
            id=question_id,
            kind="short_answer",
            concept=concept,
            prompt=draft.prompt,
            accepted=list(draft.accepted),
            explanation=draft.explanation,
        )
    return MultipleChoice(
        id=question_id,
        kind="multiple_choice",
        concept=concept,
        prompt=draft.prompt,
        options=_options(draft, rng),
    )


def _options(draft: ChoiceDraft, rng: random.Random) -> list[Option]:
    kept = [draft.answer]
    for candidate in draft.distractors:
        if len(kept) == MAX_OPTIONS:
            break
        if same_text(candidate.text) not in {same_text(choice.text) for choice in kept}:
            kept.append(candidate)
    if len(kept) < MIN_OPTIONS:
        raise ValueError(f"only {len(kept) - 1} distinct wrong options for: {draft.prompt[:60]}")
    for choice in kept:
        token = same_text(choice.text).rstrip(".)")
        if token.isdigit() or (len(token) == 1 and token.isalpha()):
            # A learner types a letter or a number to pick an option, so such a text is ambiguous.
            raise ValueError(f"option text {choice.text!r} reads as an option letter or number")
    options = [Option(text=choice.text, correct=choice is draft.answer, explanation=choice.explanation) for choice in kept]
    rng.shuffle(options)
    return options


# ----- small helpers the generators share ----------------------------------------------------


def show_list(values: Sequence[Any]) -> str:
    return "[" + ", ".join(_show(value) for value in values) + "]"


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return show_list(value)
    return str(value)


def code_block(source: str) -> str:
    return "```python\n" + inspect.cleandoc(source) + "\n```"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


ATTEMPTS = 1000  # redraws until an instance has the shape a question needs


def unsolvable(name: str) -> ValueError:
    return ValueError(f"{name}: no suitable instance found; check the params")

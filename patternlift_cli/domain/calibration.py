"""Persona calibration: a five-question questionnaire, its score, the persona and its guidance.

The first time a learner meets a pattern they answer `QUESTIONS`; `calibrate` turns the
answers into a persona and a `guidance_config` that the lesson, the quiz review and the hints
follow. docs/LEARNING.md documents every key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from patternlift_cli.domain.errors import UsageError

VISUAL = "visual_learner"
HANDS_ON = "hands_on_learner"
THEORY_FIRST = "theory_first"
BALANCED = "balanced_learner"
STRUGGLING = "struggling_learner"
PERSONAS = (VISUAL, HANDS_ON, THEORY_FIRST, BALANCED, STRUGGLING)
DEFAULT_PERSONA = BALANCED

from patternlift_cli.domain.lesson import (
    COMMON_MISTAKES,
    COMPLEXITY,
    SECTION_KEYS,
    SIGNALS,
    TEMPLATE,
    WHEN_IT_APPLIES,
    WORKED_EXAMPLE,
)


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    points: int = 0          # readiness points toward total_score
    style: str | None = None  # the learning style this answer leans to


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    options: tuple[Option, ...]

    def option(self, key: str) -> Option | None:
        key = key.strip().lower()
        return next((option for option in self.options if option.key == key), None)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "experience",
        "Have you used {pattern} before, and how confident are you with it?",
        (
            Option("a", "Never used it", 0),
            Option("b", "Heard of it, not confident", 1),
            Option("c", "Used it a few times, fairly confident", 2),
            Option("d", "I use it comfortably", 3),
        ),
    ),
    Question(
        "foundations",
        "How sure are you of the basics it builds on (loops, indices, Big-O)?",
        (
            Option("a", "Shaky", 0),
            Option("b", "Mostly fine", 2),
            Option("c", "Solid", 3),
        ),
    ),
    Question(
        "learning_style",
        "A new technique sticks best when I ...",
        (
            Option("a", "watch it run on a small example, step by step", 1, VISUAL),
            Option("b", "write code with it straight away", 1, HANDS_ON),
            Option("c", "understand why it works before using it", 1, THEORY_FIRST),
            Option("d", "get a bit of each", 1, BALANCED),
        ),
    ),
    Question(
        "when_stuck",
        "When I am stuck on a problem I prefer ...",
        (
            Option("a", "a question that points me the right way", 2, THEORY_FIRST),
            Option("b", "a concrete next step", 1, HANDS_ON),
            Option("c", "to see a worked trace of a similar case", 1, VISUAL),
            Option("d", "to see most of the answer; I get discouraged", 0, None),
        ),
    ),
    Question(
        "time",
        "How long is a typical learning session for you?",
        (
            Option("a", "About 15 minutes", 0),
            Option("b", "About 30 minutes", 1),
            Option("c", "An hour or more", 2),
        ),
    ),
)
# Asked once per learner and kept in user_profiles.learning_preferences; the rest per pattern.
LEARNER_QUESTION_IDS = ("foundations", "learning_style", "when_stuck", "time")
PATTERN_QUESTION_IDS = ("experience",)
# The "when I am stuck" answer is the hint style the learner asked for.
HINT_STYLE_BY_WHEN_STUCK = {"a": "socratic", "b": "direct", "c": "worked", "d": "direct"}
MAX_TOTAL_SCORE = sum(max(option.points for option in question.options) for question in QUESTIONS)
# At or below this readiness the learner gets the struggling_learner supports.
STRUGGLING_AT_OR_BELOW = 3


@dataclass(frozen=True)
class CalibrationResult:
    persona_type: str
    total_score: int
    responses: dict[str, str]
    guidance_config: dict[str, Any]


# Section order per persona: visual learners see the trace first, hands-on learners the code.
SECTION_ORDER: dict[str, tuple[str, ...]] = {
    VISUAL: (WORKED_EXAMPLE, WHEN_IT_APPLIES, TEMPLATE, SIGNALS, COMPLEXITY, COMMON_MISTAKES),
    HANDS_ON: (TEMPLATE, WORKED_EXAMPLE, SIGNALS, WHEN_IT_APPLIES, COMMON_MISTAKES, COMPLEXITY),
    THEORY_FIRST: (WHEN_IT_APPLIES, SIGNALS, COMPLEXITY, TEMPLATE, WORKED_EXAMPLE, COMMON_MISTAKES),
    BALANCED: SECTION_KEYS,
    STRUGGLING: (WHEN_IT_APPLIES, WORKED_EXAMPLE, TEMPLATE, SIGNALS, COMMON_MISTAKES, COMPLEXITY),
}
# A concise lesson keeps what recognition and the code need; the rest is one keypress away
# (the learner can still read the full lesson with `--restart`, and hints cover mistakes).
CONCISE_SECTIONS = (WHEN_IT_APPLIES, SIGNALS, TEMPLATE, COMPLEXITY)


def questions(ids: tuple[str, ...]) -> list[Question]:
    """The questions with these ids, in the order given."""
    by_id = {question.id: question for question in QUESTIONS}
    return [by_id[question_id] for question_id in ids]


def guidance_for(persona: str, *, depth: str, hint_style: str | None = None) -> dict[str, Any]:
    """The guidance_config stored with a calibration; every key changes what the learner sees."""
    if persona not in PERSONAS:
        persona = DEFAULT_PERSONA
    order = SECTION_ORDER[persona]
    sections = [key for key in order if depth != "concise" or key in CONCISE_SECTIONS]
    return {
        "persona": persona,
        "depth": depth,
        "lesson_sections": sections,
        # What the learner asked for when stuck; a skipped questionnaire gets the persona's default.
        "hint_style": hint_style or ("socratic" if persona in (THEORY_FIRST, BALANCED) else "direct"),
        # Explanations after each quiz answer: all options (deep) or only the chosen one.
        "explain_all_options": depth == "deep",
        # Show the lesson's template again just before the first practice problem.
        "recap_template_before_practice": persona in (STRUGGLING, VISUAL),
        # Show the reference explanation after solving a problem.
        "show_solution_notes": depth != "concise",
        # What the AI tutor is told about the learner (services/tutor.py reads it).
        "ai_tone": {
            VISUAL: "trace small examples step by step, use tables of pointer positions",
            HANDS_ON: "lead with code and concrete next steps",
            THEORY_FIRST: "explain why it works, invariants first, ask guiding questions",
            BALANCED: "mix a short explanation with a small example",
            STRUGGLING: "small steps, encouraging, one idea at a time",
        }[persona],
    }


def default_calibration() -> CalibrationResult:
    """What `--skip-calibration` stores: balanced_learner at standard depth."""
    return CalibrationResult(
        persona_type=BALANCED,
        total_score=0,
        responses={"skipped": "true"},
        guidance_config=guidance_for(BALANCED, depth="standard"),
    )


def calibrate(responses: Mapping[str, str]) -> CalibrationResult:
    """Score the answers (question id -> option key) into a persona and its guidance.

    Raises UsageError naming the first missing or invalid answer.
    """
    chosen: dict[str, Option] = {}
    for question in QUESTIONS:
        option = question.option(str(responses.get(question.id, "")))
        if option is None:
            raise UsageError(f"No valid answer for the calibration question '{question.id}'.")
        chosen[question.id] = option
    total = sum(option.points for option in chosen.values())

    if total <= STRUGGLING_AT_OR_BELOW or (chosen["when_stuck"].key == "d" and total <= 6):
        persona = STRUGGLING
    else:
        # The stated style counts twice; the "when stuck" answer breaks a tie or confirms it.
        votes = Counter[str]()
        stated = chosen["learning_style"].style
        if stated:
            votes[stated] += 2
        leaning = chosen["when_stuck"].style
        if leaning:
            votes[leaning] += 1
        ranked = votes.most_common()
        if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
            persona = BALANCED
        else:
            persona = ranked[0][0]

    experience = chosen["experience"].points
    time_points = chosen["time"].points
    if persona == STRUGGLING or (experience <= 1 and time_points == 2):
        depth = "deep"
    elif (experience >= 2 and chosen["foundations"].points >= 2) or time_points == 0:
        depth = "concise"
    else:
        depth = "standard"
    return CalibrationResult(
        persona_type=persona,
        total_score=total,
        responses={question_id: option.key for question_id, option in chosen.items()},
        guidance_config=guidance_for(
            persona, depth=depth, hint_style=HINT_STYLE_BY_WHEN_STUCK[chosen["when_stuck"].key]
        ),
    )

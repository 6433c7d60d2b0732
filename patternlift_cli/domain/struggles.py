"""Struggle indicators: what the evidence says the learner finds hard, as codes and in words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from patternlift_cli.domain.kinds import (
    ANSWER,
    HINT,
    KNOWLEDGE_CHECK_RESULT,
    REVEAL,
    TEST_RUN,
)

if TYPE_CHECKING:
    from patternlift_cli.domain.progress import Evidence, ProblemTally

REPEATED_FAILURE_RUNS = 3       # failed runs on one problem that mark it as a struggle
HINT_DEPENDENCY_PROBLEMS = 2    # problems that needed hints ...
HINT_DEPENDENCY_ON_ONE = 3      # ... or hints on a single problem (all three steps)


def concept_struggle(concept: str) -> str:
    return f"concept:{concept}"


def repeated_failure_struggle(problem_id: str) -> str:
    return f"repeated_failure:{problem_id}"


def revealed_struggle(problem_id: str) -> str:
    return f"solution_revealed:{problem_id}"


HINT_DEPENDENCY = "hint_dependency"


def new_struggles(
    evidence: Evidence, problems_after: Mapping[str, ProblemTally]
) -> list[str]:
    """The struggle indicators this evidence raises (possibly already present)."""
    found: list[str] = []
    if evidence.kind == ANSWER and not evidence.passed and evidence.concept:
        found.append(concept_struggle(evidence.concept))
    if evidence.kind == KNOWLEDGE_CHECK_RESULT and not evidence.passed:
        found.extend(concept_struggle(concept) for concept in evidence.missed_concepts)
    if evidence.kind == TEST_RUN and not evidence.passed:
        tally = problems_after.get(evidence.item)
        if tally is not None and tally.failed_runs >= REPEATED_FAILURE_RUNS:
            found.append(repeated_failure_struggle(evidence.item))
    if evidence.kind == REVEAL:
        found.append(revealed_struggle(evidence.item))
    if evidence.kind == HINT and hint_dependent(problems_after.values()):
        found.append(HINT_DEPENDENCY)
    return found


CONCEPT_WORDS = {
    "when-not-to-use": "when not to use the pattern",
    "recognition": "recognising the pattern",
    "complexity": "working out the complexity",
    "edge-cases": "edge cases",
}


def describe_struggle(indicator: str, titles: Mapping[str, str]) -> str:
    """A struggle indicator in words: "concept:when-not-to-use" -> "when not to use the pattern"."""
    kind, _, subject = indicator.partition(":")
    if indicator == HINT_DEPENDENCY:
        return "relies on hints"
    if kind == "concept":
        return CONCEPT_WORDS.get(subject, subject.replace("-", " "))
    if kind == "repeated_failure":
        return f"keeps failing on {titles.get(subject, subject)}"
    if kind == "solution_revealed":
        return f"needed the solution for {titles.get(subject, subject)}"
    return indicator


def hint_dependent(tallies: Iterable[ProblemTally]) -> bool:
    tallies = list(tallies)
    hinted = sum(1 for tally in tallies if tally.hints > 0)
    return hinted >= HINT_DEPENDENCY_PROBLEMS or any(
        tally.hints >= HINT_DEPENDENCY_ON_ONE for tally in tallies
    )


def merge_struggles(existing: Iterable[str], added: Iterable[str]) -> tuple[str, ...]:
    """Keep first-seen order; a struggle named twice is still one indicator."""
    merged = list(dict.fromkeys(existing))
    for indicator in added:
        if indicator not in merged:
            merged.append(indicator)
    return tuple(merged)

"""The learner model: how likely the learner knows each concept of a pattern, from the evidence.

Bayesian Knowledge Tracing (Corbett & Anderson, 1995), one skill per concept. Each skill holds
P(known). An observation updates it by Bayes' rule with the chance of a slip (knows it, still
wrong) and of a guess (does not know it, still right), then the learner may learn from the
step itself (transit). Parameters (docs/LEARNING.md, "The learner model"):

    P(L0) initial knowledge   0.30
    P(T)  learning per step   0.15
    P(S)  slip                0.10
    P(G)  guess               1 / options for a choice question (0.25 for four),
                              0.05 for a short answer, 0.20 for a judged run,
                              raised by 0.15 per hint used on the run (at most 0.65),
                              and a run after the solution was revealed is no evidence at all.

A practice or assessment run is evidence for the skill "implementation"; its first run is also
evidence for "edge-cases" (did it handle the hidden edge cases before any feedback?). A failed
spaced review counts as a wrong answer on every skill the learner knew.

The pattern's figure is the mean P(known) over the skills seen, in percent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from patternlift_cli.domain.progress import ANSWER, TEST_RUN, Evidence, ProblemTally

P_INIT = 0.30
P_TRANSIT = 0.15
P_SLIP = 0.10
GUESS_SHORT_ANSWER = 0.05
GUESS_RUN = 0.20
GUESS_PER_HINT = 0.15
GUESS_MAX = 0.65
RECENT_MOVES = 5

IMPLEMENTATION = "implementation"
EDGE_CASES = "edge-cases"


@dataclass(frozen=True)
class Move:
    """One observation and how far it moved P(known), for "what moved it"."""

    item: str
    correct: bool
    delta: float


@dataclass(frozen=True)
class Skill:
    known: float = P_INIT
    observations: int = 0
    recent: tuple[Move, ...] = field(default_factory=tuple)

    @property
    def percent(self) -> Decimal:
        return Decimal(str(round(100 * self.known, 1)))


def guess_for(kind: str, *, options: int = 0, hints: int = 0) -> float:
    """P(G) for an observation: a choice among `options`, a short answer, or a judged run."""
    if kind == "run":
        return min(GUESS_MAX, GUESS_RUN + GUESS_PER_HINT * hints)
    if kind == "short_answer" or options <= 1:
        return GUESS_SHORT_ANSWER
    return 1.0 / options


def observe(skill: Skill, correct: bool, guess: float, item: str) -> Skill:
    """Bayes' rule for one observation, then the chance to learn from the step."""
    known = skill.known
    if correct:
        evidence = known * (1 - P_SLIP) + (1 - known) * guess
        posterior = known * (1 - P_SLIP) / evidence
    else:
        evidence = known * P_SLIP + (1 - known) * (1 - guess)
        posterior = known * P_SLIP / evidence
    after = posterior + (1 - posterior) * P_TRANSIT
    move = Move(item=item, correct=correct, delta=round(after - known, 4))
    return Skill(known=round(after, 6), observations=skill.observations + 1,
                 recent=(*skill.recent, move)[-RECENT_MOVES:])


def forget(skill: Skill, item: str) -> Skill:
    """A failed review: the learner could not show the skill any more."""
    return observe(skill, False, GUESS_SHORT_ANSWER, item)


def learn_from(skills: Mapping[str, Skill], evidence: Evidence, tally_before: ProblemTally) -> dict[str, Skill]:
    """The skills after one piece of evidence (answers and runs; the rest is not evidence here)."""
    updated = dict(skills)

    def see(name: str, correct: bool, guess: float) -> None:
        updated[name] = observe(updated.get(name, Skill()), correct, guess, evidence.item)

    if evidence.kind == ANSWER and evidence.concept:
        see(evidence.concept, bool(evidence.passed),
            guess_for(evidence.question_kind or "", options=evidence.choices))
    elif evidence.kind == TEST_RUN and not tally_before.revealed:
        guess = guess_for("run", hints=max(evidence.hints_used, tally_before.hints))
        see(IMPLEMENTATION, bool(evidence.passed), guess)
        if tally_before.runs == 0:
            see(EDGE_CASES, bool(evidence.passed), guess)
    return updated


def pattern_figure(skills: Mapping[str, Skill]) -> Decimal | None:
    """0-100: the mean P(known) over the skills with evidence; None before any."""
    seen = [skill.known for skill in skills.values() if skill.observations]
    if not seen:
        return None
    return Decimal(str(round(100 * sum(seen) / len(seen), 1)))

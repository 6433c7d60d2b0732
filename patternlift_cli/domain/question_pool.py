"""Which questions a knowledge check asks: a balanced draw from the pattern's pool.

A pattern has more questions than a check asks (at least 16 for a check of 10), so a retry
after a failed check can ask questions the learner has not seen instead of the same ten in a
new order. The draw works on plain data: `(question_id, concept)` pairs.

The rules, in order of priority:

1. **Recognition in every check.** Up to `min_recognition` (2) questions of the `recognition`
   concept are drawn first, unseen ones before seen ones. Recognising the pattern is what the
   mastery assessment and the reviews test, so no check goes without it; two out of ten keeps
   the other concepts in the majority and leaves unseen recognition questions for a retry in a
   pool with the required four.
2. **Unseen before seen.** Every question the learner has not been asked comes before any
   question they have. Among seen questions, `renewable` ones (variants, which come back as a
   new instance on a new seed) come first, then the least recently seen.
3. **Balanced across concepts.** Within that order the draw goes round-robin: the next
   question comes from the concept with the fewest questions in the draw so far.
4. **Missed concepts first.** Ties go to the concepts the learner missed last time, then
   (among seen questions) to the question seen longest ago, then to the concept order: the
   missed concepts in the order given, the others shuffled by the seed. The check is also
   *asked* in rounds in that concept order, so a retry opens with the missed concepts.

A missed concept whose questions have all been seen comes back only when the unseen questions
do not fill the check; a variant question is the way to give such a concept a fresh question.

The same arguments always give the same draw (only `random.Random(seed)` is used), so a
resumed attempt asks the same questions in the same order.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Collection, Iterable, Sequence

RECOGNITION = "recognition"
CHECK_SIZE = 10
MIN_RECOGNITION = 2
POOL_MIN_QUESTIONS = 16
POOL_MIN_RECOGNITION = 4
POOL_MIN_PER_CONCEPT = 2

_UNSEEN, _RENEWABLE, _SEEN = 0, 1, 2


def draw_check(
    pool: Iterable[tuple[str, str]],
    *,
    size: int = CHECK_SIZE,
    seen: Iterable[str] = frozenset(),
    missed_concepts: Iterable[str] = (),
    seed: int,
    renewable: Collection[str] = frozenset(),
    min_recognition: int = MIN_RECOGNITION,
) -> tuple[str, ...]:
    """The ids of a check of `size` questions (all of them when the pool is smaller), in the
    order to ask them.

    `seen` lists the ids already asked in earlier attempts. A sequence is read as oldest first
    (a later repeat counts as the more recent sighting); a set means seen, order unknown.
    Ids in `seen`, `missed_concepts` or `renewable` that the pool does not hold are ignored.
    """
    entries = [(str(question_id), str(concept)) for question_id, concept in pool]
    ids = [question_id for question_id, _ in entries]
    if len(set(ids)) != len(ids):
        repeated = sorted({question_id for question_id in ids if ids.count(question_id) > 1})
        raise ValueError(f"question id '{repeated[0]}' appears twice in the pool")
    if size <= 0 or not entries:
        return ()
    rng = random.Random(seed)
    last_seen = _last_seen(seen)
    shuffled = list(entries)
    rng.shuffle(shuffled)

    concept_order, missed = _concept_order(entries, missed_concepts, rng)
    rank = {concept: index for index, concept in enumerate(concept_order)}
    queues: dict[str, list[tuple[int, int, str]]] = {concept: [] for concept in concept_order}
    for question_id, concept in shuffled:
        if question_id not in last_seen:
            tier, recency = _UNSEEN, 0
        else:
            tier = _RENEWABLE if question_id in renewable else _SEEN
            recency = last_seen[question_id]
        queues[concept].append((tier, recency, question_id))
    for queue in queues.values():
        queue.sort(key=lambda item: (item[0], item[1]))  # stable: the shuffle breaks ties

    picked: dict[str, list[str]] = {concept: [] for concept in concept_order}
    total = 0

    def take(concept: str) -> None:
        nonlocal total
        picked[concept].append(queues[concept].pop(0)[2])
        total += 1

    for _ in range(min(min_recognition, size, len(queues.get(RECOGNITION, ())))):
        take(RECOGNITION)
    while total < size:
        open_concepts = [concept for concept in concept_order if queues[concept]]
        if not open_concepts:
            break
        # Unseen first; then the concept with the fewest picks; then a missed concept; then,
        # among seen questions, the one seen longest ago; then the concept order.
        take(
            min(
                open_concepts,
                key=lambda c: (queues[c][0][0], len(picked[c]), rank[c] >= len(missed), queues[c][0][1], rank[c]),
            )
        )

    rounds = max(len(chosen) for chosen in picked.values())
    return tuple(
        picked[concept][round_index]
        for round_index in range(rounds)
        for concept in concept_order
        if round_index < len(picked[concept])
    )


def _last_seen(seen: Iterable[str]) -> dict[str, int]:
    if isinstance(seen, (set, frozenset)):
        return {str(question_id): 0 for question_id in seen}
    return {str(question_id): index for index, question_id in enumerate(seen)}


def _concept_order(
    entries: Sequence[tuple[str, str]], missed_concepts: Iterable[str], rng: random.Random
) -> tuple[list[str], list[str]]:
    """All concepts, the missed ones first in the order given; and the missed ones alone."""
    present = list(dict.fromkeys(concept for _, concept in entries))
    missed = [concept for concept in dict.fromkeys(str(c) for c in missed_concepts) if concept in present]
    rest = [concept for concept in present if concept not in missed]
    rng.shuffle(rest)
    return missed + rest, missed


def concept_counts(pool: Iterable[tuple[str, str]]) -> Counter[str]:
    """How many questions the pool holds per concept."""
    return Counter(str(concept) for _, concept in pool)


def variant_seed(attempt_seed: int, question_id: str) -> int:
    """The seed a variant question is generated from in one attempt: stable across processes
    and Python versions (no `hash()`), different for every question of the attempt."""
    digest = hashlib.sha256(f"{attempt_seed}/{question_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def attempt_seed(learner_id: object, pattern_id: str, attempt: int) -> int:
    """A seed for one knowledge-check attempt, for a caller that derives rather than stores it:
    the same learner, pattern and attempt number always draw the same check."""
    digest = hashlib.sha256(f"check:{learner_id}:{pattern_id}:{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big")

"""Variants over linked lists: fast and slow pointers, in-place reversal.

Lists are plain Python lists of distinct values here; "node i" is the i-th value.
"""

from __future__ import annotations

import random

from patternlift_cli.content.variants.core import (
    ATTEMPTS,
    Choice,
    ChoiceDraft,
    code_block,
    generator,
    unsolvable,
)


def arrows(values: list[int]) -> str:
    return " -> ".join(str(value) for value in values)


def node(value: int) -> str:
    return f"the node with value {value}"


# ----- fast and slow pointers -------------------------------------------------------------

MIDDLE_CODE = code_block(
    """
    slow = fast = head
    while fast and fast.next:
        slow = slow.next
        fast = fast.next.next
    """
)


@generator("fast-slow-middle")
def fast_slow_middle(rng: random.Random, *, min_length: int = 5, max_length: int = 9) -> ChoiceDraft:
    if not 4 <= min_length <= max_length <= 12:
        raise ValueError("need 4 <= min_length <= max_length <= 12")
    length = rng.randint(min_length, max_length)
    values = rng.sample(range(1, 50), length)
    middle = length // 2
    wrong = [
        Choice(
            node(values[(length - 1) // 2]),
            "No. That is the first of the two middles. Starting both pointers at the head and "
            "looping while `fast and fast.next` stops on the second one.",
        ),
        Choice(
            node(values[middle + 1]),
            f"No. That is one node too far. Slow moves once per round, and the loop runs {middle} rounds.",
        ),
        Choice(node(values[middle - 1]), f"No. That is one node short; the loop runs {middle} rounds, not {middle - 1}."),
        Choice(node(values[-1]), "No. That is the last node, near where fast stops. Slow covers half the distance."),
    ]
    prompt = (
        f"The list is `{arrows(values)}`. After the loop below, which node is `slow` on?\n\n{MIDDLE_CODE}"
    )
    explanation = (
        f"Yes. With {length} nodes the loop runs {middle} rounds (fast moves two nodes per round), "
        f"so slow stops {middle} nodes after the head: index {middle}."
    )
    return ChoiceDraft(prompt, Choice(node(values[middle]), explanation), wrong)


def meeting_trace(length: int, entrance: int) -> list[tuple[int, int]]:
    """(slow, fast) positions after each round until they share a node; the last node links
    back to `entrance`."""

    def step(position: int) -> int:
        return position + 1 if position + 1 < length else entrance

    slow = fast = 0
    trace = []
    while True:
        slow, fast = step(slow), step(step(fast))
        trace.append((slow, fast))
        if slow == fast:
            return trace


@generator("fast-slow-meeting")
def fast_slow_meeting(rng: random.Random, *, min_length: int = 6, max_length: int = 9) -> ChoiceDraft:
    if not 4 <= min_length <= max_length <= 12:
        raise ValueError("need 4 <= min_length <= max_length <= 12")
    length = rng.randint(min_length, max_length)
    values = rng.sample(range(1, 50), length)
    entrance = rng.randint(1, length - 2)
    trace = meeting_trace(length, entrance)
    meet = trace[-1][0]
    after_meet = meet + 1 if meet + 1 < length else entrance
    wrong = [
        Choice(
            node(values[entrance]),
            "No. That is where the loop starts. The pointers meet there only when the part before "
            "the loop happens to fit the loop evenly; finding the entrance takes a second phase.",
        ),
        Choice(node(values[-1]), "No. That is the last node, whose next pointer closes the loop."),
        Choice(node(values[after_meet]), "No. That is one node past the meeting point."),
        Choice(node(values[0]), "No. Both pointers leave the head in the first round and never come back to it."),
    ]
    rounds = ", ".join(f"({values[s]}, {values[f]})" for s, f in trace)
    prompt = (
        f"The list is `{arrows(values)}`, and the last node's `next` points back to the node "
        f"with value {values[entrance]}. Both pointers start at the head; each round slow moves one "
        "node and fast moves two. On which node are they together again for the first time?"
    )
    explanation = f"Yes. The (slow, fast) values after each round are {rounds}."
    return ChoiceDraft(prompt, Choice(node(values[meet]), explanation), wrong)


# ----- in-place reversal ------------------------------------------------------------------


def reverse_groups(values: list[int], size: int, *, reverse_rest: bool = False, groups: int | None = None) -> list[int]:
    result: list[int] = []
    for number, start in enumerate(range(0, len(values), size)):
        block = values[start : start + size]
        full = len(block) == size and (groups is None or number < groups)
        result += block[::-1] if full or (reverse_rest and groups is None) else block
    return result


@generator("linked-list-k-group")
def linked_list_k_group(rng: random.Random, *, min_length: int = 7, max_length: int = 10) -> ChoiceDraft:
    if not 5 <= min_length <= max_length <= 12:
        raise ValueError("need 5 <= min_length <= max_length <= 12")
    for _ in range(ATTEMPTS):
        length = rng.randint(min_length, max_length)
        size = rng.randint(2, 4)
        if length % size and length // size >= 2:
            break
    else:
        raise unsolvable("linked-list-k-group")
    values = rng.sample(range(1, 50), length)
    answer = reverse_groups(values, size)
    wrong = [
        Choice(
            arrows(reverse_groups(values, size, reverse_rest=True)),
            f"No. That also reverses the last {length % size} node(s). A group shorter than k stays "
            "as it is, so count k nodes ahead before reversing.",
        ),
        Choice(
            arrows(reverse_groups(values, size, groups=1)),
            "No. That stops after the first group. After each group, the old first node (now its "
            "tail) becomes the `before` node of the next group.",
        ),
        Choice(arrows(values[::-1]), "No. That reverses the whole list, not each group of k."),
        Choice(arrows(reverse_groups(values, size + 1)), f"No. That reverses groups of {size + 1}."),
    ]
    prompt = (
        f"Reverse the list `{arrows(values)}` in groups of k = {size} nodes; a last group with "
        "fewer than k nodes keeps its order. What is the result?"
    )
    explanation = (
        f"Yes. Each full group of {size} is reversed in place and linked to the next; the "
        f"{length % size} node(s) left over stay as they are."
    )
    return ChoiceDraft(prompt, Choice(arrows(answer), explanation), wrong)


def reverse_between(values: list[int], first: int, last: int) -> list[int]:
    """Reverse 1-based positions first..last (clamped to the list)."""
    first, last = max(first, 1), min(last, len(values))
    return values[: first - 1] + values[first - 1 : last][::-1] + values[last:]


@generator("linked-list-reverse-between")
def linked_list_reverse_between(rng: random.Random, *, min_length: int = 6, max_length: int = 9) -> ChoiceDraft:
    if not 5 <= min_length <= max_length <= 12:
        raise ValueError("need 5 <= min_length <= max_length <= 12")
    length = rng.randint(min_length, max_length)
    values = rng.sample(range(1, 50), length)
    first = rng.randint(1, length - 3)
    last = rng.randint(first + 2, length - 1)
    answer = reverse_between(values, first, last)
    wrong = [
        Choice(
            arrows(reverse_between(values, first + 1, last + 1)),
            "No. That reads the positions as 0-based indices. Position 1 is the head.",
        ),
        Choice(
            arrows(reverse_between(values, first, last - 1)),
            f"No. That stops one node early; position {last} belongs to the reversed part.",
        ),
        Choice(
            arrows(values[: first - 1] + values[first - 1 : last][::-1]),
            f"No. That loses everything after position {last}: the old first node of the reversed "
            "part must be linked to the rest of the list.",
        ),
        Choice(arrows(values[::-1]), "No. That reverses the whole list."),
    ]
    prompt = (
        f"Reverse the nodes at positions {first} to {last} (1-based, inclusive) of "
        f"`{arrows(values)}` in place. What is the list afterwards?"
    )
    explanation = (
        f"Yes. Positions {first}..{last} are {arrows(values[first - 1:last])}; reversed, they sit "
        f"between the nodes before position {first} and after position {last}, which stay where they are."
    )
    return ChoiceDraft(prompt, Choice(arrows(answer), explanation), wrong)

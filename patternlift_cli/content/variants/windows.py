"""Generators for two-pointer and sliding-window questions."""

from __future__ import annotations

import random

from patternlift_cli.content.variants.core import (
    ATTEMPTS,
    Choice,
    ChoiceDraft,
    code_block,
    generator,
    show_list,
    unsolvable,
)

PAIR_SEARCH_CODE = code_block(
    """
    left, right = 0, len(nums) - 1
    while left < right:
        total = nums[left] + nums[right]
        if total == target:
            break
        if total < target:
            left += 1
        else:
            right -= 1
    """
)


def converge(nums: list[int], target: int, moves: int, *, inverted: bool = False) -> list[tuple[int, int]]:
    """The (left, right) states after 0, 1, ... moves, stopping when the loop would stop."""
    left, right = 0, len(nums) - 1
    states = [(left, right)]
    while left < right and len(states) <= moves:
        total = nums[left] + nums[right]
        if total == target:
            break
        if (total < target) != inverted:
            left += 1
        else:
            right -= 1
        states.append((left, right))
    return states


@generator("two-pointers-pair-trace")
def two_pointers_pair_trace(rng: random.Random, *, length: int = 8, moves: int = 3) -> ChoiceDraft:
    if not 6 <= length <= 10 or not 2 <= moves <= length - 3:
        raise ValueError("length must be 6..10 and moves 2..length-3")
    for _ in range(ATTEMPTS):
        nums = sorted(rng.sample(range(1, 40), length))
        i, j = sorted(rng.sample(range(1, length - 1), 2))
        target = nums[i] + nums[j]
        states = converge(nums, target, moves + 1)
        if len(states) >= moves + 2:  # the loop is still running one move later
            break
    else:
        raise unsolvable("two-pointers-pair-trace")

    def where(state: tuple[int, int]) -> str:
        left, right = state
        return f"left at index {left} (value {nums[left]}), right at index {right} (value {nums[right]})"

    steps = []
    for left, right in states[:moves]:
        total = nums[left] + nums[right]
        side = "left moves right" if total < target else "right moves left"
        steps.append(f"{nums[left]} + {nums[right]} = {total} {'<' if total < target else '>'} {target}, {side}")
    inverted = converge(nums, target, moves, inverted=True)
    wrong = []
    if len(inverted) > moves:
        wrong.append(
            Choice(
                where(inverted[moves]),
                "No. That moves the wrong pointer each time. A total that is too small needs a "
                "bigger left value, so left moves right; a total that is too big moves right left.",
            )
        )
    wrong += [
        Choice(where(states[moves - 1]), f"No. That is the state after {moves - 1} moves; one move is missing."),
        Choice(where(states[moves + 1]), f"No. That is the state after {moves + 1} moves, one move too many."),
    ]
    if moves < length - 1 - moves:
        wrong.append(
            Choice(
                where((moves, length - 1 - moves)),
                "No. That moves both pointers every round. Each round moves exactly one of them, "
                "the one the comparison proves useless.",
            )
        )
    prompt = (
        f"The loop below runs on the sorted `nums = {show_list(nums)}` with `target = {target}`. "
        f"Each round moves one pointer. Where are the pointers after the first {moves} moves?\n\n"
        f"{PAIR_SEARCH_CODE}"
    )
    explanation = "Yes. " + "; ".join(steps) + "."
    return ChoiceDraft(prompt, Choice(where(states[moves]), explanation), wrong)


# ----- sliding window ---------------------------------------------------------------------


def window_sums(nums: list[int], size: int) -> list[int]:
    return [sum(nums[i : i + size]) for i in range(len(nums) - size + 1)]


@generator("sliding-window-best-fixed")
def sliding_window_best_fixed(rng: random.Random, *, length: int = 8, k: int = 3) -> ChoiceDraft:
    if not 6 <= length <= 10 or not 2 <= k <= length - 3:
        raise ValueError("length must be 6..10 and k 2..length-3")
    for _ in range(ATTEMPTS):
        nums = [rng.randint(-3, 9) for _ in range(length)]
        sums = window_sums(nums, k)
        best = max(sums)
        slips = {sum(sorted(nums)[-k:]), max(sums[:-1]), sums[0], max(window_sums(nums, k + 1))}
        if sums.count(best) == 1 and len(slips - {best}) >= 3:
            break
    else:
        raise unsolvable("sliding-window-best-fixed")
    start = sums.index(best)

    def total(value: int) -> str:
        return f"a best total of {value}"

    wrong = [
        Choice(
            total(sum(sorted(nums)[-k:])),
            f"No. That adds the {k} largest values, but they are not next to each other. "
            "A window is a contiguous run.",
        ),
        Choice(
            total(max(sums[:-1])),
            "No. That misses the last window, as a loop that stops one slide early does.",
        ),
        Choice(total(sums[0]), "No. That is only the first window; the best must be updated after every slide."),
        Choice(total(max(window_sums(nums, k + 1))), f"No. That is the best window of {k + 1} entries."),
        Choice(total(max(window_sums(nums, k - 1))), f"No. That is the best window of {k - 1} entries."),
    ]
    prompt = (
        f"What is the largest total of {k} consecutive entries of `nums = {show_list(nums)}`? "
        "(Slide a window of that size and keep the best total.)"
    )
    explanation = (
        f"Yes. The window totals are {show_list(sums)}; the best is nums[{start}..{start + k - 1}] "
        f"= {show_list(nums[start:start + k])} with {best}."
    )
    return ChoiceDraft(prompt, Choice(total(best), explanation), wrong)


SHORTEST_CODE = code_block(
    """
    def shortest(nums, s):
        best = len(nums) + 1
        left = total = 0
        for right, x in enumerate(nums):
            total += x
            while total >= s:
                best = min(best, right - left + 1)
                total -= nums[left]
                left += 1
        return best if best <= len(nums) else 0
    """
)


def shortest_at_least(nums: list[int], s: int, *, shrink_once: bool = False) -> int:
    best = len(nums) + 1
    left = total = 0
    for right, x in enumerate(nums):
        total += x
        while total >= s:
            best = min(best, right - left + 1)
            total -= nums[left]
            left += 1
            if shrink_once:
                break
    return best if best <= len(nums) else 0


@generator("sliding-window-shortest-sum")
def sliding_window_shortest_sum(rng: random.Random, *, length: int = 8) -> ChoiceDraft:
    if not 6 <= length <= 10:
        raise ValueError("length must be between 6 and 10")
    for _ in range(ATTEMPTS):
        nums = [rng.randint(1, 9) for _ in range(length)]
        s = rng.randint(max(nums) + 1, sum(nums) - 1)
        best = shortest_at_least(nums, s)
        first = next(r + 1 for r in range(length) if sum(nums[: r + 1]) >= s)
        if best and first != best:
            break
    else:
        raise unsolvable("sliding-window-shortest-sum")
    start = next(i for i in range(length - best + 1) if sum(nums[i : i + best]) >= s)

    def length_of(value: int) -> str:
        return f"length {value}"

    wrong = [
        Choice(
            length_of(shortest_at_least(nums, s, shrink_once=True)),
            "No. That is what you get with `if` in place of `while`: the window shrinks at most "
            "once per step and can stay longer than it needs to be.",
        ),
        Choice(
            length_of(first),
            "No. That is the first window from index 0 that reaches s. Shrinking from the left "
            "and sliding on finds shorter ones.",
        ),
        Choice(length_of(best + 1), f"No. A window of {best} already works: {show_list(nums[start:start + best])}."),
        Choice(length_of(0), f"No. 0 means no window reaches s, but {show_list(nums[start:start + best])} does."),
    ]
    prompt = f"What does `shortest(nums, s)` return for `nums = {show_list(nums)}` and `s = {s}`?\n\n{SHORTEST_CODE}"
    explanation = (
        f"Yes. The shortest contiguous run with a total of at least {s} is nums[{start}..{start + best - 1}] "
        f"= {show_list(nums[start:start + best])}, total {sum(nums[start:start + best])}; nothing shorter reaches {s}."
    )
    return ChoiceDraft(prompt, Choice(length_of(best), explanation), wrong)

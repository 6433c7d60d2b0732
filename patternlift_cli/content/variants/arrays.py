"""Variants over plain arrays: hashing, prefix sums, two pointers, sliding windows."""

from __future__ import annotations

import random

from patternlift_cli.content.variants.core import (
    Choice,
    ChoiceDraft,
    code_block,
    generator,
    plural,
    show_list,
)

ATTEMPTS = 1000  # redraws until an instance has the shape a question needs


def _unsolvable(name: str) -> ValueError:
    return ValueError(f"{name}: no suitable instance found; check the params")


# ----- hashing ----------------------------------------------------------------------------

PAIR_CODE = code_block(
    """
    def pair(nums, target):
        index_of = {}
        for i, x in enumerate(nums):
            if target - x in index_of:
                return [index_of[target - x], i]
            index_of[x] = i
        return []
    """
)


def one_pass(nums: list[int], target: int, *, store_first: bool = False, keep_first: bool = False) -> list[int]:
    """The loop in PAIR_CODE, or one of two slips: storing before the lookup, or keeping the
    first index of a repeated value instead of the latest."""
    index_of: dict[int, int] = {}
    for i, x in enumerate(nums):
        if store_first:
            index_of[x] = i
        if target - x in index_of:
            return [index_of[target - x], i]
        if keep_first:
            index_of.setdefault(x, i)
        else:
            index_of[x] = i
    return []


@generator("hashing-one-pass-pair")
def hashing_one_pass_pair(rng: random.Random, *, length: int = 7) -> ChoiceDraft:
    if not 5 <= length <= 9:
        raise ValueError("length must be between 5 and 9")
    for _ in range(ATTEMPTS):
        nums = [rng.randint(1, 12) for _ in range(length)]
        target = rng.randint(6, 18)
        pairs = [(i, j) for i in range(length) for j in range(i + 1, length) if nums[i] + nums[j] == target]
        if len(pairs) >= 2:
            break
    else:
        raise _unsolvable("hashing-one-pass-pair")
    answer = one_pass(nums, target)
    first, later = answer
    wrong = [
        Choice(
            show_list(list(pairs[0])),
            "No. That is the first pair a nested loop over i, then j, would find. The one-pass "
            f"loop returns as soon as it reaches the later element of any pair, here index {later}.",
        ),
        Choice(
            show_list(one_pass(nums, target, store_first=True)),
            "No. That is what the loop returns if it stores x before looking up target - x: "
            "a value can then be found as its own partner.",
        ),
        Choice(
            show_list(one_pass(nums, target, keep_first=True)),
            f"No. That pairs with the first {nums[first]} in the array, but `index_of[x] = i` "
            "overwrites the index at every repeat, so the map holds the latest one.",
        ),
        Choice(
            show_list(list(max(pairs, key=lambda p: (p[1], p[0])))),
            "No. That pair does add up to the target, but the loop returns the first pair it "
            "completes and never gets that far.",
        ),
        Choice(
            show_list([later, first]),
            "No. The indices are right but in the wrong order: the earlier index comes out of "
            "the map and is written first.",
        ),
    ]
    prompt = (
        f"What does `pair(nums, target)` return for `nums = {show_list(nums)}` and "
        f"`target = {target}`?\n\n{PAIR_CODE}"
    )
    explanation = (
        f"Yes. At i = {later} the loop looks up {target} - {nums[later]} = {nums[first]}, which was "
        f"stored with index {first}. No earlier i had its partner in the map yet."
    )
    return ChoiceDraft(prompt, Choice(show_list(answer), explanation), wrong)


# ----- prefix sums ------------------------------------------------------------------------


def prefix_sums(nums: list[int]) -> list[int]:
    prefix = [0]
    for x in nums:
        prefix.append(prefix[-1] + x)
    return prefix


@generator("prefix-sum-range-query")
def prefix_sum_range_query(rng: random.Random, *, length: int = 7) -> ChoiceDraft:
    if not 5 <= length <= 9:
        raise ValueError("length must be between 5 and 9")
    for _ in range(ATTEMPTS):
        nums = [rng.randint(-4, 9) for _ in range(length)]
        left = rng.randint(1, length - 2)
        right = rng.randint(left + 1, length - 1)
        prefix = prefix_sums(nums)
        value = prefix[right + 1] - prefix[left]
        # Each slip adds or drops one entry; an entry of 0 would make a slip look right.
        if 0 not in (nums[left - 1], nums[left], nums[right]) and nums[left - 1] != nums[right]:
            break
    else:
        raise _unsolvable("prefix-sum-range-query")

    def formula(end: int, start: int) -> str:
        return f"`prefix[{end}] - prefix[{start}]` = {prefix[end] - prefix[start]}"

    def covers(first: int, last: int) -> str:
        return f"nums[{first}..{last}]"

    candidates = [
        (right, left, f"`prefix[{right}]` stops before index {right}: that is {covers(left, right - 1)}."),
        (right + 1, left + 1, f"Subtracting `prefix[{left + 1}]` also removes nums[{left}]: that is {covers(left + 1, right)}."),
        (right + 1, left - 1, f"Subtracting `prefix[{left - 1}]` keeps nums[{left - 1}] in: that is {covers(left - 1, right)}."),
        (right, left - 1, f"Both ends are shifted one place left: that is {covers(left - 1, right - 1)}."),
    ]
    wrong = [
        Choice(formula(end, start), "No. " + why)
        for end, start, why in candidates
        if prefix[end] - prefix[start] != value
    ]
    prompt = (
        f"`nums = {show_list(nums)}` and its prefix sums are `prefix = {show_list(prefix)}` "
        "(`prefix[i]` is the total of the first i entries). Which subtraction gives "
        f"`nums[{left}] + ... + nums[{right}]` (indices {left} to {right}, inclusive)?"
    )
    terms = " + ".join(f"({x})" if x < 0 else str(x) for x in nums[left : right + 1])
    explanation = (
        f"Yes. `prefix[{right + 1}]` is the total of nums[0..{right}] and `prefix[{left}]` the total of "
        f"nums[0..{left - 1}]; the difference is {terms} = {value}."
    )
    return ChoiceDraft(prompt, Choice(formula(right + 1, left), explanation), wrong)


COUNT_CODE = code_block(
    """
    def count_k(nums, k):
        seen = {0: 1}
        running = count = 0
        for x in nums:
            running += x
            count += seen.get(running - k, 0)
            seen[running] = seen.get(running, 0) + 1
        return count
    """
)


def subarrays_with_sum(nums: list[int], k: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(nums)) for j in range(i, len(nums)) if sum(nums[i : j + 1]) == k]


@generator("prefix-sum-count-k")
def prefix_sum_count_k(rng: random.Random, *, length: int = 7) -> ChoiceDraft:
    if not 5 <= length <= 9:
        raise ValueError("length must be between 5 and 9")
    for _ in range(ATTEMPTS):
        nums = [rng.randint(-2, 5) for _ in range(length)]
        k = prefix_sums(nums)[rng.randint(2, length)]
        found = subarrays_with_sum(nums, k)
        from_start = [span for span in found if span[0] == 0]
        if k != 0 and len(found) >= 2 and len(found) > len(from_start):
            break
    else:
        raise _unsolvable("prefix-sum-count-k")
    count = len(found)
    spans = ", ".join(f"nums[{i}..{j}]" for i, j in found)
    wrong = [
        Choice(
            plural(count - len(from_start), "subarray"),
            f"No. That is the count with `seen = {{}}`: without the empty prefix the "
            f"{plural(len(from_start), 'subarray')} starting at index 0 are never counted.",
        ),
        Choice(
            plural(len(from_start), "subarray"),
            "No. That counts only the prefixes whose total is k, i.e. subarrays that start at "
            "index 0. A subarray can start anywhere.",
        ),
        Choice(plural(count + 1, "subarray"), f"No. There are exactly {count}: {spans}."),
        Choice(plural(max(count - 1, 0), "subarray"), f"No. There are exactly {count}: {spans}."),
    ]
    prompt = f"What does `count_k(nums, k)` return for `nums = {show_list(nums)}` and `k = {k}`?\n\n{COUNT_CODE}"
    explanation = f"Yes. The subarrays summing to {k} are {spans}."
    return ChoiceDraft(prompt, Choice(plural(count, "subarray"), explanation), wrong)


# ----- two pointers -----------------------------------------------------------------------

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
        raise _unsolvable("two-pointers-pair-trace")

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
        raise _unsolvable("sliding-window-best-fixed")
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
        raise _unsolvable("sliding-window-shortest-sum")
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

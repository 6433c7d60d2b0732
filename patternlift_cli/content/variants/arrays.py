"""Generators for hashing and prefix-sum questions."""

from __future__ import annotations

import random

from patternlift_cli.content.variants.core import (
    ATTEMPTS,
    Choice,
    ChoiceDraft,
    code_block,
    generator,
    plural,
    show_list,
    unsolvable,
)

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
        raise unsolvable("hashing-one-pass-pair")
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
        raise unsolvable("prefix-sum-range-query")

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
        raise unsolvable("prefix-sum-count-k")
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

"""Variants where order is the point: intervals, cyclic sort, monotonic stacks, binary search."""

from __future__ import annotations

import bisect
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

# ----- merge intervals --------------------------------------------------------------------


def merge(
    intervals: list[list[int]], *, sort: bool = True, keep_max: bool = True, touching: bool = True
) -> list[list[int]]:
    """Sort by start and merge; the flags switch on the usual slips (no sort, end = new end
    instead of the larger end, touching intervals kept apart)."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals) if sort else intervals:
        overlaps = merged and (start <= merged[-1][1] if touching else start < merged[-1][1])
        if overlaps:
            merged[-1][1] = max(merged[-1][1], end) if keep_max else end
        else:
            merged.append([start, end])
    return merged


@generator("merge-intervals-merge")
def merge_intervals_merge(rng: random.Random, *, count: int = 5) -> ChoiceDraft:
    if not 4 <= count <= 6:
        raise ValueError("count must be between 4 and 6")
    for _ in range(ATTEMPTS):
        intervals = []
        for _ in range(count):
            start = rng.randint(0, 16)
            intervals.append([start, start + rng.randint(1, 6)])
        answer = merge(intervals)
        slips = [merge(intervals, sort=False), merge(intervals, keep_max=False), merge(intervals, touching=False)]
        if intervals != sorted(intervals) and len(answer) >= 2 and sum(slip != answer for slip in slips) >= 2:
            break
    else:
        raise unsolvable("merge-intervals-merge")
    wrong = [
        Choice(
            show_list(slips[0]),
            "No. That merges in the given order. Without sorting by start, an interval can "
            "overlap an earlier group that is no longer the last one, and the groups stay split.",
        ),
        Choice(
            show_list(slips[1]),
            "No. That sets the group's end to the new interval's end. When the new interval sits "
            "inside the group, the end must stay the larger of the two: `max(last_end, end)`.",
        ),
        Choice(
            show_list(slips[2]),
            "No. That keeps touching intervals apart (`start < last_end`). Intervals that share an "
            "end point, like [1, 3] and [3, 5], overlap at 3 and merge.",
        ),
        Choice(show_list(sorted(intervals)), "No. That is only sorted; overlapping intervals must be merged."),
    ]
    prompt = (
        f"Merge all overlapping intervals of `{show_list(intervals)}` (intervals that share an "
        "end point overlap). What is the result, sorted by start?"
    )
    explanation = (
        f"Yes. Sorted by start: {show_list(sorted(intervals))}. Each interval that starts at or "
        "before the current group's end joins it, and the group's end becomes the larger end."
    )
    return ChoiceDraft(prompt, Choice(show_list(answer), explanation), wrong)


def rooms_needed(meetings: list[list[int]], *, touching_clash: bool = False) -> int:
    """Meetings are half-open [start, end): one ending at 10 frees its room for one at 10."""
    events = sorted([(start, 1) for start, _ in meetings] + [(end, -1) for _, end in meetings],
                    key=lambda event: (event[0], event[1] if not touching_clash else -event[1]))
    busy = best = 0
    for _, change in events:
        busy += change
        best = max(best, busy)
    return best


@generator("merge-intervals-rooms")
def merge_intervals_rooms(rng: random.Random, *, count: int = 6) -> ChoiceDraft:
    if not 4 <= count <= 7:
        raise ValueError("count must be between 4 and 7")
    for _ in range(ATTEMPTS):
        meetings = []
        for _ in range(count):
            start = rng.randint(8, 16)
            meetings.append([start, start + rng.randint(1, 3)])
        answer = rooms_needed(meetings)
        clash = rooms_needed(meetings, touching_clash=True)
        groups = len(merge(meetings, touching=False))
        if answer >= 2 and clash != answer and groups != answer:
            break
    else:
        raise unsolvable("merge-intervals-rooms")
    wrong = [
        Choice(
            plural(clash, "room"),
            "No. That counts a meeting that ends at the hour another starts as a clash. The "
            "first room is free again at that hour, so process an end before a start at the same time.",
        ),
        Choice(
            plural(groups, "room"),
            "No. That is the number of merged groups of meetings. The rooms needed is the largest "
            "number of meetings running at the same moment.",
        ),
        Choice(plural(count, "room"), "No. That gives every meeting its own room; rooms can be reused."),
        Choice(plural(answer - 1, "room"), f"No. At the busiest moment {answer} meetings run at once."),
    ]
    prompt = (
        f"Meetings run over the hours `{show_list(meetings)}`, each as [start, end) (a meeting "
        "ending at 10 frees its room for one starting at 10). How many rooms are needed?"
    )
    explanation = (
        f"Yes. Sweep the starts and ends in time order (an end before a start at the same hour); "
        f"the count of running meetings peaks at {answer}."
    )
    return ChoiceDraft(prompt, Choice(plural(answer, "room"), explanation), wrong)


# ----- cyclic sort ------------------------------------------------------------------------

CYCLIC_CODE = code_block(
    """
    i = 0
    while i < len(nums):
        home = nums[i] - 1
        if nums[i] != nums[home]:
            nums[i], nums[home] = nums[home], nums[i]
        else:
            i += 1
    """
)


def cyclic_until_index_one(nums: list[int], *, swaps_limit: int | None = None) -> tuple[list[int], list[str]]:
    """The array the first time i becomes 1 (or after `swaps_limit` swaps), and the swaps made."""
    nums = list(nums)
    steps: list[str] = []
    while nums[0] != nums[nums[0] - 1] and (swaps_limit is None or len(steps) < swaps_limit):
        home = nums[0] - 1
        steps.append(f"{nums[0]} goes to index {home}")
        nums[0], nums[home] = nums[home], nums[0]
    return nums, steps


@generator("cyclic-sort-first-index")
def cyclic_sort_first_index(rng: random.Random, *, min_length: int = 6, max_length: int = 7) -> ChoiceDraft:
    if not 5 <= min_length <= max_length <= 8:
        raise ValueError("need 5 <= min_length <= max_length <= 8")
    for _ in range(ATTEMPTS):
        length = rng.randint(min_length, max_length)
        nums = rng.sample(range(1, length + 1), length)
        after, steps = cyclic_until_index_one(nums)
        if len(steps) >= 2 and after != sorted(nums):
            break
    else:
        raise unsolvable("cyclic-sort-first-index")
    once, _ = cyclic_until_index_one(nums, swaps_limit=1)
    wrong = [
        Choice(
            show_list(once),
            "No. That is the array after one swap. The `else` means i stays at 0 until the "
            "value there is home, so index 0 keeps swapping.",
        ),
        Choice(
            show_list(sorted(nums)),
            "No. That is the end result. When i first reaches 1, only the values on index 0's "
            "cycle have been placed.",
        ),
        Choice(show_list(nums), "No. That is the array before the loop; index 0 must be settled first."),
    ]
    prompt = (
        f"Cyclic sort runs on `nums = {show_list(nums)}` (the numbers 1 to {length}, each once). "
        f"What does `nums` look like the first time `i` becomes 1?\n\n{CYCLIC_CODE}"
    )
    explanation = "Yes. At i = 0: " + ", then ".join(steps) + f"; now 1 is home and i moves on with {show_list(after)}."
    return ChoiceDraft(prompt, Choice(show_list(after), explanation), wrong)


# ----- monotonic stack --------------------------------------------------------------------

NEXT_GREATER_CODE = code_block(
    """
    def next_greater(nums):
        answer = [-1] * len(nums)
        stack = []  # indices still waiting for a greater value
        for i, x in enumerate(nums):
            while stack and nums[stack[-1]] < x:
                answer[stack.pop()] = x
            stack.append(i)
        return answer
    """
)


def nearest(nums: list[int], better, *, leftwards: bool = False) -> list[int]:
    """For each entry, the nearest value to its right (or left) for which better(value, x)."""
    answer = []
    for i, x in enumerate(nums):
        side = reversed(nums[:i]) if leftwards else nums[i + 1 :]
        answer.append(next((y for y in side if better(y, x)), -1))
    return answer


@generator("monotonic-stack-next-greater")
def monotonic_stack_next_greater(rng: random.Random, *, length: int = 7) -> ChoiceDraft:
    if not 5 <= length <= 9:
        raise ValueError("length must be between 5 and 9")
    for _ in range(ATTEMPTS):
        nums = [rng.randint(1, 9) for _ in range(length)]
        answer = nearest(nums, lambda y, x: y > x)
        or_equal = nearest(nums, lambda y, x: y >= x)
        if or_equal != answer and answer.count(-1) < length - 1:
            break
    else:
        raise unsolvable("monotonic-stack-next-greater")
    largest_right = [max(nums[i + 1 :], default=-1) for i in range(length)]
    largest_right = [y if y > x else -1 for y, x in zip(largest_right, nums)]
    wrong = [
        Choice(
            show_list(or_equal),
            "No. That pops on `<=` as well, so an equal value counts as greater. The code pops "
            "only on `<`: an equal value waits on the stack.",
        ),
        Choice(
            show_list(nearest(nums, lambda y, x: y > x, leftwards=True)),
            "No. That is the nearest greater value to the left. The stack holds indices that "
            "wait for a later, greater value.",
        ),
        Choice(
            show_list(largest_right),
            "No. That is the largest value to the right. The first greater value to arrive pops "
            "the index, even if a larger one comes later.",
        ),
        Choice(
            show_list(nearest(nums, lambda y, x: y < x)),
            "No. That is the next smaller value, which a stack that pops on `>` would give.",
        ),
    ]
    prompt = f"What does `next_greater(nums)` return for `nums = {show_list(nums)}`?\n\n{NEXT_GREATER_CODE}"
    explanation = (
        "Yes. Each index waits on the stack until a strictly greater value arrives, and that value "
        "is its answer; indices never popped keep -1."
    )
    return ChoiceDraft(prompt, Choice(show_list(answer), explanation), wrong)


# ----- modified binary search -------------------------------------------------------------

LOWER_BOUND_CODE = code_block(
    """
    lo, hi = 0, len(nums)
    while lo < hi:
        mid = (lo + hi) // 2
        if nums[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    """
)


@generator("binary-search-lower-bound")
def binary_search_lower_bound(rng: random.Random, *, length: int = 10) -> ChoiceDraft:
    if not 8 <= length <= 14:
        raise ValueError("length must be between 8 and 14")
    for _ in range(ATTEMPTS):
        nums = sorted(rng.randint(1, 12) for _ in range(length))
        target = rng.choice(nums)
        first = bisect.bisect_left(nums, target)
        after = bisect.bisect_right(nums, target)
        if after - first >= 2 and first >= 1:
            break
    else:
        raise unsolvable("binary-search-lower-bound")

    def at(index: int) -> str:
        return f"lo = {index}"

    wrong = [
        Choice(
            at(after),
            "No. That is the first index with a value greater than the target, which the loop "
            "finds with `<=` in place of `<`.",
        ),
        Choice(
            at(after - 1),
            f"No. That is the last {target}. The loop keeps `hi = mid` whenever nums[mid] >= "
            "target, so it closes in on the first one.",
        ),
        Choice(at(first - 1), f"No. nums[{first - 1}] = {nums[first - 1]} is smaller than {target}; lo moves past it."),
    ]
    prompt = (
        f"The loop below runs on the sorted `nums = {show_list(nums)}` with `target = {target}`. "
        f"What is `lo` when it stops?\n\n{LOWER_BOUND_CODE}"
    )
    explanation = (
        f"Yes. The loop finds the first index whose value is at least {target}: the predicate "
        f"`nums[i] >= {target}` is false up to index {first - 1} and true from index {first} on."
    )
    return ChoiceDraft(prompt, Choice(at(first), explanation), wrong)


SEARCH_CODE = code_block(
    """
    lo, hi = 0, len(nums) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if nums[mid] == target:
            break
        if nums[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    """
)


def mids(
    nums: list[int], target: int, *, half_open: bool = False, round_up: bool = False, flipped: bool = False
) -> list[int]:
    """The mids SEARCH_CODE tries, or those of a half-open loop, a rounded-up mid, or a loop
    that goes to the wrong half."""
    lo, hi = 0, len(nums) if half_open else len(nums) - 1
    visited = []
    while (lo < hi) if half_open else (lo <= hi):
        mid = (lo + hi + (1 if round_up else 0)) // 2
        visited.append(mid)
        if nums[mid] == target:
            break
        if (nums[mid] < target) != flipped:
            lo = mid + 1
        else:
            hi = mid if half_open else mid - 1
    return visited


@generator("binary-search-mids")
def binary_search_mids(rng: random.Random, *, length: int = 13) -> ChoiceDraft:
    if not 9 <= length <= 16:
        raise ValueError("length must be between 9 and 16")
    for _ in range(ATTEMPTS):
        nums = sorted(rng.sample(range(1, 60), length))
        target = rng.choice(nums) if rng.random() < 0.7 else rng.randint(1, 60)
        answer = mids(nums, target)
        if len(answer) >= 3:
            break
    else:
        raise unsolvable("binary-search-mids")

    def sequence(indices: list[int]) -> str:
        return "mid = " + ", ".join(str(index) for index in indices)

    found = nums[answer[-1]] == target
    wrong = [
        Choice(
            sequence(mids(nums, target, half_open=True)),
            "No. That is the half-open version (`hi = len(nums)`, `while lo < hi`, `hi = mid`); "
            "this loop starts with `hi = len(nums) - 1`.",
        ),
        Choice(
            sequence(mids(nums, target, round_up=True)),
            "No. That rounds mid up, `(lo + hi + 1) // 2`; `//` rounds down.",
        ),
        Choice(
            sequence(mids(nums, target, flipped=True)),
            f"No. That goes to the wrong half. When nums[mid] is smaller than {target}, the target "
            "can only be to the right of mid, so lo moves up.",
        ),
        Choice(
            sequence(answer[:-1]),
            "No. One step is missing at the end: the loop runs while lo <= hi, so a range of one "
            "index is still checked.",
        ),
    ]
    outcome = f"nums[{answer[-1]}] = {target} is found" if found else f"the range empties without finding {target}"
    prompt = (
        f"The search below runs on `nums = {show_list(nums)}` (indices 0 to {length - 1}) with "
        f"`target = {target}`. Which values does `mid` take, in order?\n\n{SEARCH_CODE}"
    )
    explanation = f"Yes. Each step halves [lo, hi] around mid = (lo + hi) // 2 until {outcome}."
    return ChoiceDraft(prompt, Choice(sequence(answer), explanation), wrong)

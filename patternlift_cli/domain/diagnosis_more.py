"""More diagnosis predicates: numbers that mean "none", groups, repeats and intervals.

Part of the library in domain/diagnosis.py (which registers these in PREDICATES); kept apart so
each module stays short. Like the others, each is pure over the first failing case and the JSON
values the judge compared. This module needs nothing from diagnosis.py at run time, so either
may be imported first.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patternlift_cli.domain.diagnosis import FailedCase


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _failed_with_number(case: FailedCase) -> bool:
    return case.status == "failed" and _is_number(case.expected) and _is_number(case.actual)


def answered_zero(case: FailedCase) -> bool:
    """Answered 0 where the answer is a positive number (nothing was counted at all)."""
    return _failed_with_number(case) and case.actual == 0 and case.expected > 0


def said_none_exists(case: FailedCase) -> bool:
    """Answered -1 ("there is none") where an answer exists."""
    return _failed_with_number(case) and case.actual == -1 and case.expected != -1


def _number_lists(case: FailedCase) -> list[list[Any]]:
    return [value for value in case.args.values()
            if isinstance(value, list) and value and all(_is_number(item) for item in value)]


def missed_end_position(case: FailedCase) -> bool:
    """Missed an answer at the first or last position of the input (an end never checked)."""
    if not _failed_with_number(case) or not isinstance(case.expected, int):
        return False
    return any(case.expected in (0, len(value) - 1) for value in _number_lists(case))


def not_from_input(case: FailedCase) -> bool:
    """Answered a value that is none of the input's items, where the answer is one of them."""
    if not _failed_with_number(case):
        return False
    return any(case.expected in value and case.actual not in value for value in _number_lists(case))


def repeats_in_input(case: FailedCase) -> bool:
    """The failing input repeats a value (a repeat counted twice, or one that breaks a run)."""
    for value in _number_lists(case):
        if len(set(value)) < len(value):
            return True
    return False


def answer_where_none(case: FailedCase) -> bool:
    """Gave an answer where the expected one is empty (nothing qualifies)."""
    return case.status == "failed" and case.expected in ([], "") and case.actual not in ([], "", None)


# ----- groups and repeats (lists of lists whose order does not matter) ------------------------

def _groups(value: Any) -> list[tuple[str, ...]] | None:
    if not isinstance(value, list) or not all(isinstance(group, list) for group in value):
        return None
    return [tuple(sorted(map(repr, group))) for group in value]


def _flat(groups: list[tuple[str, ...]]) -> Counter[str]:
    return Counter(item for group in groups for item in group)


def _joined_from(coarse: list[tuple[str, ...]], fine: list[tuple[str, ...]]) -> bool:
    """Each coarse group is a union of whole fine groups, and there are fewer coarse groups."""
    if len(coarse) >= len(fine) or _flat(coarse) != _flat(fine):
        return False
    owner = {item: index for index, group in enumerate(coarse) for item in group}
    return all(len({owner[item] for item in group}) == 1 for group in fine)


def groups_merged(case: FailedCase) -> bool:
    """Items that belong in separate groups were put together (fewer, larger groups)."""
    expected, actual = _groups(case.expected), _groups(case.actual)
    return expected is not None and actual is not None and _joined_from(actual, expected)


def groups_split(case: FailedCase) -> bool:
    """One group was split into several (a key that tells apart items that belong together)."""
    expected, actual = _groups(case.expected), _groups(case.actual)
    return expected is not None and actual is not None and _joined_from(expected, actual)


def repeats_dropped(case: FailedCase) -> bool:
    """Every item is there, but a repeated one fewer times than it occurs."""
    expected = _groups(case.expected) or ([tuple(map(repr, case.expected))] if isinstance(case.expected, list) else None)
    actual = _groups(case.actual) or ([tuple(map(repr, case.actual))] if isinstance(case.actual, list) else None)
    if case.status != "failed" or expected is None or actual is None:
        return False
    wanted, got = _flat(expected), _flat(actual)
    return set(wanted) == set(got) and got < wanted


# ----- intervals ([start, end] pairs) ---------------------------------------------------------

def _intervals(value: Any) -> list[tuple[Any, Any]] | None:
    if not isinstance(value, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(_is_number(end) for end in pair) for pair in value):
        return None
    return [(start, end) for start, end in value]


def touching_left_apart(case: FailedCase) -> bool:
    """Intervals that only touch (one ends where another starts) were left as two."""
    actual, expected = _intervals(case.actual), _intervals(case.expected)
    if actual is None or expected is None or case.status != "failed":
        return False
    return any(first[1] == second[0] for i, first in enumerate(actual) for j, second in enumerate(actual) if i != j)


def overlaps_left(case: FailedCase) -> bool:
    """The output still holds intervals that overlap each other (more than at one point)."""
    actual = _intervals(case.actual)
    if actual is None or _intervals(case.expected) is None or case.status != "failed":
        return False
    return any(max(a[0], b[0]) < min(a[1], b[1]) for i, a in enumerate(actual) for b in actual[i + 1:])


def point_intervals_dropped(case: FailedCase) -> bool:
    """An interval of a single point ([x, x]) that belongs in the output is missing."""
    actual, expected = _intervals(case.actual), _intervals(case.expected)
    if actual is None or expected is None or case.status != "failed":
        return False
    return any(start == end and (start, end) not in actual for start, end in expected)


MORE_PREDICATES = (
    answered_zero, said_none_exists, missed_end_position, not_from_input, repeats_in_input,
    answer_where_none, groups_merged, groups_split, repeats_dropped, touching_left_apart,
    overlaps_left, point_intervals_dropped,
)

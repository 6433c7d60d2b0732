"""The diagnosis predicates over a failing case (pure)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from patternlift_cli.domain import diagnosis as d


def case(expected, actual, status="failed", **args) -> d.FailedCase:
    return d.FailedCase(args=args, expected=expected, actual=actual, status=status)


@pytest.mark.parametrize(
    ("when", "failing", "holds"),
    [
        ("zero_based_indices", case([2, 5], [1, 4]), True),
        ("zero_based_indices", case([2, 5], [2, 4]), False),
        ("one_based_indices", case([0, 3], [1, 4]), True),
        ("off_by_one", case(4, 5), True),
        ("off_by_one", case([1, 2, 3], [1, 2]), True),
        ("off_by_one", case(4, 6), False),
        ("duplicates_in_output", case([[1, 2]], [[1, 2], [2, 1]]), True),
        ("duplicates_in_output", case([[1, 2], [3, 4]], [[1, 2], [3, 4]]), False),
        ("unsorted_output", case([1, 2, 3], [3, 1, 2]), True),
        ("unsorted_output", case([1, 2, 3], [1, 2, 4]), False),
        ("empty_input", case(0, 1, nums=[]), True),
        ("single_element", case(0, 1, nums=[7]), True),
        ("single_element", case(0, 1, nums=[7, 8]), False),
        ("missing_answers", case([[1], [2], [3]], [[1], [3]]), True),
        ("returned_nothing", case([1, 2], None), True),
        ("too_slow", case(None, None, status="timeout"), True),
        ("crashed", case(None, None, status="error"), True),
    ],
)
def test_each_predicate_recognises_its_mistake(when: str, failing: d.FailedCase, holds: bool) -> None:
    assert d.PREDICATES[when](failing) is holds


def test_the_first_matching_diagnosis_wins_and_every_predicate_says_what_it_means() -> None:
    diagnoses = [SimpleNamespace(id="slow", when="too_slow"), SimpleNamespace(id="zero", when="zero_based_indices")]
    assert d.matching(diagnoses, case([2, 5], [1, 4])).id == "zero"
    assert d.matching(diagnoses, case([2, 5], [9, 9])) is None
    assert all(d.describe(name) and not d.describe(name).startswith(name) for name in d.PREDICATES)

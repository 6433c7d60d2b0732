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


@pytest.mark.parametrize(
    ("when", "failing", "holds"),
    [
        # What the differing values say: the direction of a number, a boolean, a lost fraction.
        ("answer_too_large", case(5, 6), True),
        ("answer_too_large", case([[1, 0], [2, 1]], [[6, 0], [6, 1]]), True),
        ("answer_too_large", case([1, 5], [2, 4]), False),
        ("answer_too_large", case("abcd", "adcb"), True),
        ("answer_too_large", case("ab", "abc"), False),
        ("answer_too_small", case(21, 7), True),
        ("answer_too_small", case(None, None, status="timeout"), False),
        ("false_instead_of_true", case(True, False), True),
        ("false_instead_of_true", case([None, True, False], [None, False, False]), True),
        ("false_instead_of_true", case([None, True, False], [None, False, True]), False),
        ("true_instead_of_false", case([None, True, False], [None, True, True]), True),
        ("true_instead_of_false", case(True, 1), False),
        ("missed_impossible", case(-1, 4), True),
        ("missed_impossible", case(3, 4), False),
        ("sign_lost", case(-9, 2**32 - 9), True),
        ("sign_lost", case(-9, 2**31 - 9), True),
        ("sign_lost", case(-1, 2), False),
        ("truncated_fraction", case([None, 4.5, 3.0], [None, 4, 3.0]), True),
        ("truncated_fraction", case([3.5, -0.5], [3.0, -1.0]), True),
        ("truncated_fraction", case([4.0], [3.0]), False),
        ("string_too_long", case("ra ra", "rain ra"), True),
        ("string_too_long", case([["..Q", "Q.."]], [["..Q.", "Q..."]]), True),
        ("string_too_short", case("sun moon", "su moo"), True),
        ("string_too_short", case("sun", "sux"), False),
        ("shifted_by_one", case([0, 4, 4], [0, 0, 4]), True),
        ("shifted_by_one", case(["b", "ba", "ban"], ["", "b", "ba"]), True),
        ("shifted_by_one", case([["b"], ["b"], ["k"]], [["b"], ["b"], ["b"]]), True),
        ("shifted_by_one", case([1, 1, 1, 1], [1, 1, 1, 0]), False),
        ("shifted_by_one", case([5, 5, 5], [0, 5, 5]), False),
        ("shifted_by_one", case([1, 2], [2, 3]), False),
        # Which answers came back.
        ("extra_answers", case([2, 3], [1, 2, 3, 4]), True),
        ("extra_answers", case([], ["a", "b"]), True),
        ("extra_answers", case([[2, 2, 3]], [[2, 2, 3], [3, 2, 2]]), False),
        ("extra_answers", case([[".Q", "Q."]], [[".Q", "Q."], ["Q.", ".Q"]]), True),
        ("wrong_pick", case([1, 4], [2, 4], edges=[[1, 3], [2, 4], [1, 4]]), True),
        ("wrong_pick", case(9, 4, nums=[9, 4]), True),
        ("wrong_pick", case(18, 15, nums=[3, 10, 4, 2, 8]), False),
        ("wrong_selection", case(["apple", "fig"], ["pear", "apple"]), True),
        ("wrong_selection", case([["da", "db"], ["d"]], [["dd", "da"], ["d"]]), True),
        ("wrong_selection", case(["go", "run"], ["run", "go"]), False),
        ("wrong_selection", case([1, 2], [3, 4]), False),
    ],
)
def test_each_added_predicate_recognises_its_mistake(when: str, failing: d.FailedCase, holds: bool) -> None:
    assert d.PREDICATES[when](failing) is holds


@pytest.mark.parametrize(
    ("when", "failing", "holds"),
    [
        # Levels merged or split: the same values in the same order, other rows.
        ("regrouped", case([[3], [9, 20], [15, 7]], [[3, 9, 20, 15, 7]]), True),
        ("regrouped", case([[3], [9, 20]], [[3], [20, 9]]), False),
        ("regrouped", case([1, 2], [2, 1]), False),
        # -1 for "not found" although the value is there.
        ("reported_not_found", case(1, -1, nums=[3, 1], target=1), True),
        ("reported_not_found", case([7, 8, 5], [7, -1, -1]), True),
        ("reported_not_found", case([7, 8, 5], [7, -1, 4]), False),
        ("reported_not_found", case(-1, 2), False),
        # A best that stayed at its starting 0.
        ("zero_instead_of_answer", case(6, 0), True),
        ("zero_instead_of_answer", case(0, 1), False),
        ("zero_instead_of_answer", case(6, None, status="error"), False),
        # The answer one past the last index, as for an insert position at the end.
        ("past_the_end_missed", case(4, 3, nums=[2, 5, 9, 14], target=20), True),
        ("past_the_end_missed", case(2, 1, nums=[2, 5, 9, 14], target=6), False),
        # Positions reported instead of the input's own values.
        ("values_not_in_input", case([3, 5], [4, 6], nums=[5, 3, 1, 3, 5, 2]), True),
        ("values_not_in_input", case([3, 5], [3, 1], nums=[5, 3, 1, 3, 5, 2]), False),
        ("values_not_in_input", case([3], [], nums=[3, 3, 1]), False),
        # A total that was never reduced.
        ("modulo_forgotten", case(449978500, 4500450010000 % (10**9 + 7) + 3 * (10**9 + 7)), True),
        ("modulo_forgotten", case(5, 6), False),
        # A window of two, where lo == mid.
        ("two_elements", case(1, -1, nums=[3, 1], target=1), True),
        ("two_elements", case(1, -1, nums=[5, 1, 3], target=5), False),
        # Positions reported for a value that is not there.
        ("positions_for_absent", case([-1, -1], [4, 3]), True),
        ("positions_for_absent", case([-1, -1], [-1, 3]), False),
        ("positions_for_absent", case([1, 3], [4, 3]), False),
    ],
)
def test_each_predicate_for_the_middle_patterns_recognises_its_mistake(when: str, failing: d.FailedCase, holds: bool) -> None:
    assert d.PREDICATES[when](failing) is holds


def test_a_failing_case_can_show_several_mistakes_and_the_order_of_the_diagnoses_decides() -> None:
    """A count of 0 for 1 is off by one and too small: the problem lists the one it means first."""
    failing = case(1, 0)
    small = [SimpleNamespace(id="small", when="answer_too_small"), SimpleNamespace(id="off", when="off_by_one")]
    assert d.matching(small, failing).id == "small"
    assert d.matching(list(reversed(small)), failing).id == "off"


@pytest.mark.parametrize(
    ("when", "failing", "holds"),
    [
        # Numbers that mean "nothing" or "none", and where the answer sits in the input.
        ("answered_zero", case(6, 0), True),
        ("answered_zero", case(6, 2), False),
        ("answered_zero", case(0, 3), False),
        ("said_none_exists", case(3, -1), True),
        ("said_none_exists", case(-1, 3), False),
        ("missed_end_position", case(0, -1, nums=[2, 1, -1]), True),
        ("missed_end_position", case(4, -1, nums=[1, 2, 3, 4, 5]), True),
        ("missed_end_position", case(3, -1, nums=[1, 7, 3, 6, 5, 6]), False),
        ("not_from_input", case(4, 5, nums=[1, 4, 4, 2, 4]), True),
        ("not_from_input", case(4, 2, nums=[1, 4, 3, 4, 2]), False),
        ("repeats_in_input", case(3, 2, nums=[1, 2, 0, 1]), True),
        ("repeats_in_input", case(4, 3, nums=[100, 4, 200, 1, 3, 2]), False),
        ("answer_where_none", case("", "a"), True),
        ("answer_where_none", case([], [[1, 2]]), True),
        ("answer_where_none", case("ab", "a"), False),
        # Groups, and repeated items in them.
        ("groups_merged", case([["ab"], ["abb", "bab"]], [["ab", "abb", "bab"]]), True),
        ("groups_merged", case([["ab"], ["ba"]], [["ab"], ["ba"]]), False),
        ("groups_split", case([["ab", "ba"]], [["ab"], ["ba"]]), True),
        ("groups_split", case([["ab"], ["abb", "bab"]], [["ab", "abb", "bab"]]), False),
        ("repeats_dropped", case([["", ""]], [[""]]), True),
        ("repeats_dropped", case([1, 1, 2], [1, 2]), True),
        ("repeats_dropped", case([1, 2], [1]), False),
        # Intervals.
        ("touching_left_apart", case([[1, 4], [5, 9]], [[1, 2], [2, 4], [5, 9]]), True),
        ("touching_left_apart", case([[1, 4], [5, 9]], [[1, 3], [5, 9]]), False),
        ("touching_left_apart", case([[1, 1]], [[1, 1], [1, 1]]), True),
        ("overlaps_left", case([[1, 4], [5, 9]], [[5, 7], [1, 4], [6, 9]]), True),
        ("overlaps_left", case([[1, 4], [5, 9]], [[1, 2], [2, 4], [5, 9]]), False),
        ("point_intervals_dropped", case([[4, 4], [5, 6]], [[5, 6]]), True),
        ("point_intervals_dropped", case([[1, 2], [4, 8]], [[1, 2]]), False),
    ],
)
def test_predicates_about_none_groups_and_intervals_recognise_their_mistake(
        when: str, failing: d.FailedCase, holds: bool) -> None:
    assert d.PREDICATES[when](failing) is holds

"""Diagnoses: the typical mistake a failing case shows, so the first hint answers that failure.

A problem names its typical mistakes in its YAML (`diagnoses:`), each a predicate from the
library below over the first failing case (its arguments, the expected value, what the
learner's code returned, and how the case ended) with a hint of its own. When a run fails, the
first diagnosis whose predicate holds is the first hint the learner is offered; the problem's
fixed ladder of hints follows.

Predicates work on the JSON values the judge compared (lists, numbers, strings, None), so they
are the same on the learner's machine and on the server. More of them (numbers that mean
"none", groups, repeats, intervals) live in domain/diagnosis_more.py and are registered here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from patternlift_cli.domain.diagnosis_more import MORE_PREDICATES


@dataclass(frozen=True)
class FailedCase:
    args: Mapping[str, Any]         # parameter name -> value, as the case passed it
    expected: Any
    actual: Any
    status: str                     # failed | error | timeout | memory


def _numbers(value: Any) -> list[int] | None:
    if isinstance(value, list) and all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        return value
    return None


def zero_based_indices(case: FailedCase) -> bool:
    """Returned 0-based positions where the problem counts from 1."""
    expected, actual = _numbers(case.expected), _numbers(case.actual)
    return bool(expected and actual and len(expected) == len(actual) and all(a == e - 1 for a, e in zip(actual, expected)))


def one_based_indices(case: FailedCase) -> bool:
    """Returned 1-based positions where the problem counts from 0."""
    expected, actual = _numbers(case.expected), _numbers(case.actual)
    return bool(expected and actual and len(expected) == len(actual) and all(a == e + 1 for a, e in zip(actual, expected)))


def off_by_one(case: FailedCase) -> bool:
    """A count, length or index one too many or one too few."""
    expected, actual = case.expected, case.actual
    if isinstance(expected, int) and isinstance(actual, int) and not isinstance(expected, bool):
        return abs(expected - actual) == 1
    if isinstance(expected, list) and isinstance(actual, list):
        return abs(len(expected) - len(actual)) == 1 and (
            expected[: len(actual)] == actual or actual[: len(expected)] == expected
            or expected[1:] == actual or actual[1:] == expected
        )
    return False


def _key(value: Any) -> str:
    return repr(sorted(value) if isinstance(value, list) and all(not isinstance(v, list) for v in value) else value)


def duplicates_in_output(case: FailedCase) -> bool:
    """The same answer (a value, a pair, a triple) reported more than once."""
    actual = case.actual
    if not isinstance(actual, list) or len(actual) < 2:
        return False
    keys = [_key(item) for item in actual]
    return len(set(keys)) < len(keys) and len(set(keys)) <= len(case.expected or [])


def unsorted_output(case: FailedCase) -> bool:
    """The right items in the wrong order (the problem asks for a sorted order)."""
    expected, actual = case.expected, case.actual
    if not isinstance(expected, list) or not isinstance(actual, list) or actual == expected:
        return False
    try:
        return sorted(map(_key, actual)) == sorted(map(_key, expected))
    except TypeError:
        return False


def _sized(args: Mapping[str, Any]) -> list[Sequence[Any]]:
    return [value for value in args.values() if isinstance(value, list | str)]


def empty_input(case: FailedCase) -> bool:
    """The failing case has an empty list or string among its arguments."""
    return any(len(value) == 0 for value in _sized(case.args))


def single_element(case: FailedCase) -> bool:
    """The failing case has a one-element list (or one-character string) among its arguments."""
    return any(len(value) == 1 for value in _sized(case.args))


def missing_answers(case: FailedCase) -> bool:
    """Some right answers, but not all of them (a search that stops early or skips)."""
    expected, actual = case.expected, case.actual
    if not isinstance(expected, list) or not isinstance(actual, list) or len(actual) >= len(expected):
        return False
    wanted = [_key(item) for item in expected]
    return all(_key(item) in wanted for item in actual)


def returned_nothing(case: FailedCase) -> bool:
    """Nothing came back: None, or an empty result where one was expected."""
    return case.status == "failed" and (case.actual is None or (case.actual in ([], "", {}) and case.expected not in ([], "", {}, None)))


def too_slow(case: FailedCase) -> bool:
    """The case ran out of time: the approach is slower than the problem allows."""
    return case.status == "timeout"


def crashed(case: FailedCase) -> bool:
    """The code raised an exception on the case."""
    return case.status == "error"


# ----- what the differing values say (a number too big, True for False, a fraction lost) -----

def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(expected: Any, actual: Any) -> bool:
    """Equal as the judge sees it: a boolean answer may be an int, floats within its tolerance."""
    if isinstance(expected, bool):
        return isinstance(actual, int) and bool(actual) == expected
    if _is_number(expected) and _is_number(actual):
        return math.isclose(actual, expected, rel_tol=1e-5, abs_tol=1e-5)
    return expected == actual


def _mismatches(expected: Any, actual: Any) -> list[tuple[Any, Any]]:
    """The (expected, actual) pairs that differ, position by position through lists of the same
    length; a list of another length is one differing pair."""
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [pair for e, a in zip(expected, actual) for pair in _mismatches(e, a)]
    return [] if _same(expected, actual) else [(expected, actual)]


def _every_mismatch(case: FailedCase, test: Callable[[Any, Any], bool]) -> bool:
    pairs = _mismatches(case.expected, case.actual) if case.status == "failed" else []
    return bool(pairs) and all(test(expected, actual) for expected, actual in pairs)


def _comparable(expected: Any, actual: Any) -> bool:
    both_numbers = _is_number(expected) and _is_number(actual)
    return both_numbers or (isinstance(expected, str) and isinstance(actual, str) and len(expected) == len(actual))


def answer_too_large(case: FailedCase) -> bool:
    """Larger than expected wherever it differs (a number, or a same-length string later in dictionary order)."""
    return _every_mismatch(case, lambda e, a: _comparable(e, a) and a > e)


def answer_too_small(case: FailedCase) -> bool:
    """Smaller than expected wherever it differs (a number, or a same-length string earlier in dictionary order)."""
    return _every_mismatch(case, lambda e, a: _comparable(e, a) and a < e)


def false_instead_of_true(case: FailedCase) -> bool:
    """Answered False where the answer is True (a way, an order or a match that exists was missed)."""
    return _every_mismatch(case, lambda e, a: e is True and isinstance(a, int) and not a)


def true_instead_of_false(case: FailedCase) -> bool:
    """Answered True where the answer is False (something was accepted that should not be)."""
    return _every_mismatch(case, lambda e, a: e is False and isinstance(a, int) and bool(a))


def missed_impossible(case: FailedCase) -> bool:
    """Gave a number where the problem's answer for 'impossible' (-1) was expected."""
    return case.status == "failed" and case.expected == -1 and _is_number(case.actual) and case.actual != -1


def sign_lost(case: FailedCase) -> bool:
    """A negative answer read as an unsigned number (expected + 2^k: the sign bit never converted)."""
    def unsigned(expected: Any, actual: Any) -> bool:
        return (isinstance(expected, int) and isinstance(actual, int) and not isinstance(actual, bool)
                and expected < 0 < actual and any(actual == expected + 2 ** bits for bits in range(8, 65)))
    return _every_mismatch(case, unsigned)


def truncated_fraction(case: FailedCase) -> bool:
    """A fractional answer rounded down to a whole number (integer division where a .5 must stay)."""
    def truncated(expected: Any, actual: Any) -> bool:
        return (_is_number(expected) and _is_number(actual) and not float(expected).is_integer()
                and any(_same(whole, actual) for whole in (math.floor(expected), math.trunc(expected))))
    return _every_mismatch(case, truncated)


def string_too_long(case: FailedCase) -> bool:
    """A returned string longer than expected wherever it differs (characters that should have been cut)."""
    return _every_mismatch(case, lambda e, a: isinstance(e, str) and isinstance(a, str) and len(a) > len(e))


def string_too_short(case: FailedCase) -> bool:
    """A returned string shorter than expected wherever it differs (characters cut or never added)."""
    return _every_mismatch(case, lambda e, a: isinstance(e, str) and isinstance(a, str) and len(a) < len(e))


def shifted_by_one(case: FailedCase) -> bool:
    """A sequence of answers one step early or late (the answer for i reported at i + 1, or i - 1)."""
    expected, actual = case.expected, case.actual
    if not isinstance(expected, list) or not isinstance(actual, list):
        return False
    if len(expected) != len(actual) or len(actual) < 3:
        return False

    def late(wanted: list[Any], got: list[Any]) -> bool:
        # got[i] holds wanted[i - 1] everywhere, and that explains a real difference: got[0]
        # alone (an answer for a step before the first) proves nothing.
        return not _mismatches(wanted[:-1], got[1:]) and bool(_mismatches(wanted[1:], got[1:]))
    return late(expected, actual) or late(expected[::-1], actual[::-1])


# ----- which answers came back (a set of answers: more of them, other ones) -------------------

def _answer_key(item: Any) -> str:
    """One answer, as compared: a list of numbers (a pair, a combination) in any order; anything
    else, rows of a board included, as it is."""
    return repr(sorted(item) if _numbers(item) is not None and item else item)


def extra_answers(case: FailedCase) -> bool:
    """Every expected answer, plus answers that should not be there."""
    expected, actual = case.expected, case.actual
    if not isinstance(expected, list) or not isinstance(actual, list):
        return False
    wanted, got = {_answer_key(item) for item in expected}, {_answer_key(item) for item in actual}
    return wanted < got


def wrong_pick(case: FailedCase) -> bool:
    """Picked one of the input's own items, but not the one asked for."""
    expected, actual = case.expected, case.actual
    if case.status != "failed" or actual is None or isinstance(actual, bool) or _same(expected, actual):
        return False
    return any(actual in value and expected in value for value in case.args.values() if isinstance(value, list))


def _partly_right(expected: Any, actual: Any) -> bool:
    if not isinstance(expected, list) or not isinstance(actual, list) or len(expected) != len(actual):
        return False
    wanted, got = Counter(map(_answer_key, expected)), Counter(map(_answer_key, actual))
    return wanted != got and bool(wanted & got)


def wrong_selection(case: FailedCase) -> bool:
    """As many answers as expected, some right and some not (chosen or ranked by the wrong rule).

    In a list of lists (suggestions per prefix, say), every inner list that differs is like that.
    """
    expected, actual = case.expected, case.actual
    if _partly_right(expected, actual):
        return True
    if not isinstance(expected, list) or not isinstance(actual, list) or len(expected) != len(actual):
        return False
    differing = [(e, a) for e, a in zip(expected, actual) if _mismatches(e, a)]
    return bool(differing) and all(_partly_right(e, a) for e, a in differing)


# ----- what the answer's shape and the case's input say (levels, -1, 0, positions) -------------

def regrouped(case: FailedCase) -> bool:
    """The right values in the right order, grouped into the wrong rows (levels merged or split)."""
    expected, actual = case.expected, case.actual
    if not isinstance(expected, list) or not isinstance(actual, list) or expected == actual:
        return False
    if not all(isinstance(row, list) for row in [*expected, *actual]):
        return False
    return [item for row in expected for item in row] == [item for row in actual for item in row]


def reported_not_found(case: FailedCase) -> bool:
    """Answered -1 ("not found", "none") wherever it differs, although a real answer exists there."""
    return _every_mismatch(case, lambda e, a: a == -1 and _is_number(a) and _is_number(e))


def zero_instead_of_answer(case: FailedCase) -> bool:
    """Answered 0 where the answer is another number (a best or a total that was never updated)."""
    return case.status == "failed" and _is_number(case.expected) and case.expected != 0 and _same(0, case.actual)


def past_the_end_missed(case: FailedCase) -> bool:
    """The answer is the position just past the input's end (its length), and the code gave another."""
    expected = case.expected
    if case.status != "failed" or not isinstance(expected, int) or isinstance(expected, bool) or expected == case.actual:
        return False
    return any(isinstance(value, list) and len(value) == expected > 0 for value in case.args.values())


def values_not_in_input(case: FailedCase) -> bool:
    """Reported numbers that occur nowhere in the input (positions or made-up values, not its own items)."""
    got, wanted = _numbers(case.actual) or [], _numbers(case.expected) or []
    unexpected = [item for item in got if item not in wanted]
    inputs = [value for value in case.args.values() if _numbers(value) is not None]
    return case.status == "failed" and bool(unexpected and inputs) and not any(
        item in value for item in unexpected for value in inputs)


MODULUS = 10**9 + 7


def modulo_forgotten(case: FailedCase) -> bool:
    """The right number, but not reduced modulo 10^9 + 7 as the problem asks."""
    expected, actual = case.expected, case.actual
    return (isinstance(expected, int) and isinstance(actual, int) and not isinstance(actual, bool)
            and actual != expected and actual % MODULUS == expected)


def two_elements(case: FailedCase) -> bool:
    """The failing case has a two-element list among its arguments (where lo and mid meet)."""
    return any(len(value) == 2 for value in case.args.values() if isinstance(value, list))



def positions_for_absent(case: FailedCase) -> bool:
    """Gave positions where every answer is -1 (the value is not there at all)."""
    expected, actual = _numbers(case.expected), _numbers(case.actual)
    return bool(expected and actual and set(expected) == {-1} and -1 not in actual)

PREDICATES: dict[str, Callable[[FailedCase], bool]] = {
    function.__name__: function
    for function in (
        zero_based_indices, one_based_indices, off_by_one, duplicates_in_output, unsorted_output,
        empty_input, single_element, missing_answers, returned_nothing, too_slow, crashed,
        answer_too_large, answer_too_small, false_instead_of_true, true_instead_of_false,
        missed_impossible, sign_lost, truncated_fraction, string_too_long, string_too_short,
        shifted_by_one, extra_answers, wrong_pick, wrong_selection,
        regrouped, reported_not_found, zero_instead_of_answer, past_the_end_missed, values_not_in_input,
        modulo_forgotten, two_elements, positions_for_absent,
        *MORE_PREDICATES,
    )
}


def describe(when: str) -> str:
    """What the predicate recognises, in one line (its docstring's first line)."""
    return (PREDICATES[when].__doc__ or when).strip().splitlines()[0]


def matching(diagnoses: Sequence[Any], case: FailedCase) -> Any | None:
    """The first diagnosis (objects with a `when` predicate name) that the case shows."""
    for diagnosis in diagnoses:
        if PREDICATES[diagnosis.when](case):
            return diagnosis
    return None

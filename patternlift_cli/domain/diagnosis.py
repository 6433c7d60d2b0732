"""Diagnoses: the typical mistake a failing case shows, so the first hint answers that failure.

A problem names its typical mistakes in its YAML (`diagnoses:`), each a predicate from the
library below over the first failing case (its arguments, the expected value, what the
learner's code returned, and how the case ended) with a hint of its own. When a run fails, the
first diagnosis whose predicate holds is the first hint the learner is offered; the problem's
fixed ladder of hints follows.

Predicates work on the JSON values the judge compared (lists, numbers, strings, None), so they
are the same on the learner's machine and on the server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


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


PREDICATES: dict[str, Callable[[FailedCase], bool]] = {
    function.__name__: function
    for function in (
        zero_based_indices, one_based_indices, off_by_one, duplicates_in_output, unsorted_output,
        empty_input, single_element, missing_answers, returned_nothing, too_slow, crashed,
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

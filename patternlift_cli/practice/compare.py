"""How an answer is compared with the expected one (a problem's `compare` mode). Parent side only:
both values are plain JSON data by the time they get here."""

from __future__ import annotations

import json
import math
from typing import Any

FLOAT_TOLERANCE = 1e-5


# One encoder for every key: json.dumps with options builds a new encoder on each call.
_sort_key = json.JSONEncoder(sort_keys=True, default=repr).encode


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return a == b


def matches(actual: Any, expected: Any, mode: str) -> bool:
    if mode == "float":
        return _close(actual, expected)
    if mode in ("unordered", "unordered_nested"):
        if not isinstance(actual, list) or not isinstance(expected, list):
            return False
        if len(actual) != len(expected):  # before sorting: an answer may be huge
            return False

        def normalise(rows: list) -> list[str]:
            if mode == "unordered":
                return sorted(map(_sort_key, rows))
            return sorted(
                _sort_key(sorted(row, key=_sort_key)) if isinstance(row, list) else _sort_key(row) for row in rows
            )

        return normalise(actual) == normalise(expected)
    return _exact(actual, expected)


def _exact(actual: Any, expected: Any) -> bool:
    """Python's equality, except that a truthy non-number is no boolean answer."""
    if isinstance(expected, bool):
        return isinstance(actual, int) and bool(actual) == expected
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(_exact(a, e) for a, e in zip(actual, expected))
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(_exact(actual[k], expected[k]) for k in actual)
    return actual == expected


def plain(value: Any) -> Any:
    """An expected value as JSON data (tuples from `expected_py` become lists, as answers do)."""
    return json.loads(json.dumps(value, allow_nan=True))

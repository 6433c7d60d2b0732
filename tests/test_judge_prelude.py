"""LeetCode's prelude: the names a correct LeetCode solution uses without importing them."""

from __future__ import annotations

import pytest

from patternlift_cli.practice import prelude
from patternlift_cli.practice.judge import judge_source
from tests.judge_support import isolation, make_problem  # noqa: F401

# name -> an expression using it, and what LeetCode's Python 3 gives for it
NAMES = {
    "xor": ("xor(6, 3)", 5),
    "count": ("list(islice(count(2), 3))", [2, 3, 4]),
    "islice": ("list(islice('abcd', 2))", ["a", "b"]),
    "prod": ("prod([2, 3, 4])", 24),
    "lcm": ("lcm(4, 6)", 12),
    "log": ("round(log(e), 6)", 1.0),
    "pi": ("round(pi, 4)", 3.1416),
    "deepcopy": ("deepcopy([[1]])", [[1]]),
    "namedtuple": ("list(namedtuple('P', 'x y')(1, 2))", [1, 2]),
    "itemgetter": ("itemgetter(1)([5, 6])", 6),
    "ascii_lowercase": ("ascii_lowercase[:3]", "abc"),
    "SortedList": ("list(SortedList([3, 1, 2]))", [1, 2, 3]),
    "SortedDict": ("list(SortedDict({'b': 1, 'a': 2}))", ["a", "b"]),
    "SortedSet": ("list(SortedSet([2, 2, 1]))", [1, 2]),
    "heappush": ("(lambda h: (heappush(h, 3), heappush(h, 1), heappop(h))[2])([])", 1),
    "bisect_left": ("bisect_left([1, 2, 4], 3)", 2),
    "reduce": ("reduce(add, [1, 2, 3])", 6),
    "cache": ("cache(lambda x: x * 2)(4)", 8),
    "accumulate": ("list(accumulate([1, 2, 3]))", [1, 3, 6]),
    "defaultdict": ("defaultdict(int)['x']", 0),
    "deque": ("deque([1, 2]).popleft()", 1),
    "Counter": ("Counter('aab').most_common(1)", [["a", 2]]),
    "inf": ("inf > 10 ** 18", True),
    "gcd": ("gcd(12, 18)", 6),
    "comb": ("comb(5, 2)", 10),
    "pow": ("pow(2, 10, 1000)", 24),  # builtins' pow wins over math's, as on LeetCode
    "median": ("median([3, 1, 2])", 2),
    "mean": ("mean([1, 2, 3])", 2),
    "digits": ("digits", "0123456789"),
    "random": ("random.__name__", "random"),
    "dumps": ("dumps([1])", "[1]"),
    "List": ("List[int].__origin__.__name__", "list"),
    "Optional": ("str(Optional[int])", "typing.Optional[int]"),
    "ListNode": ("ListNode(1).val", 1),
    "TreeNode": ("TreeNode(2).left is None", True),
    "setrecursionlimit": ("callable(setrecursionlimit)", True),
}


def test_every_name_resolves_to_what_leetcode_gives(isolation: str) -> None:
    problem = make_problem(
        signature={"method": "check", "params": [], "returns": "List"},
        cases=[{"args": [], "expected": [expected for _, expected in NAMES.values()]}],
    )
    body = ", ".join(expression for expression, _ in NAMES.values())
    source = f"class Solution:\n    def check(self) -> List:\n        return [{body}]\n"
    report = judge_source(problem, source)
    if not report.all_passed:
        failure = report.first_failure
        got = failure.actual_value or []
        wrong = {name: value for (name, (_, expected)), value in zip(NAMES.items(), got) if value != expected}
        pytest.fail(f"{report.message}: {wrong or failure.traceback}")


def test_a_name_the_prelude_does_not_have_is_a_name_error() -> None:
    problem = make_problem(signature={"method": "check", "params": [], "returns": "int"}, cases=[{"args": [], "expected": 1}])
    report = judge_source(problem, "class Solution:\n    def check(self) -> int:\n        return numpy.zeros(1)\n")
    assert report.first_failure.traceback[-1] == "NameError: name 'numpy' is not defined"


def test_the_cached_name_table_matches_this_interpreter() -> None:
    """Regenerate with `python -m patternlift_cli.practice.prelude` when this fails."""
    import json

    from patternlift_cli.practice.sandbox import sortedcontainers_dir

    stored = json.loads(prelude.CACHE_FILE.read_text()).get(prelude.version_key())
    if stored is None:
        pytest.skip(f"no cached table for {prelude.version_key()}; the judge computes it at run time")
    assert stored == prelude.compute(lib=str(sortedcontainers_dir().parent))

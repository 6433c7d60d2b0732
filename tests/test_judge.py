"""The practice judge against real child processes: verdicts, limits and LeetCode conventions."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from patternlift_cli.content.models import Problem
from patternlift_cli.practice.judge import judge_file, judge_source

BASE_PROBLEM: dict[str, Any] = {
    "pattern": "demo",
    "level": 1,
    "title": "Demo",
    "statement": "demo",
    "hints": ["a", "b", "c"],
    "solution": {"time": "O(n)", "space": "O(1)", "code": "pass"},
    "wrong_solutions": [{"kind": "wrong_logic", "description": "x", "code": "pass"}],
}


def make_problem(**fields: Any) -> Problem:
    data = {**BASE_PROBLEM, "id": "demo-1-x", **fields}
    return Problem.model_validate(data)


SUM_PROBLEM = make_problem(
    signature={"method": "total", "params": [{"name": "nums", "type": "List[int]"}], "returns": "int"},
    cases=[
        {"args": [[1, 2, 3]], "expected": 6},
        {"args": [[]], "expected": 0, "note": "empty list"},
        {"args": [[-5, 5]], "expected": 0},
    ],
)
SUM_HEADER = "class Solution:\n    def total(self, nums: List[int]) -> int:\n"


@pytest.fixture(autouse=True)
def _isolated(home: Path) -> None:
    """Judge limits come from settings; keep them at their defaults."""


def test_a_correct_solution_passes_every_case() -> None:
    report = judge_source(SUM_PROBLEM, SUM_HEADER + "        return sum(nums)\n")
    assert report.verdict == "accepted"
    assert (report.passed_count, report.total) == (3, 3)
    assert report.first_failure is None


def test_a_wrong_answer_shows_input_expected_and_actual_of_the_first_failure() -> None:
    report = judge_source(SUM_PROBLEM, SUM_HEADER + "        return sum(nums) if nums else -1\n")
    assert report.verdict == "wrong_answer"
    assert [case.status for case in report.cases] == ["passed", "failed", "passed"]
    failure = report.first_failure
    assert (failure.number, failure.input, failure.expected, failure.actual) == (2, "nums = []", "0", "-1")
    assert failure.note == "empty list"
    assert report.message == "2 of 3 cases passed; case 2 gave a wrong answer"


def test_an_exception_shows_the_learners_own_traceback_lines(tmp_path: Path) -> None:
    solution = tmp_path / "mine.py"
    solution.write_text(SUM_HEADER + "        return helper(nums)\n\n\ndef helper(values):\n    return values[0] + values[99]\n")
    report = judge_file(SUM_PROBLEM, solution)
    assert report.verdict == "runtime_error"
    trace = report.first_failure.traceback
    assert trace == [
        "line 3, in total: return helper(nums)",
        "line 7, in helper: return values[0] + values[99]",
        "IndexError: list index out of range",
    ]
    assert not any("harness" in line for line in trace)


def test_a_syntax_error_names_the_line() -> None:
    report = judge_source(SUM_PROBLEM, "class Solution:\n    def total(self, nums)\n        return 0\n")
    assert report.verdict == "syntax_error"
    assert report.message.startswith("syntax error on line 2")


def test_an_infinite_loop_is_stopped_as_soon_as_it_has_used_its_cpu_budget() -> None:
    report = judge_source(SUM_PROBLEM, SUM_HEADER + "        while True:\n            pass\n", time_limit_seconds=1)
    assert report.verdict == "time_limit"
    assert report.message.startswith("time limit exceeded on case 1")
    # Counted in CPU seconds by the kernel, so a loaded machine does not change the verdict.
    assert 1.0 <= report.cpu_seconds < 1.3


def test_code_that_sleeps_cannot_hang_the_judge() -> None:
    started = time.monotonic()
    report = judge_source(SUM_PROBLEM, SUM_HEADER + "        import time\n        time.sleep(60)\n", time_limit_seconds=1)
    assert report.verdict == "time_limit"
    assert time.monotonic() - started < 5


def test_a_timeout_names_the_case_it_happened_on() -> None:
    source = SUM_HEADER + "        while nums == [-5, 5]:\n            pass\n        return sum(nums)\n"
    report = judge_source(SUM_PROBLEM, source, time_limit_seconds=1)
    assert report.message.startswith("time limit exceeded on case 3")
    assert [case.status for case in report.cases] == ["passed", "passed", "timeout"]


@pytest.mark.parametrize(
    "bomb",
    ["        x = [0] * (10 ** 10)\n", "        x = []\n        while True:\n            x.append(bytearray(10 ** 7))\n"],
)
def test_a_memory_bomb_is_a_memory_limit(bomb: str) -> None:
    report = judge_source(SUM_PROBLEM, SUM_HEADER + bomb, memory_limit_mb=64)
    assert report.verdict == "memory_limit"
    assert "memory limit exceeded" in report.message


def test_a_flood_of_prints_is_capped_and_shown_only_for_the_failing_case() -> None:
    source = SUM_HEADER + "        for _ in range(200000):\n            print('spam' * 50)\n        return sum(nums) or 1\n"
    report = judge_source(SUM_PROBLEM, source, output_limit_kb=8, time_limit_seconds=10)
    assert report.verdict == "wrong_answer" and report.first_failure.number == 2
    assert report.output_truncated
    assert len(report.output.splitlines()) <= 12 and len(report.output) <= 12 * 201


def test_a_passing_run_shows_no_output() -> None:
    report = judge_source(SUM_PROBLEM, SUM_HEADER + "        print('debugging', nums)\n        return sum(nums)\n")
    assert report.verdict == "accepted" and report.output == ""


def test_writes_straight_to_the_file_descriptor_are_capped_too() -> None:
    source = SUM_HEADER + "        import os\n        while True:\n            os.write(1, b'x' * 65536)\n"
    report = judge_source(SUM_PROBLEM, source, output_limit_kb=8)
    assert report.verdict in ("runtime_error", "time_limit")
    assert len(report.output) <= 8 * 1024


@pytest.mark.parametrize(
    "escape",
    [
        "        import sys\n        sys.exit(0)\n",
        "        import os\n        os._exit(0)\n",
        "        import os, signal\n        os.kill(os.getpid(), signal.SIGKILL)\n",
        "        import os\n        for fd in range(20):\n            try:\n                os.close(fd)\n            except OSError:\n                pass\n        return 0\n",
    ],
)
def test_learner_code_cannot_fake_a_pass_or_crash_the_judge(escape: str) -> None:
    report = judge_source(SUM_PROBLEM, SUM_HEADER + escape)
    assert not report.all_passed
    # Closing fds 0-19 cuts the results channel only when its number is below 20 (it depends on
    # what the calling process has open); otherwise `return 0` is judged, and is wrong on case 1.
    assert report.verdict in ("runtime_error", "time_limit", "memory_limit", "wrong_answer")


def test_a_file_without_the_class_says_so() -> None:
    report = judge_source(SUM_PROBLEM, "def total(nums):\n    return sum(nums)\n")
    assert report.verdict == "runtime_error"
    assert "no class Solution" in report.first_failure.traceback[-1]


def test_leetcode_preimports_work_unannotated() -> None:
    source = (
        "class Solution:\n"
        "    def total(self, nums: List[int]) -> int:\n"
        "        q = deque(nums)\n"
        "        heap = []\n"
        "        for x in q:\n"
        "            heappush(heap, x)\n"
        "        return reduce(lambda a, b: a + b, heap, 0) + bisect_left([], 1) + floor(0.5)\n"
    )
    assert judge_source(SUM_PROBLEM, source).verdict == "accepted"


LIST_PROBLEM = make_problem(
    signature={"method": "reverseList", "params": [{"name": "head", "type": "Optional[ListNode]"}], "returns": "Optional[ListNode]"},
    cases=[{"args": [[1, 2, 3]], "expected": [3, 2, 1]}, {"args": [[]], "expected": []}, {"args": [[7]], "expected": [7]}],
)


def test_linked_lists_are_built_from_and_compared_as_lists() -> None:
    source = (
        "class Solution:\n"
        "    def reverseList(self, head: Optional[ListNode]) -> Optional[ListNode]:\n"
        "        prev = None\n"
        "        while head:\n"
        "            head.next, prev, head = prev, head, head.next\n"
        "        return prev\n"
    )
    assert judge_source(LIST_PROBLEM, source).verdict == "accepted"


def test_a_cyclic_returned_list_is_an_error_not_a_hang() -> None:
    source = (
        "class Solution:\n"
        "    def reverseList(self, head):\n"
        "        if head:\n"
        "            head.next = head\n"
        "        return head\n"
    )
    report = judge_source(LIST_PROBLEM, source)
    assert report.verdict == "runtime_error"


TREE_PROBLEM = make_problem(
    signature={"method": "invertTree", "params": [{"name": "root", "type": "Optional[TreeNode]"}], "returns": "Optional[TreeNode]"},
    cases=[
        {"args": [[4, 2, 7, 1, 3, 6, 9]], "expected": [4, 7, 2, 9, 6, 3, 1]},
        {"args": [[3, 9, 20, None, None, 15, 7]], "expected": [3, 20, 9, 7, 15]},
        {"args": [[]], "expected": []},
        {"args": [[1, None, 2]], "expected": [1, 2]},
    ],
)


def test_trees_use_leetcodes_level_order_form_with_nulls() -> None:
    source = (
        "class Solution:\n"
        "    def invertTree(self, root: Optional[TreeNode]) -> Optional[TreeNode]:\n"
        "        if root:\n"
        "            root.left, root.right = self.invertTree(root.right), self.invertTree(root.left)\n"
        "        return root\n"
    )
    assert judge_source(TREE_PROBLEM, source).verdict == "accepted"


@pytest.mark.parametrize(
    ("mode", "expected", "returned", "verdict"),
    [
        ("unordered", [[1, 2], [3]], "[[3], [1, 2]]", "accepted"),
        ("unordered", [[1, 2], [3]], "[[3], [2, 1]]", "wrong_answer"),
        ("unordered_nested", [[1, 2], [3]], "[[3], [2, 1]]", "accepted"),
        ("unordered_nested", [[1, 2], [3]], "[[3], [2, 1], [3]]", "wrong_answer"),
        ("float", 0.3333333, "1 / 3", "accepted"),
        ("float", 0.3333333, "0.34", "wrong_answer"),
        ("exact", [1, 2], "[2, 1]", "wrong_answer"),
    ],
)
def test_compare_modes(mode: str, expected: Any, returned: str, verdict: str) -> None:
    problem = make_problem(
        compare=mode,
        signature={"method": "go", "params": [], "returns": "Any"},
        cases=[{"args": [], "expected": expected}],
    )
    source = f"class Solution:\n    def go(self):\n        return {returned}\n"
    assert judge_source(problem, source).verdict == verdict


def test_inplace_problems_compare_the_mutated_argument() -> None:
    problem = make_problem(
        compare="inplace",
        signature={"method": "moveZeroes", "params": [{"name": "nums", "type": "List[int]"}], "returns": "None"},
        cases=[{"args": [[0, 1, 0, 3, 12]], "expected": [1, 3, 12, 0, 0]}],
    )
    source = (
        "class Solution:\n"
        "    def moveZeroes(self, nums: List[int]) -> None:\n"
        "        nums.sort(key=lambda x: x == 0)\n"
    )
    assert judge_source(problem, source).verdict == "accepted"


def test_design_problems_run_operation_sequences() -> None:
    problem = make_problem(
        kind="design",
        compare="float",
        signature={"class_name": "MedianFinder", "methods": ["addNum", "findMedian"]},
        cases=[
            {
                "ops": ["MedianFinder", "addNum", "addNum", "findMedian", "addNum", "findMedian"],
                "args": [[], [1], [2], [], [3], []],
                "expected": [None, None, None, 1.5, None, 2.0],
            }
        ],
    )
    source = (
        "class MedianFinder:\n"
        "    def __init__(self):\n"
        "        self.values = []\n"
        "    def addNum(self, num: int) -> None:\n"
        "        insort(self.values, num)\n"
        "    def findMedian(self) -> float:\n"
        "        n = len(self.values)\n"
        "        return (self.values[(n - 1) // 2] + self.values[n // 2]) / 2\n"
    )
    assert judge_source(problem, source).verdict == "accepted"


def test_generated_big_inputs_are_evaluated_in_the_child() -> None:
    problem = make_problem(
        signature={"method": "total", "params": [{"name": "nums", "type": "List[int]"}], "returns": "int"},
        cases=[{"args_py": "[list(range(1, 200001))]", "expected_py": "200000 * 200001 // 2"}],
    )
    fast = SUM_HEADER + "        return sum(nums)\n"
    slow = SUM_HEADER + "        return sum(sum(nums[:i + 1]) - sum(nums[:i]) for i in range(len(nums)))\n"
    assert judge_source(problem, fast).verdict == "accepted"
    assert judge_source(problem, slow, time_limit_seconds=1).verdict == "time_limit"


def test_report_to_dict_is_json_ready() -> None:
    import json

    report = judge_source(SUM_PROBLEM, SUM_HEADER + "        return 0\n")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["passed"] == 2 and data["total"] == 3 and data["all_passed"] is False
    assert data["first_failure"]["number"] == 1
    # Hidden cases stay hidden: only the first failure carries its input and expected answer.
    assert [case["status"] for case in data["cases"]] == ["failed", "passed", "passed"]
    assert data["cases"][0]["expected"] is not None
    assert all("expected" not in case and "input" not in case for case in data["cases"][1:])


def test_learner_data_is_printed_as_is_not_as_markup() -> None:
    """Brackets in inputs, answers and tracebacks ("[x for x in nums]") are data, not styles."""
    from rich.console import Console

    from patternlift_cli.content.loader import get_problem
    from patternlift_cli.ui.judge_view import render_report

    problem = get_problem("two-pointers-1-pair-with-target-sum")
    source = "class Solution:\n    def twoSum(self, numbers, target):\n        return [y for y in undefined_name]\n"
    console = Console(width=200, record=True)
    console.print(render_report(judge_source(problem, source)))
    assert "[y for y in undefined_name]" in console.export_text()

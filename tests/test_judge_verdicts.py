"""Verdicts that say what really happened: crashes, odd files, output that tries to restyle
the terminal, and time measured per case."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from patternlift_cli.errors import UsageError
from patternlift_cli.practice.judge import judge_file, judge_source
from tests.judge_support import SUM_HEADER, SUM_PROBLEM, isolation, make_problem  # noqa: F401


def test_a_c_stack_overflow_says_crashed_likely_recursion(isolation: str) -> None:
    source = (
        "from functools import cache\n" + SUM_HEADER
        + "        @cache\n        def down(n):\n            return down(n + 1) + 1\n"
        "        return down(0)\n"
    )
    report = judge_source(SUM_PROBLEM, source)
    assert report.verdict == "runtime_error"
    assert report.message == "crashed (likely recursion too deep) on case 1"
    assert "recursion too deep" in report.first_failure.traceback[0]


def test_runaway_plain_recursion_is_a_recursion_error_with_a_short_traceback(isolation: str) -> None:
    source = SUM_HEADER + "        return self.total(nums)\n"
    report = judge_source(SUM_PROBLEM, source, time_limit_seconds=10)
    assert report.verdict == "runtime_error"
    trace = report.first_failure.traceback
    assert trace[-1].startswith("RecursionError") and any("more calls" in line for line in trace)
    assert len(trace) <= 10


def test_deep_recursion_works_as_on_leetcode(isolation: str) -> None:
    """A recursive union-find `find` over a 10^5 chain, and @cache recursion 10^5 deep."""
    problem = make_problem(
        signature={"method": "root", "params": [{"name": "n", "type": "int"}], "returns": "int"},
        cases=[{"args": [100_000], "expected": 0}],
    )
    source = (
        "from functools import cache\n"
        "class Solution:\n"
        "    def root(self, n: int) -> int:\n"
        "        parent = [max(0, i - 1) for i in range(n)]\n"
        "        def find(x):\n"
        "            if parent[x] != x:\n"
        "                parent[x] = find(parent[x])\n"
        "            return parent[x]\n"
        "        @cache\n"
        "        def depth(i):\n"
        "            return 0 if i == 0 else depth(i - 1)\n"
        "        return find(n - 1) + depth(n - 1)\n"
    )
    report = judge_source(problem, source, time_limit_seconds=5)
    assert report.verdict == "accepted", report.message


def test_a_nul_byte_is_named_with_its_line(tmp_path: Path) -> None:
    solution = tmp_path / "nul.py"
    solution.write_bytes(SUM_HEADER.encode() + b"        return 0\x00\n")
    report = judge_file(SUM_PROBLEM, solution)
    assert report.verdict == "syntax_error"
    assert report.message == "your file contains a NUL byte (\\0) on line 3; save it as plain text"


def test_escape_sequences_a_program_prints_never_reach_the_terminal(isolation: str) -> None:
    from rich.console import Console

    from patternlift_cli.ui.judge_view import render_report

    fake_pass = "\x1b[2J\x1b[H\x1b[32mall 3 cases passed\x1b[0m\r\x9b2J\u202e"
    source = (
        "import os, sys\n" + SUM_HEADER
        + f"        print({fake_pass!r})\n"
        f"        os.write(1, {fake_pass.encode('utf-8')!r})\n"
        f"        raise ValueError({fake_pass!r})\n"
    )
    report = judge_source(SUM_PROBLEM, source)
    console = Console(width=120, record=True, force_terminal=True, color_system="truecolor")
    console.print(render_report(report))
    written = console.export_text(styles=False)
    for text in (report.output, "\n".join(report.first_failure.traceback), written):
        assert "\x1b[2J" not in text and "\x9b" not in text and "\r" not in text and "\u202e" not in text
    assert "\\x1b[2J" in report.output


def test_output_is_capped_to_a_few_lines_of_the_first_failing_case(isolation: str) -> None:
    source = SUM_HEADER + "        for i in range(100):\n            print('line', i, 'x' * 500)\n        return -1\n"
    report = judge_source(SUM_PROBLEM, source)
    assert report.first_failure.number == 1
    assert len(report.output.splitlines()) == 12 and report.output_truncated
    assert all(len(line) <= 201 for line in report.output.splitlines())


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_a_file_that_is_not_a_regular_file_is_refused_in_one_line(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        path = tmp_path / "solution.py"
        os.mkfifo(path)
    elif kind == "dev-zero":
        path = Path("/dev/zero")
    else:
        path = tmp_path
    with pytest.raises(UsageError) as raised:
        judge_file(SUM_PROBLEM, path)
    assert "\n" not in raised.value.message
    assert "regular file" in raised.value.message or "folder" in raised.value.message


def test_the_time_limit_names_the_case_that_used_the_time(isolation: str) -> None:
    problem = make_problem(
        signature={"method": "total", "params": [{"name": "nums", "type": "List[int]"}], "returns": "int"},
        cases=[{"args": [[i]], "expected": i} for i in range(1, 13)],
    )
    spin = SUM_HEADER + "        import time\n        end = time.process_time() + {seconds}\n        while time.process_time() < end:\n            pass\n        return sum(nums)\n"
    # Twelve cases of 0.1 s each against a 1 s budget: no single case is to blame.
    report = judge_source(problem, spin.format(seconds=0.1), time_limit_seconds=1)
    assert report.verdict == "time_limit"
    assert "budget is for all cases together" in report.message
    # One slow case: that one is named.
    slow_seventh = SUM_HEADER + "        while nums == [7]:\n            pass\n        return sum(nums)\n"
    report = judge_source(problem, slow_seventh, time_limit_seconds=1)
    assert report.message.startswith("time limit exceeded on case 7")
    assert [case.status for case in report.cases[:7]] == ["passed"] * 6 + ["timeout"]
    assert all(case.cpu_ms is not None for case in report.cases[:6])


LIST_PROBLEM = make_problem(
    signature={"method": "zeros", "params": [{"name": "n", "type": "int"}], "returns": "List[int]"},
    cases=[{"args": [2_000_000], "expected": [1]}, {"args": [17_000_000], "expected": [1]}],
)


def test_a_huge_answer_arrives_whole_and_one_over_32_mb_is_refused(isolation: str) -> None:
    """Millions of numbers come through the pipe in many reads and are compared as sent; past
    32 MB the judge stops reading and says so."""
    source = "class Solution:\n    def zeros(self, n: int) -> List[int]:\n        return [0] * n\n"
    report = judge_source(LIST_PROBLEM, source, time_limit_seconds=20, memory_limit_mb=1024)
    first, second = report.cases
    assert first.status == "failed" and first.actual_value == [0] * 2_000_000
    assert second.status == "error"
    assert report.verdict == "runtime_error" and "over 32 MB" in report.message

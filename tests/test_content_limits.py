"""Every case of every problem is within the problem's declared constraints (`limits`,
`requires`): a learner's correct solution, written to the stated constraints (LeetCode's, where
the problem is a LeetCode problem), never meets a surprise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from patternlift_cli.content.loader import PATTERNS_ROOT, get_problem
from patternlift_cli.practice.cases import prepare

PROBLEM_IDS = sorted(path.stem for path in PATTERNS_ROOT.glob("*/problems/*.yaml"))


def _leaves(value: Any):
    if isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield value


def _size(value: Any, type_name: str) -> int:
    if "TreeNode" in type_name or "ListNode" in type_name and not type_name.startswith("List["):
        return sum(1 for item in value if item is not None)
    return len(value)


def violations(problem: Any) -> list[str]:
    found = []
    types = {param.name: param.type for param in problem.signature.params}
    for case in prepare(problem):
        where = f"case {case.number}"
        for name, limit in problem.limits.items():
            value = case.arguments[name]
            if limit.length is not None:
                size = _size(value, types[name])
                if not limit.length[0] <= size <= limit.length[1]:
                    found.append(f"{where}: len({name}) = {size} is outside {limit.length}")
            if limit.item_length is not None:
                bad = [len(item) for item in value if not limit.item_length[0] <= len(item) <= limit.item_length[1]]
                if bad:
                    found.append(f"{where}: an item of {name} has length {bad[0]}, outside {limit.item_length}")
            numbers = [leaf for leaf in _leaves(value) if isinstance(leaf, (int, float)) and not isinstance(leaf, bool)]
            if limit.values is not None and numbers:
                low, high = min(numbers), max(numbers)
                if low < limit.values[0] or high > limit.values[1]:
                    found.append(f"{where}: {name} holds values in [{low}, {high}], outside {limit.values}")
            if limit.chars is not None:
                pattern = re.compile(f"{limit.chars}*")
                bad_text = next((leaf for leaf in _leaves(value) if isinstance(leaf, str) and not pattern.fullmatch(leaf)), None)
                if bad_text is not None:
                    found.append(f"{where}: {name} has characters outside {limit.chars}: {bad_text[:40]!r}")
        for predicate in problem.requires:
            if not eval(predicate, {**case.arguments}):  # noqa: S307 - authored content
                found.append(f"{where}: not {predicate}")
    return found


@pytest.mark.parametrize("problem_id", PROBLEM_IDS)
def test_every_case_is_within_the_declared_constraints(problem_id: str) -> None:
    problem = get_problem(problem_id)
    if problem.kind == "function":
        assert problem.limits, "declare the constraints as data (limits:)"
    assert violations(problem) == []


def test_leetcode_numbers_are_unique_and_shown_by_problems(home: Path) -> None:
    import json

    from typer.testing import CliRunner

    from patternlift_cli.cli.app import app

    numbers = [get_problem(problem_id).leetcode for problem_id in PROBLEM_IDS]
    claimed = [number for number in numbers if number]
    assert len(claimed) == len(set(claimed)), "two problems claim one LeetCode number"
    rows = json.loads(CliRunner().invoke(app, ["problems", "--json"]).output)
    # Signed out, the mastery problems stay unseen (they open with the assessment).
    practice = {pid: n for pid, n in zip(PROBLEM_IDS, numbers) if get_problem(pid).level != "mastery"}
    assert {row["id"]: row["leetcode"] for row in rows} == practice

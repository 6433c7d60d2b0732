"""Shared by the judge tests: problems to attack, and a fixture running a test on both paths.

`isolation` runs a test once in the bubblewrap sandbox and once in the fallback. Under CI=true an
unusable sandbox fails the run; elsewhere the sandbox half skips with one line saying why.
"""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from patternlift_cli.content.models import Problem

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

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
    return Problem.model_validate({**BASE_PROBLEM, "id": "demo-1-x", **fields})


# Expected answers nobody can guess: finding one anywhere in the child would be a leak.
SECRETS = [f"s3cr3t-{secrets.token_hex(8)}" for _ in range(3)]
SECRET_PROBLEM = make_problem(
    signature={"method": "answer", "params": [{"name": "k", "type": "int"}], "returns": "str"},
    cases=[{"args": [k], "expected": secret} for k, secret in enumerate(SECRETS)],
)
SUM_PROBLEM = make_problem(
    signature={"method": "total", "params": [{"name": "nums", "type": "List[int]"}], "returns": "int"},
    cases=[{"args": [[1, 2, 3]], "expected": 6}, {"args": [[]], "expected": 0}, {"args": [[-5, 5]], "expected": 0}],
)
SUM_HEADER = "class Solution:\n    def total(self, nums: List[int]) -> int:\n"


@cache
def sandbox_problem() -> str | None:
    """Why the sandbox cannot be used here, or None when it can (probed once per test process)."""
    from patternlift_cli.practice import sandbox
    from patternlift_cli.practice.judge import isolation_report

    if sandbox.bwrap_path() is None:
        return "bubblewrap (bwrap) is not installed"
    report = isolation_report()
    return None if report["isolation"] == "bwrap" and report["probe"] == "ok" else f"bubblewrap cannot run here: {report['probe']}"


def require_sandbox() -> None:
    problem = sandbox_problem()
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"{problem}; CI=true requires the sandbox", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(params=["bwrap", "none"])
def isolation(request: pytest.FixtureRequest, home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from patternlift_cli.config import reset_settings_cache

    if request.param == "bwrap":
        monkeypatch.setenv("PATTERNLIFT_JUDGE_SANDBOX", "auto")
        reset_settings_cache()
        require_sandbox()
    monkeypatch.setenv("PATTERNLIFT_JUDGE_SANDBOX", request.param)
    reset_settings_cache()
    return request.param


@pytest.fixture
def sandboxed(home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sandbox only: for what the fallback does not promise (docs/JUDGE.md)."""
    from patternlift_cli.config import reset_settings_cache

    monkeypatch.setenv("PATTERNLIFT_JUDGE_SANDBOX", "auto")
    reset_settings_cache()
    require_sandbox()
    monkeypatch.setenv("PATTERNLIFT_JUDGE_SANDBOX", "bwrap")
    reset_settings_cache()
    return "bwrap"


def processes_with(marker: str) -> list[int]:
    """Host processes whose command line contains `marker` (a token only one test uses)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if marker.encode() in cmdline.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found

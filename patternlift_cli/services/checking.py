"""`check`: judge a solution file against a problem's hidden cases, outside any session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CheckResult:
    problem: Any
    path: Path
    report: Any  # practice.judge.JudgeReport


def check_solution(problem_id: str, file: Path | None) -> CheckResult:
    """The problem's workspace file unless `file` is given; nothing is recorded."""
    from patternlift_cli.content.loader import get_problem
    from patternlift_cli.practice.judge import judge_file
    from patternlift_cli.practice.workspace import workspace_file

    problem = get_problem(problem_id.strip())
    path = file if file is not None else workspace_file(problem)
    return CheckResult(problem, path, judge_file(problem, path))


def isolation_report() -> dict[str, Any]:
    """Which isolation the judge uses on this machine, proven by a probe run."""
    from patternlift_cli.practice.judge import isolation_report as probe

    return probe()

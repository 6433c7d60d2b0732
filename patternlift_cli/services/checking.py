"""`check`: judge a solution file against a problem's hidden cases, outside any session.

Two ways in, one judge. `check_solution` is the full path (the Typer command): settings from
config, the problem from the content loader. `quick_check` + `run_quick_check` are the lean path
(cli/lean.py), which imports neither pydantic nor the content models: the settings come from
their validated snapshot (settings_snapshot) and the problem from its judged slice of the
curriculum cache (content/judged.py). The full path writes both, so the next check is lean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple


# NamedTuples, not dataclasses: the lean path does not import `dataclasses` (~7 ms).
class CheckResult(NamedTuple):
    problem: Any
    path: Path
    report: Any  # practice.judge.JudgeReport


def check_solution(problem_id: str, file: Path | None) -> CheckResult:
    """The problem's workspace file unless `file` is given; nothing is recorded."""
    from patternlift_cli.content.loader import get_problem, warm_cache
    from patternlift_cli.practice.judge import judge_file
    from patternlift_cli.practice.workspace import workspace_file
    from patternlift_cli.services import settings_snapshot

    warm_cache()
    settings_snapshot.save()
    problem = get_problem(problem_id.strip())
    path = file if file is not None else workspace_file(problem)
    return CheckResult(problem, path, judge_file(problem, path))


class QuickCheck(NamedTuple):
    """A check the lean path is sure of, up to the judge's run."""

    problem: Any  # content.judged.JudgedProblem
    path: Path
    source: str
    settings: Any  # practice.judge.JudgeSettings


def quick_check(problem_id: str, file: Path | None) -> QuickCheck | None:
    """What the lean path needs to judge, or None when it is not certain to do exactly what
    `check_solution` would: no current settings snapshot or curriculum cache, a problem the
    cache does not hold, a mastery problem (its gate asks the learner's database). Raises what
    reading the solution raises; the caller then takes the full path, which says it."""
    from patternlift_cli.content import cache
    from patternlift_cli.practice.judge import read_solution
    from patternlift_cli.practice.workspace import workspace_file
    from patternlift_cli.services import settings_snapshot

    snapshot = settings_snapshot.load()
    if snapshot is None:
        return None
    root = snapshot.content_root
    try:
        key = cache.content_key(root)
    except OSError:
        return None
    problem = cache.load_judged(root, key, problem_id.strip(), snapshot.cache_dir)
    if problem is None or problem.level == "mastery":
        return None
    path = file if file is not None else workspace_file(problem, snapshot.workspace_dir)
    return QuickCheck(problem, path, read_solution(problem, path), snapshot.judge)


def run_quick_check(check: QuickCheck) -> CheckResult:
    """The judge's run, as judge_file runs it, with the snapshot's limits and sandbox mode."""
    from patternlift_cli.practice.judge import judge_source

    report = judge_source(check.problem, check.source, path=str(check.path), settings=check.settings)
    return CheckResult(check.problem, check.path, report)


def isolation_report() -> dict[str, Any]:
    """Which isolation the judge uses on this machine, proven by a probe run."""
    from patternlift_cli.practice.judge import isolation_report as probe

    return probe()

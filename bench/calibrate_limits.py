"""Measure each problem's reference solution and record the time-limit calibration.

    python bench/calibrate_limits.py            # print the table
    python bench/calibrate_limits.py --write    # also write tests/judge_calibration.json

Limits are max(1 s, 3x the reference), raised to 1.5 s where the reference is within 4x of 1 s
(a loaded machine). For every problem: the reference's CPU seconds over all cases (the judge's own count, from
/proc, best of three runs, divided by this machine's speed factor so the table stays at the
calibration machine's speed) and the problem's time limit. tests/test_content.py re-checks, on
every run, that the limit is still at least 3x what the reference needs (with a 2x allowance
for a loaded machine) and that each too_slow solution still runs out of it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from patternlift_cli.content.loader import PATTERNS_ROOT, get_problem  # noqa: E402
from patternlift_cli.practice import machine_speed  # noqa: E402
from patternlift_cli.practice.judge import judge_source  # noqa: E402

TABLE = ROOT / "tests" / "judge_calibration.json"


def main(write: bool) -> None:
    from patternlift_cli.config import get_settings

    default_limit = get_settings().judge_time_limit_seconds
    speed = machine_speed.measure()
    print(f"this machine is {speed:g}x slower than the calibration machine (practice/machine_speed.py)")
    table = {}
    for path in sorted(PATTERNS_ROOT.glob("*/problems/*.yaml")):
        problem = get_problem(path.stem)
        runs = [judge_source(problem, problem.solution.code, time_limit_seconds=30) for _ in range(3)]
        assert all(run.all_passed for run in runs), f"{problem.id}: {runs[0].message}"
        # Recorded at the calibration machine's speed, which the judge scales limits from.
        reference = min(run.cpu_seconds for run in runs) / speed
        slowest = min(max((case.cpu_ms or 0) for case in run.cases) for run in runs) / 1000 / speed
        limit = problem.time_limit_seconds or default_limit
        table[problem.id] = {"reference_cpu_seconds": round(reference, 3), "slowest_case_seconds": round(slowest, 3), "limit_seconds": limit}
        print(f"{problem.id:60} ref {reference:6.3f} s  slowest case {slowest:6.3f} s  limit {limit:4g} s  ratio {limit / max(reference, 0.001):7.1f}")
    if write:
        TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
        print(f"wrote {TABLE}")


if __name__ == "__main__":
    main("--write" in sys.argv)

"""`patternlift check` of a small problem against the plain-loop floor, interleaved.

    python bench/check_speed.py [PROBLEM_ID] [--rounds N]

The floor: a fresh `python` process that runs the same reference solution over the same cases
in a plain loop (no judge, no sandbox, no CLI). Measured alternately in the same run with:
  - check: a fresh `patternlift check PROBLEM FILE` process (the whole CLI);
  - judge: `judge_file` in an already started process (the judge's own part: child start,
    bwrap, prelude, protocol, comparison).
Prints medians and the ratios to the floor. The target is check <= 3x floor.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from patternlift_cli.content.loader import get_problem
    from patternlift_cli.practice.cases import prepare
    from patternlift_cli.practice.judge import judge_file

    argv = sys.argv[1:]
    rounds = 15
    if "--rounds" in argv:
        at = argv.index("--rounds")
        rounds = int(argv[at + 1])
        del argv[at : at + 2]
    args = argv
    problem = get_problem(args[0] if args else "dynamic-programming-1d-1-climbing-stairs")
    workdir = Path(tempfile.mkdtemp(prefix="check-speed-"))
    solution = workdir / "solution.py"
    solution.write_text(problem.solution.code)
    cases = [case.frame["args"] for case in prepare(problem)]
    floor_program = workdir / "floor.py"
    floor_program.write_text(
        "from typing import *\nfrom collections import *\nfrom heapq import *\nfrom functools import *\n"
        + problem.solution.code
        + f"\nfor args in {json.dumps(cases)}:\n    Solution().{problem.signature.method}(*args)\n"
    )
    env_note = "PATTERNLIFT_HOME is a fresh temporary folder"
    import os

    env = {**os.environ, "PATTERNLIFT_HOME": str(workdir / "home")}
    floor_cmd = [sys.executable, str(floor_program)]
    check_cmd = [sys.executable, "-m", "patternlift_cli", "check", problem.id, str(solution)]
    # pip compiles an installed package's bytecode; an editable checkout run with
    # PYTHONDONTWRITEBYTECODE would recompile every module on every start instead.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "patternlift_cli")], check=True, capture_output=True)
    # The first check fills the curriculum cache and the settings snapshot, as a learner's first does.
    subprocess.run(check_cmd, env=env, capture_output=True, check=True)
    floors, checks, judges = [], [], []
    isolation = judge_file(problem, solution).isolation
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(floor_cmd, env=env, capture_output=True, check=True)
        floors.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run(check_cmd, env=env, capture_output=True, check=True)
        checks.append(time.perf_counter() - started)
        started = time.perf_counter()
        report = judge_file(problem, solution)
        judges.append(time.perf_counter() - started)
        assert report.all_passed, report.message
    floor, check, judge = (statistics.median(values) * 1000 for values in (floors, checks, judges))
    print(f"problem {problem.id}, {len(cases)} cases, {rounds} interleaved rounds, isolation {isolation} ({env_note})")
    print(f"plain-loop floor (fresh python)   {floor:7.1f} ms")
    print(f"patternlift check (fresh CLI)     {check:7.1f} ms   ratio {check / floor:4.2f}x  (target <= 3x)")
    print(f"judge_file (warm process)         {judge:7.1f} ms   ratio {judge / floor:4.2f}x")


if __name__ == "__main__":
    main()

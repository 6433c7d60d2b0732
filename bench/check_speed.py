"""`patternlift check` of a small problem against the plain-loop floor, interleaved.

    python bench/check_speed.py [PROBLEM_ID] [--rounds N] [--other-tree DIR]

The floor: a fresh `python` process that runs the same reference solution over the same cases
in a plain loop (no judge, no sandbox, no CLI). Measured alternately in the same run with:
  - check: a fresh `patternlift check PROBLEM FILE` process (the whole CLI);
  - judge: `judge_file` in an already started process (the judge's own part: child start,
    bwrap, prelude, protocol, comparison).
`--other-tree DIR` (a checkout of another commit: `git archive main | tar -x -C DIR`) adds the
same check run from DIR's code (PYTHONPATH=DIR, its own home), interleaved, for before/after.
Prints medians and the ratios to the floor. The target is check <= 3x floor. Beside the wall
clock it prints the CPU time (user + system) of each process tree, which a loaded machine
inflates far less than the wall clock (the check is three processes: CLI, bwrap, child).
"""

from __future__ import annotations

import json
import resource
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
    other_tree = None
    if "--other-tree" in argv:
        at = argv.index("--other-tree")
        other_tree = Path(argv[at + 1]).resolve()
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
    # Run from the temporary folder: `python -m` puts the working folder first on sys.path (the
    # checkout's own package would shadow --other-tree), and no stray .env is read.
    env_note = "PATTERNLIFT_HOME is a fresh temporary folder"
    import os

    env = {**os.environ, "PATTERNLIFT_HOME": str(workdir / "home")}
    floor_cmd = [sys.executable, str(floor_program)]
    check_cmd = [sys.executable, "-m", "patternlift_cli", "check", problem.id, str(solution)]
    # pip compiles an installed package's bytecode; an editable checkout run with
    # PYTHONDONTWRITEBYTECODE would recompile every module on every start instead.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "patternlift_cli")], check=True, capture_output=True)
    # The first check fills the curriculum cache and the settings snapshot, as a learner's first does.
    subprocess.run(check_cmd, env=env, cwd=workdir, capture_output=True, check=True)
    other_env = None
    if other_tree is not None:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(other_tree / "patternlift_cli")], check=True, capture_output=True)
        other_env = {**env, "PYTHONPATH": str(other_tree), "PATTERNLIFT_HOME": str(workdir / "other-home")}
        subprocess.run(check_cmd, env=other_env, cwd=workdir, capture_output=True, check=True)
    floors, checks, judges, others = [], [], [], []
    floor_cpu, check_cpu = [], []
    isolation = judge_file(problem, solution).isolation

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    for _ in range(rounds):
        started, cpu = time.perf_counter(), children_cpu()
        subprocess.run(floor_cmd, env=env, cwd=workdir, capture_output=True, check=True)
        floors.append(time.perf_counter() - started)
        floor_cpu.append(children_cpu() - cpu)
        started, cpu = time.perf_counter(), children_cpu()
        subprocess.run(check_cmd, env=env, cwd=workdir, capture_output=True, check=True)
        checks.append(time.perf_counter() - started)
        check_cpu.append(children_cpu() - cpu)
        if other_env is not None:
            started = time.perf_counter()
            subprocess.run(check_cmd, env=other_env, cwd=workdir, capture_output=True, check=True)
            others.append(time.perf_counter() - started)
        started = time.perf_counter()
        report = judge_file(problem, solution)
        judges.append(time.perf_counter() - started)
        assert report.all_passed, report.message
    floor, check, judge, floor_c, check_c = (
        statistics.median(values) * 1000 for values in (floors, checks, judges, floor_cpu, check_cpu)
    )
    print(f"problem {problem.id}, {len(cases)} cases, {rounds} interleaved rounds, isolation {isolation} ({env_note})")
    print(f"plain-loop floor (fresh python)   {floor:7.1f} ms   cpu {floor_c:6.1f} ms")
    print(f"patternlift check (fresh CLI)     {check:7.1f} ms   cpu {check_c:6.1f} ms   "
          f"ratio {check / floor:4.2f}x  (target <= 3x), cpu ratio {check_c / floor_c:4.2f}x")
    print(f"judge_file (warm process)         {judge:7.1f} ms   ratio {judge / floor:4.2f}x")
    if others:
        other = statistics.median(others) * 1000
        print(f"  the check from {other_tree}: {other:7.1f} ms   ratio {other / floor:4.2f}x")


if __name__ == "__main__":
    main()

"""`patternlift patterns` for a signed-in SQLite learner against `python -c "import sqlmodel"`.

    python bench/patterns_startup.py [--samples 30] [--other-tree DIR]

Both are whole processes, started the way a learner starts them, interleaved sample by sample
so the machine's load falls on both alike. The learner lives in a temporary PATTERNLIFT_HOME
and one warm-up run fills the curriculum cache, as every run after the first finds it. Prints
the median milliseconds of each and their ratio (goal: <= 1.3). `--other-tree DIR` (a checkout
of another commit, e.g. `git archive main | tar -x -C DIR`) adds a third series, interleaved
with the other two: the same command run from DIR's code (PYTHONPATH=DIR), for before/after.
Both trees' bytecode is compiled first, as pip compiles an installed package's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PATTERNLIFT_", "OPENAI_", "STRIPE_"))}
    env.update({"PATTERNLIFT_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "120",
                "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"})
    return env


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--other-tree", type=Path, help="also time the code in this checkout")
    args = parser.parse_args()
    script = Path(sys.executable).with_name("patternlift")
    if not script.exists():
        sys.exit("the patternlift console script is not installed beside this Python (pip install -e .)")
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        env = environment(home)
        # pip compiles an installed package's bytecode; an editable checkout run with
        # PYTHONDONTWRITEBYTECODE would recompile every module on every start instead.
        trees = [Path(__file__).resolve().parents[1], *([args.other_tree.resolve()] if args.other_tree else [])]
        for tree in trees:
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "patternlift_cli")],
                           check=True, capture_output=True)
        subprocess.run([str(script), "login", "--email", "bench@example.com"], env=env, cwd=home,
                       check=True, capture_output=True)
        baseline_command = [sys.executable, "-c", "import sqlmodel"]
        patterns_command = [str(script), "patterns"]
        timed(patterns_command, env, home)  # fills the cache, as the learner's first run does
        timed(baseline_command, env, home)
        other_env = {**env, "PYTHONPATH": str(args.other_tree.resolve())} if args.other_tree else None
        if other_env is not None:
            timed(patterns_command, other_env, home)  # fills its curriculum cache (its own file name)
        baseline: list[float] = []
        patterns: list[float] = []
        other: list[float] = []
        for _ in range(args.samples):
            baseline.append(timed(baseline_command, env, home))
            patterns.append(timed(patterns_command, env, home))
            if other_env is not None:
                other.append(timed(patterns_command, other_env, home))
    base, measured = statistics.median(baseline), statistics.median(patterns)
    print(f"python -c 'import sqlmodel'  median {base * 1000:7.1f} ms")
    print(f"patternlift patterns         median {measured * 1000:7.1f} ms   ratio {measured / base:.2f} (goal <= 1.3)")
    if other:
        median_other = statistics.median(other)
        print(f"  the same from {args.other_tree}: median {median_other * 1000:7.1f} ms   ratio {median_other / base:.2f}")
    print(f"{args.samples} interleaved samples each")


if __name__ == "__main__":
    main()

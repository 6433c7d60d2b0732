"""`patternlift patterns` for a signed-in SQLite learner against `python -c "import sqlmodel"`.

    python bench/patterns_startup.py [--samples 30]

Both are whole processes, started the way a learner starts them, interleaved sample by sample
so the machine's load falls on both alike. The learner lives in a temporary PATTERNLIFT_HOME
and one warm-up run fills the curriculum cache, as every run after the first finds it. Prints
the median milliseconds of each and their ratio (goal: <= 1.3).
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
    args = parser.parse_args()
    script = Path(sys.executable).with_name("patternlift")
    if not script.exists():
        sys.exit("the patternlift console script is not installed beside this Python (pip install -e .)")
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        env = environment(home)
        subprocess.run([str(script), "login", "--email", "bench@example.com"], env=env, cwd=home,
                       check=True, capture_output=True)
        baseline_command = [sys.executable, "-c", "import sqlmodel"]
        patterns_command = [str(script), "patterns"]
        timed(patterns_command, env, home)  # fills the cache, as the learner's first run does
        timed(baseline_command, env, home)
        baseline: list[float] = []
        patterns: list[float] = []
        for _ in range(args.samples):
            baseline.append(timed(baseline_command, env, home))
            patterns.append(timed(patterns_command, env, home))
    base, measured = statistics.median(baseline), statistics.median(patterns)
    print(f"python -c 'import sqlmodel'  median {base * 1000:7.1f} ms")
    print(f"patternlift patterns         median {measured * 1000:7.1f} ms")
    print(f"ratio {measured / base:.2f} (goal <= 1.3), {args.samples} interleaved samples each")


if __name__ == "__main__":
    main()

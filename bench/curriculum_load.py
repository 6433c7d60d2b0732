"""Loading the curriculum, and the one problem `check` needs, cold and warm cache.

    python bench/curriculum_load.py [--samples 20] [--problem two-pointers-1-pair-with-target-sum]

Every sample is a fresh process (as every command is) that imports the loader and settings,
then times one call: what every command did before the cache (parse and validate all YAML
files), the whole course from a warm cache, and `get_problem` with a cold cache (no cache
file: it parses only that problem's YAML file, importing PyYAML to do it) and a warm one (it
reads only that problem's slice of the cache). The kinds are interleaved sample by sample.
Prints the median of each in milliseconds and its ratio to the full YAML parse.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = """
import sys, time
from patternlift_cli.config import get_settings
from patternlift_cli.content import loader
get_settings()
kind, problem_id = sys.argv[1], sys.argv[2]
started = time.perf_counter()
if kind == "yaml":
    loader._load(loader.PATTERNS_ROOT)
elif kind == "course":
    loader.load_curriculum()
else:
    loader.get_problem(problem_id)
print(time.perf_counter() - started)
"""
KINDS = {
    "yaml": "full YAML parse + validation (before the cache)",
    "course": "whole course, warm cache",
    "problem-cold": "get_problem, cold cache",
    "problem-warm": "get_problem, warm cache",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--problem", default="two-pointers-1-pair-with-target-sum")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        warm_home, cold_home = Path(folder) / "warm", Path(folder) / "cold"
        base = {k: v for k, v in os.environ.items() if not k.startswith("PATTERNLIFT_")}

        def sample(kind: str) -> float:
            home = cold_home if kind == "problem-cold" else warm_home
            if kind == "problem-cold":
                shutil.rmtree(cold_home / "cache", ignore_errors=True)
            result = subprocess.run([sys.executable, "-c", PROBE, kind, args.problem], check=True,
                                    capture_output=True, text=True, env={**base, "PATTERNLIFT_HOME": str(home)})
            return float(result.stdout)

        sample("course")  # builds the warm cache
        times: dict[str, list[float]] = {kind: [] for kind in KINDS}
        for _ in range(args.samples):
            for kind in KINDS:
                times[kind].append(sample(kind))
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    for kind, label in KINDS.items():
        print(f"{label:<48} median {medians[kind] * 1000:7.2f} ms   ratio {medians[kind] / medians['yaml']:.3f}")
    print(f"{args.samples} interleaved samples each, one fresh process per sample")


if __name__ == "__main__":
    main()

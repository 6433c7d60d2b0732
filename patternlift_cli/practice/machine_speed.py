"""How many times slower this machine runs Python than the one the problems' time limits were set on.

A problem's `time_limit_seconds` is CPU time, chosen at 3x (or more) what its reference solution
needs on the machine tests/judge_calibration.json was measured on (bench/calibrate_limits.py). On
a machine 2.7x slower, a solution as fast as the reference needs 2.7x the CPU time, and a limit
that is not scaled calls it too slow. So the judge scales each problem's own limit by this
factor: the same solution gets the same verdict on a fast laptop and a slow one. It never
tightens a limit (the factor is at least 1), and limits given explicitly (the settings' default,
a caller's) are absolute.

The factor is a small fixed workload's CPU time (the best of nine runs) over what the calibration
machine took for it. Nine, not three: on these virtual machines a process's first ~30 ms of
computing often run 1.5x slow, and the best of three read 1.8-2.0 on a machine whose references
ran 1.2x their recorded time (the best of nine read 1.17-1.28 there). Measuring costs ~45-100 ms,
so it is kept beside the curriculum cache for a day, for this Python, and once per process.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import os
import sys
import time
from pathlib import Path

# The workload's best CPU time on the machine the limits were calibrated on: measured as 10.6 ms
# where the eight references over 0.08 s ran 2.67x (median) their recorded time, and as 4.7-5.1 ms
# where the ten slowest ran 1.25x theirs.
CALIBRATION_MACHINE_SECONDS = 0.0040
MOST = 10.0  # a machine this slow is not one the course can be taught on; keep limits bounded
KEPT_SECONDS = 24 * 3600
FILE_NAME = "machine-speed.json"
RUNS = 9

_measured: float | None = None


def workload(rounds: int = 15) -> int:
    """Loops, integer arithmetic, a dict, a heap and a sort: what the course's solutions do."""
    total = 0
    counts: dict[int, int] = {}
    values = [(index * 7919) % 1000 for index in range(1000)]
    for turn in range(rounds):
        heap: list[int] = []
        for value in values:
            total += value * value % 7
            counts[value & 127] = counts.get(value & 127, 0) + 1
            heapq.heappush(heap, value)
        while heap:
            total ^= heapq.heappop(heap)
        values.sort(reverse=turn % 2 == 0)
    return total


def measure() -> float:
    best = float("inf")
    for _ in range(RUNS):
        started = time.process_time()
        workload()
        best = min(best, time.process_time() - started)
    return round(min(MOST, max(1.0, best / CALIBRATION_MACHINE_SECONDS)), 2)


def factor(folder: Path | None) -> float:
    """This machine's factor: from the file in `folder` while it is fresh, else measured (and kept)."""
    global _measured
    kept = _read(folder) if folder is not None else None
    if kept is not None:
        return kept
    if _measured is None:
        _measured = measure()
    if folder is not None:
        _write(folder, _measured)
    return _measured


def _python() -> str:
    """The interpreter, whichever name or venv link started it."""
    return f"{sys.implementation.name} {sys.version} {os.path.realpath(sys.executable)}"


def _read(folder: Path) -> float | None:
    try:
        data = json.loads((folder / FILE_NAME).read_bytes())
        value = float(data["factor"])
        fresh = 0 <= time.time() - float(data["measured_at"]) < KEPT_SECONDS
        if fresh and data["python"] == _python() and 1.0 <= value <= MOST:
            return value
    except (OSError, ValueError, KeyError, TypeError):
        pass  # missing, damaged or of another shape: measure again
    return None


def _write(folder: Path, value: float) -> None:
    # Written whole under a name of its own, then renamed: a reader never sees half a file.
    partial = folder / f".{FILE_NAME}.{os.getpid()}.{os.urandom(4).hex()}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial.write_text(json.dumps({"factor": value, "measured_at": time.time(), "python": _python()}))
        os.replace(partial, folder / FILE_NAME)
    except OSError:  # a read-only or full cache: the factor is measured again next time
        with contextlib.suppress(OSError):
            partial.unlink()

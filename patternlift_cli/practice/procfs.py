"""What the kernel says a process tree uses: CPU time, resident memory, process count (Linux /proc).

The judge's watchdog reads these from outside the sandbox, so nothing the learner's code does
can misreport them. Where /proc does not exist (macOS), `available()` is False and the judge
relies on the limits it can set (RLIMIT_CPU) and the wall clock.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def available() -> bool:
    return (PROC / "self" / "stat").exists()


@dataclass(frozen=True)
class Usage:
    cpu_seconds: float
    rss_bytes: int
    processes: int


def descendants(root: int) -> list[int]:
    """root and every process below it (children of every thread, as the learner's forks come
    from the solution's thread)."""
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        try:
            threads = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in threads:
            try:
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as children:
                    pending.extend(int(child) for child in children.read().split())
            except OSError:
                continue
    return found


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", "rb") as stat:
        fields = stat.read().rsplit(b")", 1)[1].split()
    # utime stime cutime cstime: the process's own time and that of its children it reaped
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def _rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm", "rb") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES


def usage(root: int) -> Usage:
    cpu, rss, count = 0.0, 0, 0
    for pid in descendants(root):
        try:
            cpu += _cpu_seconds(pid)
            rss += _rss_bytes(pid)
            count += 1
        except (OSError, ValueError, IndexError):
            continue  # it ended while we looked
    return Usage(cpu, rss, count)


def processes_of_uid(uid: int) -> list[int]:
    """Every process whose real uid is `uid` (the root-run judge's per-run uid)."""
    found = []
    for entry in os.listdir(PROC):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as status:
                for line in status:
                    if line.startswith(b"Uid:"):
                        if int(line.split()[1]) == uid:
                            found.append(int(entry))
                        break
        except OSError:
            continue
    return found

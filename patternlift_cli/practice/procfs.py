"""What the kernel says a process tree uses: CPU time, resident memory, process count (Linux /proc).

The judge's watchdog reads these from outside the sandbox, so nothing the learner's code does
can misreport them. Where /proc does not exist (macOS), `available()` is False and the judge
relies on the limits it can set (RLIMIT_CPU) and the wall clock.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def available() -> bool:
    return (PROC / "self" / "stat").exists()


class Usage(NamedTuple):
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


def children(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in threads:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as listing:
                found.update(int(child) for child in listing.read().split())
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    """Running or sleeping; a zombie only waits to be reaped."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in (b"Z", b"X")


class Subreaper:
    """Without a PID namespace: orphans of the run (double fork + setsid) re-parent to this
    process instead of init while a run lasts, so they can be found and killed afterwards."""

    PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER = 36, 37

    def __init__(self) -> None:
        self.enabled = False
        self.before: set[int] = set()
        try:
            import ctypes

            self._prctl = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):
            self._prctl = None

    def __enter__(self) -> "Subreaper":
        if self._prctl is not None and available():
            import ctypes

            current = ctypes.c_int(0)
            self._prctl(self.PR_GET_CHILD_SUBREAPER, ctypes.byref(current))
            if current.value == 0 and self._prctl(self.PR_SET_CHILD_SUBREAPER, 1) == 0:
                self.enabled = True
            self.before = children(os.getpid())
        return self

    def kill_all(self, root: int | None) -> None:
        """SIGKILL the run's whole tree and every orphan it left with us, then reap them."""
        import signal

        mine = os.getpid()
        orphans: set[int] = set()
        for _ in range(100):
            current = set(descendants(root)) if root else set()
            strays = children(mine) - self.before - ({root} if root else set())
            orphans |= strays
            for stray in strays:
                current.update(descendants(stray))
            current = {pid for pid in current if _alive(pid)}
            if not current:
                break
            for pid in current:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            for pid in list(orphans):
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    orphans.discard(pid)
        for pid in orphans:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass

    def __exit__(self, *exc: object) -> None:
        if self.enabled and self._prctl is not None:
            self._prctl(self.PR_SET_CHILD_SUBREAPER, 0)
            self.enabled = False

"""Processes the learner's code starts: limited as a whole, and all gone when the judge is done.

Ctrl-C and kill -9 go to a real `patternlift check` process; what survives is looked for on
the host by a token only that test's code carries in its command line.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patternlift_cli.practice.judge import judge_source
from tests.judge_support import SUM_HEADER, SUM_PROBLEM, isolation, processes_with  # noqa: F401

PROBLEM_ID = "two-pointers-1-pair-with-target-sum"
TWO_SUM_HEADER = "class Solution:\n    def twoSum(self, numbers: List[int], target: int) -> List[int]:\n"


def _marked_sleeper(marker: str, seconds: int, then: str = "") -> str:
    """Code that starts `python -c 'sleep; then'` whose command line carries the marker."""
    return f"import time; time.sleep({seconds}); {then} # {marker}"


def _wait_until(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_detached_process_does_not_outlive_the_judge(isolation: str, tmp_path: Path) -> None:
    marker = f"detached-{secrets.token_hex(6)}"
    late = tmp_path / "written-8-seconds-later.txt"
    code = _marked_sleeper(marker, 8, f"open({str(late)!r}, 'w').write('escaped')")
    source = (
        "import os, sys, time\n" + SUM_HEADER
        + "        if os.fork() == 0:\n"
        "            os.setsid()\n"
        "            if os.fork() == 0:\n"
        f"                os.execv(sys.executable, [sys.executable, '-c', {code!r}])\n"
        "            os._exit(0)\n"
        "        time.sleep(0.3)\n"
        "        return sum(nums)\n"
    )
    report = judge_source(SUM_PROBLEM, source)
    assert report.verdict == "accepted"
    # Gone now, so it can never write its file: no need to wait the 8 seconds.
    assert _wait_until(lambda: not processes_with(marker), timeout=2.0)
    assert not late.exists()


def test_leftover_threads_and_children_do_not_turn_a_pass_into_a_timeout(isolation: str) -> None:
    marker = f"leftover-{secrets.token_hex(6)}"
    source = (
        "import os, subprocess, sys, threading, time\n" + SUM_HEADER
        + "        threading.Thread(target=time.sleep, args=(60,)).start()\n"
        f"        subprocess.Popen([sys.executable, '-c', {_marked_sleeper(marker, 60)!r}])\n"
        "        return sum(nums)\n"
    )
    report = judge_source(SUM_PROBLEM, source, time_limit_seconds=2)
    assert report.verdict == "accepted", report.message  # decided on the answers, not on the exit
    assert _wait_until(lambda: not processes_with(marker), timeout=2.0)


def test_eight_forked_children_share_one_memory_limit(isolation: str) -> None:
    source = (
        "import os, time\n" + SUM_HEADER
        + "        for _ in range(8):\n"
        "            if os.fork() == 0:\n"
        "                block = bytearray(60 * 1024 * 1024)\n"
        "                for i in range(0, len(block), 4096):\n"
        "                    block[i] = 1\n"
        "                time.sleep(30)\n"
        "                os._exit(0)\n"
        "        time.sleep(3)\n"
        "        return sum(nums)\n"
    )
    report = judge_source(SUM_PROBLEM, source, memory_limit_mb=128, time_limit_seconds=3)
    assert report.verdict == "memory_limit", report.message
    assert "memory limit exceeded on case 1" in report.message


def test_a_fork_bomb_is_stopped(isolation: str) -> None:
    marker = f"bomb-{secrets.token_hex(6)}"
    source = (
        "import os, sys\n" + SUM_HEADER
        + "        started = 0\n"
        "        for _ in range(300):\n"
        "            try:\n"
        "                if os.fork() == 0:\n"
        f"                    os.execv(sys.executable, [sys.executable, '-c', {_marked_sleeper(marker, 30)!r}])\n"
        "                started += 1\n"
        "            except OSError:\n"
        "                pass\n"
        "        return started\n"
    )
    report = judge_source(SUM_PROBLEM, source)
    assert not report.all_passed
    if isolation == "bwrap":
        # RLIMIT_NPROC, counted for the sandbox's own uid: most forks are refused.
        assert report.first_failure.actual_value < 32
    else:
        assert report.first_failure.actual_value is None or report.first_failure.actual_value < 300
    assert _wait_until(lambda: not processes_with(marker), timeout=3.0)


def test_killing_the_parent_process_does_not_end_the_cli(isolation: str, tmp_path: Path) -> None:
    solution = tmp_path / "kill_parent.py"
    solution.write_text(
        "import os, signal\n" + TWO_SUM_HEADER
        + "        for target in (os.getppid(), os.getpgid(0)):\n"
        "            try:\n"
        "                os.kill(target, signal.SIGKILL)\n"
        "            except OSError:\n"
        "                pass\n"
        "        return [1, 2]\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "patternlift_cli", "check", PROBLEM_ID, str(solution)],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1, result.stderr  # a verdict, not a CLI killed by SIGKILL
    assert "Pair With Target Sum" in result.stdout or "case" in result.stdout


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_stopping_the_cli_leaves_nothing_running(isolation: str, tmp_path: Path, how: signal.Signals) -> None:
    marker = f"stopped-{secrets.token_hex(6)}"
    solution = tmp_path / "endless.py"
    solution.write_text(
        "import os, sys\n" + TWO_SUM_HEADER
        + "        if os.fork() == 0:\n"
        f"            os.execv(sys.executable, [sys.executable, '-c', {_marked_sleeper(marker, 60)!r}])\n"
        "        while True:\n"
        "            pass\n"
    )
    env = {**os.environ, "PATTERNLIFT_JUDGE_TIME_LIMIT_SECONDS": "30"}
    cli = subprocess.Popen(
        [sys.executable, "-m", "patternlift_cli", "check", PROBLEM_ID, str(solution)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        # As in a terminal: a suite started in the background (`pytest &`) has SIGINT ignored, and
        # every process it starts inherits that, so Ctrl-C would never reach the CLI.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509 (one C call before exec)
    )
    try:
        assert _wait_until(lambda: processes_with(marker), timeout=20.0), "the solution never started"
        cli.send_signal(how)
        cli.wait(timeout=20)
    finally:
        if cli.poll() is None:
            cli.kill()
    assert _wait_until(lambda: not processes_with(marker), timeout=5.0)
    if how == signal.SIGINT:
        assert cli.returncode == 130, cli.communicate()[0].decode(errors="replace")

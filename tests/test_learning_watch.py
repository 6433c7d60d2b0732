"""--watch: a save (mtime change) counts as `r`; a typed line still arrives (POSIX pipe)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from patternlift_cli.cli.commands.learn.editor import wait_for_save_or_line
from patternlift_cli.ui.terminal import UI


@pytest.mark.skipif(sys.platform == "win32", reason="select() on pipes is POSIX-only")
def test_save_runs_tests_and_typed_commands_still_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "solution.py"
    target.write_text("class Solution: pass\n")
    read_end, write_end = os.pipe()
    monkeypatch.setattr(sys, "stdin", os.fdopen(read_end, "r"))

    def save_later() -> None:
        time.sleep(0.3)
        target.write_text("class Solution:\n    def f(self): return 1\n")
        os.utime(target, ns=(time.time_ns(), time.time_ns() + 10**9))

    threading.Thread(target=save_later).start()
    ui = UI()
    assert wait_for_save_or_line(ui, "> ", target, poll_seconds=0.05) == "r"

    os.write(write_end, b"h\n")
    assert wait_for_save_or_line(ui, "> ", target, poll_seconds=0.05) == "h"
    os.close(write_end)

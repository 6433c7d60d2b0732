"""`learn` on a real pseudo-terminal, where it asks what a pipe never sees: which pattern to
start when the one asked for builds on another not mastered yet."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

from tests.test_cli_entrypoint import entry_point


class Terminal:
    """One `patternlift` process on a pseudo-terminal: read what it shows, type answers."""

    def __init__(self, home: Path, *args: str) -> None:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("PATTERNLIFT_")}
        environment.update(PATTERNLIFT_HOME=str(home), NO_COLOR="1", TERM="dumb", COLUMNS="80",
                           PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring")
        self.main, child = pty.openpty()
        self.process = subprocess.Popen([entry_point(), *args], stdin=child, stdout=child, stderr=child,
                                        env=environment, cwd=home, close_fds=True)
        os.close(child)
        self.output = b""

    def shows(self, text: str, timeout: float = 30.0) -> str:
        """Wait until `text` appears (AssertionError with the screen so far if it does not)."""
        needle = text.encode()
        deadline = time.monotonic() + timeout
        while needle not in self.output and time.monotonic() < deadline:
            ready, _, _ = select.select([self.main], [], [], 0.2)
            if ready:
                try:
                    self.output += os.read(self.main, 65536)
                except OSError:  # the process closed the terminal
                    break
        assert needle in self.output, self.output.decode(errors="replace")[-2000:]
        return self.output.decode(errors="replace")

    def type(self, line: str) -> None:
        os.write(self.main, line.encode() + b"\n")

    def finish(self) -> int:
        code = self.process.wait(timeout=30)
        os.close(self.main)
        return code


def test_the_prerequisite_choice_is_offered_once_and_not_on_resuming(tmp_path: Path) -> None:
    first = Terminal(tmp_path, "learn", "two-pointers", "--skip-calibration")
    first.shows("Your email")
    first.type("tty@example.com")
    first.shows("Two Pointers builds on Hashing, not mastered yet.")
    first.shows("c: continue with Two Pointers, s: start Hashing first")
    first.type("")  # Enter: continue
    for page in range(1, 7):
        first.shows(f"page {page} of 6")
        first.type("")
    first.shows("Question 1 of")
    first.type("quit")  # "q" would be an answer to a short-answer question
    first.shows("Saved. Run patternlift learn two-pointers to continue")
    assert first.finish() == 0

    again = Terminal(tmp_path, "learn", "two-pointers")
    screen = again.shows("Question 1 of")
    assert "Welcome back" in screen and "builds on Hashing" not in screen
    again.type("quit")
    assert again.finish() == 0


def test_choosing_the_prerequisite_starts_it_instead(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "learn", "two-pointers", "--skip-calibration")
    terminal.shows("Your email")
    terminal.type("tty@example.com")
    terminal.shows("s: start Hashing first")
    terminal.type("s")
    terminal.shows("Hashing · ")
    terminal.type("q")
    terminal.shows("Saved. Run patternlift learn hashing to continue")
    assert terminal.finish() == 0

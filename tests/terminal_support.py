"""A `patternlift` process on a real pseudo-terminal, for what only a terminal is asked."""

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

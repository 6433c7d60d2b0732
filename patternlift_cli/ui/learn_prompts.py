"""Line-by-line prompts for the learning loop.

Every prompt reads one line from standard input, so a script (a pipe, Typer's CliRunner, a test)
can drive the whole loop. End of input means "quit and save": the caller gets `LearnerQuit`.
"""

from __future__ import annotations

import sys

from patternlift_cli.ui.console import console


class LearnerQuit(Exception):
    """The learner typed q, or standard input ended."""


def read_line(prompt: str) -> str:
    """Show `prompt` (Rich markup) and return the next line without its newline."""
    console.print(prompt, end="", markup=True, highlight=False)
    console.file.flush()
    line = sys.stdin.readline()
    if line == "":
        console.print()
        raise LearnerQuit
    return line.rstrip("\r\n")


def read_choice(prompt: str, allowed: str | tuple[str, ...], *, default: str | None = None) -> str:
    """Ask until the answer (case-insensitive, first word) is one of `allowed`."""
    options = tuple(allowed)
    while True:
        answer = read_line(prompt).strip().lower()
        if not answer and default is not None:
            return default
        if answer in options:
            return answer
        console.print(f"[yellow]Please answer one of: {', '.join(o or 'Enter' for o in options)}[/]")


def pause(prompt: str = "[dim]Enter to continue, q to quit[/] ") -> None:
    if read_line(prompt).strip().lower() in ("q", "quit"):
        raise LearnerQuit

"""The one object that owns the terminal: results to stdout, status and errors to stderr, and
the line-by-line prompts of the learning loop.

Views elsewhere in ui/ build renderables; commands hand them to `UI.show`. Every prompt reads
one line from standard input, so a script, a pipe or a test can drive the whole loop; end of
input (or no input at all) means "quit and save".
"""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.text import Text


class LearnerQuit(Exception):
    """The learner typed q, or standard input ended."""


class UI:
    def __init__(self, *, stdout: IO[str] | None = None, stderr: IO[str] | None = None,
                 stdin: IO[str] | None = None) -> None:
        self.out = Console(file=stdout, highlight=False)
        # One-line messages stay one line, whatever the terminal's width.
        self.err = Console(file=stderr, stderr=stderr is None, highlight=False, soft_wrap=True)
        self._stdin = stdin

    @property
    def width(self) -> int:
        return self.out.width

    # ----- output ------------------------------------------------------------------------------

    def show(self, *renderables: RenderableType) -> None:
        self.out.print(*renderables)

    def say(self, markup: str = "", **options: Any) -> None:
        """A line of Rich markup on stdout (curriculum and learner text go through `text`).

        Piped into a file or another program, a line stays one line whatever its length."""
        options.setdefault("soft_wrap", not self.out.is_terminal)
        self.out.print(markup, highlight=False, **options)

    def text(self, text: str, style: str = "") -> None:
        """Text printed literally: learner data like "[x for x in nums]" is not markup."""
        self.out.print(Text(text, style=style), soft_wrap=not self.out.is_terminal)

    def status_line(self, markup: str) -> None:
        """A status or cost line on stderr, so stdout stays the result alone."""
        self.err.print(markup, highlight=False)

    def warning(self, message: str) -> None:
        """A one-line warning on stderr, printed literally (it may name a path with brackets)."""
        self.err.print(Text(message), highlight=False)

    def error(self, message: str) -> None:
        self.err.print(Text.assemble(("Error: ", "bold red"), message))

    def write(self, text: str) -> None:
        """Streamed text (an AI reply) as it arrives."""
        self.out.file.write(text)
        self.out.file.flush()

    def print_json(self, data: Any) -> None:
        """Plain JSON on stdout (no Rich markup): one encoding for every `--json`."""
        # Imported here: the lean `check` path renders a failure with rich, without pydantic.
        from patternlift_cli.ports.base import jsonable

        self.out.file.write(json.dumps(jsonable(data), indent=2) + "\n")
        self.out.file.flush()

    def spinner(self, message: str) -> Any:
        return self.err.status(message)

    # ----- input -------------------------------------------------------------------------------

    @property
    def stdin(self) -> IO[str] | None:
        return self._stdin if self._stdin is not None else sys.stdin

    def interactive(self) -> bool:
        stream = self.stdin
        try:
            return stream is not None and stream.isatty()
        except (ValueError, OSError):
            return False

    def read_line(self, prompt: str) -> str:
        """Show `prompt` (Rich markup) and return the next line without its newline."""
        self.out.print(prompt, end="", highlight=False)
        self.out.file.flush()
        stream = self.stdin
        try:
            line = stream.readline() if stream is not None else ""
        except (OSError, ValueError):  # standard input closed (`<&-`) or not readable
            line = ""
        if line == "":
            self.out.print()
            raise LearnerQuit
        return line.rstrip("\r\n")

    def read_choice(self, prompt: str, allowed: str | tuple[str, ...], *, default: str | None = None) -> str:
        """Ask until the answer (case-insensitive) is one of `allowed`."""
        options = tuple(allowed)
        while True:
            answer = self.read_line(prompt).strip().lower()
            if not answer and default is not None:
                return default
            if answer in options:
                return answer
            self.say(f"[yellow]Please answer one of: {', '.join(o or 'Enter' for o in options)}[/]")

    def confirm(self, prompt: str) -> bool:
        # The brackets are escaped: "[y/N]" would otherwise be read as Rich markup and vanish.
        return self.read_choice(f"{escape(prompt)} \\[y/N] ", ("y", "yes", "n", "no"), default="n").startswith("y")

    def pause(self, prompt: str = "[dim]Enter to continue, q to quit[/] ") -> None:
        if self.read_line(prompt).strip().lower() in ("q", "quit"):
            raise LearnerQuit

    def select_stdin(self) -> int | None:
        """stdin's file descriptor when it can be polled (POSIX terminals and pipes), else None."""
        import select

        try:
            fd = self.stdin.fileno()  # type: ignore[union-attr]
            select.select([fd], [], [], 0)
        except (OSError, ValueError, AttributeError, TypeError):
            return None
        return fd


_ui: UI | None = None


def get_ui() -> UI:
    """The process's UI. Its consoles follow sys.stdout and sys.stderr as they are when
    printing, so a test runner that swaps them captures everything."""
    global _ui
    if _ui is None:
        _ui = UI()
    return _ui

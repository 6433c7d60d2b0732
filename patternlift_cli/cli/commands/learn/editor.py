"""The learner's editor: open the practice file in $VISUAL/$EDITOR, or watch it for saves."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from patternlift_cli.ui.terminal import UI, LearnerQuit


def open_in_editor(ui: UI, path: Path, *, announce_missing: bool = False) -> bool:
    """Open `path` in $VISUAL/$EDITOR and wait for it; False when no editor is set."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        if announce_missing:
            ui.text(f"Set $EDITOR to open files from here; edit {path} in any editor meanwhile.")
        return False
    try:
        subprocess.run([*shlex.split(editor), str(path)], check=False)
    except OSError as error:
        ui.text(f"Could not start the editor '{editor}': {error.strerror}", style="yellow")
        return False
    return True


def next_action(ui: UI, menu: str, path: Path, *, watch: bool) -> str:
    """The next menu command; with --watch, a save counts as `r`."""
    if watch:
        return wait_for_save_or_line(ui, menu, path)
    return ui.read_line(menu).strip().lower()


def wait_for_save_or_line(ui: UI, prompt: str, path: Path, *, poll_seconds: float = 0.4) -> str:
    """--watch: 'r' when the file's mtime changes, or the next typed line.

    Polls mtime (no new dependency); typed commands still work on POSIX through select().
    Where stdin cannot be polled (Windows consoles, in-process test runners) it reads a line.
    """
    import select

    stdin_fd = ui.select_stdin()
    if stdin_fd is None:
        return ui.read_line(prompt).strip().lower()
    ui.say(f"[dim]Watching {path.name}: save it to run the tests.[/]")
    ui.say(prompt, end="")
    ui.out.file.flush()

    def mtime() -> float:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return 0

    seen = mtime()
    while True:
        ready, _, _ = select.select([stdin_fd], [], [], poll_seconds)
        if ready:
            line = ui.stdin.readline()  # type: ignore[union-attr]
            if line == "":
                raise LearnerQuit
            return line.strip().lower()
        if mtime() != seen:
            ui.say("\n[dim]Saved: running the tests.[/]")
            return "r"

"""The two consoles every command prints through: results to stdout, messages to stderr."""

from __future__ import annotations

from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)  # one-line messages stay one line


def print_json(data: object) -> None:
    """Plain JSON on stdout (no Rich markup), so scripts can parse it."""
    import json

    console.file.write(json.dumps(data, indent=2, default=str) + "\n")
    console.file.flush()

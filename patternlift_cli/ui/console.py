"""The two consoles every command prints through: results to stdout, messages to stderr."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)  # one-line messages stay one line


def dollars(amount: Decimal, places: int = 2) -> str:
    """US dollars as people read them: dollars(Decimal("1234.5")) -> '$1,234.50'."""
    return f"${amount:,.{places}f}"


def print_json(data: object) -> None:
    """Plain JSON on stdout (no Rich markup), so scripts can parse it."""
    import json

    console.file.write(json.dumps(data, indent=2, default=str) + "\n")
    console.file.flush()

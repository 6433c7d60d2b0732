"""Options several commands share."""

from __future__ import annotations

import typer

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON.")

"""`config show`: the settings in effect, keys masked."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text


def settings(report: dict[str, Any]) -> RenderableType:
    table = Table(show_header=False, box=None)
    sources = report.get("sources", {})
    for name, value in report["settings"].items():
        source = sources.get(name)
        table.add_row(name, Text.assemble(str(value if value is not None else "(not set)"),
                                          (f"  ({source})" if source else "", "dim")))
    for provider, info in report["keys"].items():
        table.add_row(f"{provider} key", Text.assemble(info["value"], (f"  ({info['source']})" if info["source"] else "", "dim")))
    server = report["settings"].get("server_url")
    if server:
        # The settings above are this machine's (a `patternlift server` run here reads them);
        # the learner's own commands are served by the server.
        note = Text(f"Connected mode: your progress, the AI tutor and subscriptions are served by {server}, "
                    "with its own database, AI provider and Stripe settings; the ones above apply "
                    "only to a server or solo run on this machine.", style="dim")
        return Group(table, Text(""), note)
    return table

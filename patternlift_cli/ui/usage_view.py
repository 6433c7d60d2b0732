"""Rich rendering of `patternlift usage`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from patternlift_cli.ui.format import dollars


def _breakdown(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column(title.split()[-1].capitalize())
    for column in ("Calls", "Prompt tok", "Completion tok", "Cost"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(str(row["name"]), str(row["calls"]), f"{row['prompt_tokens']:,}", f"{row['completion_tokens']:,}",
                      dollars(row["cost_usd"], 4))
    return table


def render_usage(summary: dict[str, Any]) -> RenderableType:
    limit: Decimal = summary["limit_usd"]
    spent: Decimal = summary["spent_usd"]
    bar = ProgressBar(total=float(limit) or 1.0, completed=float(min(spent, limit)), width=40)
    lines = [
        f"Spent {dollars(spent, 4)} of {dollars(limit)}",
        bar,
    ]
    if summary["current_month"]:
        lines.append(f"Remaining {dollars(summary['remaining_usd'], 4)} · resets {summary['resets_at']:%Y-%m-%d} 00:00 UTC")
        if summary["open_reservations"]:
            lines.append(f"{summary['open_reservations']} call(s) in flight holding {dollars(summary['reserved_usd'], 4)}")
    parts: list[RenderableType] = [Panel(Group(*lines), title=f"AI usage · {summary['month']}", expand=False)]
    if not summary["calls"]:
        parts.append(Text("No AI calls this month."))
    else:
        parts.append(_breakdown("By type", summary["by_type"]))
        parts.append(_breakdown("By model", summary["by_model"]))
        recent = Table(title="Latest calls", title_justify="left")
        for column in ("When (UTC)", "Type", "Model", "Tokens", "Cost", "Rating"):
            recent.add_column(column)
        for row in summary["recent"]:
            recent.add_row(f"{row['created_at']:%Y-%m-%d %H:%M}", row["interaction_type"], row["model"],
                           f"{row['prompt_tokens']}+{row['completion_tokens']}", dollars(row["cost_usd"], 6),
                           str(row["user_feedback"] or "-"))
        parts.append(recent)
    if summary["history"]:
        history = Table(title="Monthly history", title_justify="left")
        for column in ("Month", "Calls", "Tokens", "Cost"):
            history.add_column(column)
        for row in summary["history"]:
            history.add_row(row["month"], str(row["calls"]), f"{row['prompt_tokens'] + row['completion_tokens']:,}",
                            dollars(row["cost_usd"], 4))
        parts.append(history)
    return Group(*parts)

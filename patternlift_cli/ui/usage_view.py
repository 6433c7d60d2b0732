"""Rich rendering of `patternlift usage`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from patternlift_cli.domain.money import format_usd

BAR_WIDTH = 40


def _breakdown(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column(title.split()[-1].capitalize())
    for column in ("Calls", "Prompt tok", "Completion tok", "Cost"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(str(row["name"]), str(row["calls"]), f"{row['prompt_tokens']:,}", f"{row['completion_tokens']:,}",
                      format_usd(row["cost_usd"]))
    return table


def _month_panel(summary: dict[str, Any]) -> Panel:
    limit: Decimal = summary["limit_usd"]
    spent: Decimal = summary["spent_usd"]
    share = f"{min(spent / limit, Decimal(9.99)):.0%}" if limit > 0 else ""
    # A progress bar ends no line of its own: in a grid row of its own, the text after it
    # starts on the next line instead of being cut off at the panel's edge.
    bar = Table.grid(padding=(0, 1))
    bar.add_row(ProgressBar(total=float(limit) or 1.0, completed=float(min(spent, limit)), width=BAR_WIDTH), share)
    lines = Table.grid()
    lines.add_row(f"Spent {format_usd(spent)} of {format_usd(limit)}")
    lines.add_row(bar)
    if summary["current_month"]:
        lines.add_row(f"Remaining {format_usd(summary['remaining_usd'])} · "
                      f"resets {summary['resets_at']:%Y-%m-%d} 00:00 UTC")
        if summary["open_reservations"]:
            lines.add_row(f"{summary['open_reservations']} reservation(s) open, holding "
                          f"{format_usd(summary['reserved_usd'])}")
    return Panel(lines, title=f"AI usage · {summary['month']}", expand=False)


def render_usage(summary: dict[str, Any]) -> RenderableType:
    parts: list[RenderableType] = [_month_panel(summary)]
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
                           f"{row['prompt_tokens']}+{row['completion_tokens']}", format_usd(row["cost_usd"]),
                           str(row["user_feedback"] or "-"))
        parts.append(recent)
    if summary["history"]:
        history = Table(title="Monthly history", title_justify="left")
        for column in ("Month", "Calls", "Tokens", "Cost"):
            history.add_column(column)
        for row in summary["history"]:
            history.add_row(row["month"], str(row["calls"]), f"{row['prompt_tokens'] + row['completion_tokens']:,}",
                            format_usd(row["cost_usd"]))
        parts.append(history)
    return Group(*parts)

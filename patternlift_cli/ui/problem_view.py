"""The problem list of `patternlift problems`."""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.table import Table


def problem_list(rows: list[dict[str, Any]]) -> RenderableType:
    table = Table("Problem id", "Level", "LeetCode", "Title", box=None, header_style="bold")
    for row in rows:
        level = "mastery" if row["level"] == "mastery" else f"L{row['level']}"
        table.add_row(row["id"], level, f"#{row['leetcode']}" if row["leetcode"] else "", row["title"])
    return table

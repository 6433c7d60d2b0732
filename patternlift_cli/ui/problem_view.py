"""The problem list of `patternlift problems`."""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.table import Table


def problem_list(rows: list[dict[str, Any]]) -> RenderableType:
    table = Table(box=None, header_style="bold")
    # The id is what the learner types next (`check`): it is never cut. On a narrow terminal the
    # title is cut instead, one line per problem (the id names the problem too).
    table.add_column("Problem id", no_wrap=True, min_width=max((len(row["id"]) for row in rows), default=10))
    table.add_column("Level", no_wrap=True, min_width=len("mastery"))
    table.add_column("LeetCode", no_wrap=True, min_width=len("LeetCode"))
    table.add_column("Title", no_wrap=True, overflow="ellipsis", ratio=1)
    for row in rows:
        level = "mastery" if row["level"] == "mastery" else f"L{row['level']}"
        table.add_row(row["id"], level, f"#{row['leetcode']}" if row["leetcode"] else "", row["title"])
    return table

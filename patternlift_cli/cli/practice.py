"""`check` and `problems`: judge a solution file outside a learning session."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from patternlift_cli.cli.common import JSON_OPTION


def check(
    problem_id: str = typer.Argument(..., help="Problem id (see `patternlift problems`)."),
    file: Optional[Path] = typer.Argument(
        None, help="Solution file; default: your workspace file for this problem."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Judge a solution against the problem's hidden cases. Exit 0 only when all pass.

    Examples:

        patternlift check two-pointers-1-pair-with-target-sum

        patternlift check two-pointers-1-pair-with-target-sum ~/leetcode/167.py --json
    """
    from patternlift_cli.content.loader import get_problem
    from patternlift_cli.practice.judge import judge_file
    from patternlift_cli.practice.workspace import workspace_file
    from patternlift_cli.ui.console import console, print_json

    problem = get_problem(problem_id)
    path = file if file is not None else workspace_file(problem)
    report = judge_file(problem, path)
    if as_json:
        print_json({"file": str(path), **report.to_dict()})
    else:
        from rich.markup import escape

        from patternlift_cli.ui.judge_view import render_report

        console.print(f"[bold]{escape(problem.title)}[/] — {escape(str(path))}")
        console.print(render_report(report))
    if not report.all_passed:
        raise typer.Exit(1)


def problems(
    pattern: Optional[str] = typer.Argument(None, help="Only this pattern's problems."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List practice and mastery problem ids.

    Examples:

        patternlift problems

        patternlift problems sliding-window --json
    """
    from patternlift_cli.content.loader import get_pattern, list_patterns
    from patternlift_cli.ui.console import console, print_json

    chosen = [get_pattern(pattern)] if pattern else list_patterns()
    rows = [
        {"id": problem.id, "pattern": item.id, "level": problem.level, "title": problem.title, "leetcode": problem.leetcode}
        for item in chosen
        for problem in item.problems
    ]
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table("Problem id", "Level", "LeetCode", "Title", box=None, header_style="bold")
    for row in rows:
        level = "mastery" if row["level"] == "mastery" else f"L{row['level']}"
        table.add_row(row["id"], level, f"#{row['leetcode']}" if row["leetcode"] else "", row["title"])
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Practice")(check)
    app.command(rich_help_panel="Practice")(problems)

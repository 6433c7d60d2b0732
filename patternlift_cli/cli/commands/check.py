"""`patternlift check PROBLEM [FILE]`: judge a solution file outside a learning session."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from patternlift_cli.cli.options import JSON_OPTION


def check(
    problem_id: str = typer.Argument(..., help="Problem id (see `patternlift problems`)."),
    file: Optional[Path] = typer.Argument(None, help="Solution file; default: your workspace file for this problem."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Judge a solution against the problem's hidden cases. Exit 0 only when all pass.

    Examples:

        patternlift check two-pointers-1-pair-with-target-sum

        patternlift check two-pointers-1-pair-with-target-sum ~/leetcode/167.py --json
    """
    from patternlift_cli.cli.commands.problems import assessments_open
    from patternlift_cli.cli.context import ui
    from patternlift_cli.errors import RefusedError
    from patternlift_cli.services.catalog import Catalog
    from patternlift_cli.services.checking import check_solution
    from patternlift_cli.ui import judge_view

    problem = Catalog().problem(problem_id)
    if problem.level == "mastery" and problem.pattern not in assessments_open():
        raise RefusedError(
            f"'{problem.id}' is the unseen problem of {problem.pattern}'s mastery assessment.",
            hint=f"It opens when the assessment starts: `patternlift learn {problem.pattern}`.",
        )
    result = check_solution(problem_id, file)
    terminal = ui()
    if as_json:
        terminal.print_json({"file": str(result.path), **result.report.to_dict()})
    else:
        terminal.show(judge_view.headline(result.problem.title, str(result.path)), judge_view.render_report(result.report))
    if not result.report.all_passed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Practice")(check)

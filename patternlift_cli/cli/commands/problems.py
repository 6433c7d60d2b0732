"""`patternlift problems [PATTERN]`: practice and mastery problem ids."""

from __future__ import annotations

from typing import Optional

import typer

from patternlift_cli.cli.options import JSON_OPTION


def problems(
    pattern: Optional[str] = typer.Argument(None, help="Only this pattern's problems."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List practice and mastery problem ids.

    Examples:

        patternlift problems

        patternlift problems sliding-window --json
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.services.catalog import Catalog
    from patternlift_cli.ui import problem_view

    catalog = Catalog()
    chosen = [catalog.pattern(pattern)] if pattern else catalog.patterns()
    rows = [
        {"id": problem.id, "pattern": item.id, "level": problem.level, "title": problem.title}
        for item in chosen
        for problem in item.problems
    ]
    if as_json:
        ui().print_json(rows)
    else:
        ui().show(problem_view.problem_list(rows))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Practice")(problems)

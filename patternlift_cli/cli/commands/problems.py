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
    opened = assessments_open()
    rows = [
        {"id": problem.id, "pattern": item.id, "level": problem.level, "title": problem.title,
         "leetcode": getattr(problem, "leetcode", None)}
        for item in chosen
        for problem in item.problems
        if problem.level != "mastery" or item.id in opened  # the assessment's problem stays unseen
    ]
    if as_json:
        ui().print_json(rows)
    else:
        ui().show(problem_view.problem_list(rows))


def assessments_open() -> set[str]:
    """Patterns whose mastery assessment has started (or is passed): their unseen problem shows."""
    from patternlift_cli.cli.context import current_learner
    from patternlift_cli.errors import NotLoggedInError

    try:
        rows = current_learner(ask=False).learning.patterns()
    except NotLoggedInError:
        return set()
    return {row.id for row in rows if row.stage in ("mastery_assessment", "completed")}


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Practice")(problems)

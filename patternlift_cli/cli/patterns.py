"""`patterns`, `progress PATTERN`, `achievements`: where the learner stands."""

from __future__ import annotations

import typer

from patternlift_cli.cli.common import JSON_OPTION


def _prepare() -> None:
    from patternlift_cli.cli.common import ensure_signed_in
    from patternlift_cli.services import catalog

    ensure_signed_in()
    catalog.sync_patterns()


def patterns(as_json: bool = JSON_OPTION) -> None:
    """List every pattern in the suggested course order: prerequisites, stage, level,
    understanding and whether it is mastered.

    Example: `patternlift patterns --json`
    """
    from patternlift_cli.content.loader import load_curriculum
    from patternlift_cli.services import learning
    from patternlift_cli.ui.console import console, print_json
    from patternlift_cli.ui.progress_view import render_patterns

    _prepare()
    rows = learning.patterns_overview()
    if as_json:
        print_json([row.to_dict() for row in rows])
        return
    render_patterns(rows)
    planned = load_curriculum().planned()
    if planned:
        console.print(f"[dim]Coming later in the course: {', '.join(entry.name for entry in planned)}.[/]")


def progress(
    pattern: str = typer.Argument(..., help="Pattern id, e.g. two-pointers."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one pattern's progress: attempts, struggles, mastery scores per dimension.

    Example: `patternlift progress two-pointers`
    """
    from patternlift_cli.services import learning
    from patternlift_cli.ui.console import print_json
    from patternlift_cli.ui.progress_view import render_progress

    learning.load_pattern(pattern.strip().lower())  # an unknown name exits 2 with suggestions
    _prepare()
    detail = learning.progress_detail(pattern.strip().lower())
    if as_json:
        print_json(detail.to_dict())
        return
    render_progress(detail)


def achievements(as_json: bool = JSON_OPTION) -> None:
    """List the achievements and which ones you have unlocked.

    Example: `patternlift achievements --json`
    """
    from patternlift_cli.services import learning
    from patternlift_cli.ui.console import print_json
    from patternlift_cli.ui.progress_view import render_achievements

    _prepare()
    statuses = learning.achievements_list()
    if as_json:
        print_json([status.to_dict() for status in statuses])
        return
    render_achievements(statuses)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Learning")(patterns)
    app.command(rich_help_panel="Learning")(progress)
    app.command(rich_help_panel="Learning")(achievements)

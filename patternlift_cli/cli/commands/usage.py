"""`patternlift usage`: this month's AI spend against the limit."""

from __future__ import annotations

from typing import Optional

import typer

from patternlift_cli.cli.options import JSON_OPTION


def usage(
    month: Optional[str] = typer.Option(None, "--month", "-m", help="A past month, YYYY-MM."),
    last: int = typer.Option(10, "--last", min=0, max=200, help="How many recent calls to list."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the month's AI spend: a bar against your limit, what is left, when it resets,
    open reservations, calls/tokens/cost by type and model, and the latest calls.

    Amounts in --json are exact decimal strings.

    Examples:

        patternlift usage

        patternlift usage --month 2026-10 --json
    """
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.domain.budget import parse_month
    from patternlift_cli.ui.usage_view import render_usage

    wanted = parse_month(month, example="--month 2026-10")
    summary = current_learner().usage.summary(month=wanted, last=last)
    if as_json:
        ui().print_json(summary)
    else:
        ui().show(render_usage(summary.model_dump()))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="AI tutor")(usage)

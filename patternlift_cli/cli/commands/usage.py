"""`patternlift usage`: this month's AI spend against the limit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Optional

import typer

from patternlift_cli.cli.options import JSON_OPTION
from patternlift_cli.errors import UsageError


def parse_month(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        month = datetime.strptime(text, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(f"'{text}' is not a month.", hint="Use YYYY-MM, e.g. --month 2026-10.") from None
    if not 2000 <= month.year <= 9998:
        raise UsageError(f"'{text}' is outside the months PatternLift can have records for (2000-9998).")
    return month


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
    from patternlift_cli.ui.usage_view import render_usage

    wanted = parse_month(month)
    summary = current_learner().usage.summary(month=wanted, last=last)
    if as_json:
        ui().print_json(summary)
    else:
        ui().show(render_usage(summary.model_dump()))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="AI tutor")(usage)

"""`usage`: this month's AI spend against the limit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Optional

import typer

from patternlift_cli.cli.common import JSON_OPTION
from patternlift_cli.errors import UsageError


def _parse_month(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        month = datetime.strptime(text, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(f"'{text}' is not a month.", hint="Use YYYY-MM, e.g. --month 2026-10.") from None
    if not 2000 <= month.year <= 9998:
        raise UsageError(f"'{text}' is outside the months PatternLift can have records for (2000-9998).")
    return month


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


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
    from patternlift_cli.cli.common import ensure_signed_in
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.db.engine import session_scope
    from patternlift_cli.services import ai_usage
    from patternlift_cli.services.accounts import require_current_profile
    from patternlift_cli.ui.console import print_json

    wanted = _parse_month(month)
    ensure_signed_in()
    engine = ready_engine()
    with session_scope(engine) as session:
        user_id = require_current_profile(session).id
    summary = ai_usage.usage_summary(engine, user_id, month=wanted, last=last)
    if as_json:
        print_json(_jsonable(summary))
        return
    from patternlift_cli.ui.usage_view import render_usage

    render_usage(summary)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="AI tutor")(usage)

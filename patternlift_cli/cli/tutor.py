"""`ask`: one question to the AI tutor from the shell."""

from __future__ import annotations

import sys

import typer

from patternlift_cli.cli.common import JSON_OPTION


def ask(
    pattern: str = typer.Argument(..., help="Pattern id, e.g. two-pointers."),
    question: str = typer.Argument(..., help="Your question, in quotes."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Ask the AI tutor one question about a pattern.

    The answer streams to stdout; the cost line (this reply, and the month against your
    limit) goes to stderr, so `patternlift ask ... > answer.md` keeps only the answer.

    Exit codes: 11 AI not configured, 12 monthly budget reached, 13 plan not entitled,
    14 model has no known price, 15 the AI endpoint failed.

    Examples:

        patternlift ask two-pointers "Why must the input be sorted?"

        patternlift ask sliding-window "When do I shrink the window?" --json
    """
    from patternlift_cli.cli.common import ensure_signed_in
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.db.engine import session_scope
    from patternlift_cli.services import tutor
    from patternlift_cli.services.accounts import require_current_profile
    from patternlift_cli.ui.console import err_console, print_json

    ensure_signed_in()
    engine = ready_engine()
    with session_scope(engine) as session:
        user_id = require_current_profile(session).id

    def stream(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    reply = tutor.tutor_reply(engine, user_id, "question", pattern_id=pattern, question=question,
                              on_text=None if as_json else stream)
    if as_json:
        print_json({
            "text": reply.text,
            "interaction_id": str(reply.interaction_id),
            "cost_usd": str(reply.cost_usd),
            "month_total_usd": str(reply.month_total_usd),
            "limit_usd": str(reply.limit_usd),
        })
        return
    if not reply.text.endswith("\n"):
        sys.stdout.write("\n")
    err_console.print(f"[dim]{reply.cost_line}[/]", highlight=False)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="AI tutor")(ask)

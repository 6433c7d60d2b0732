"""`patternlift ask PATTERN "question"`: one question to the AI tutor from the shell."""

from __future__ import annotations

import typer

from patternlift_cli.cli.options import JSON_OPTION


def ask(
    pattern: str = typer.Argument(..., help="Pattern id, e.g. two-pointers."),
    question: str = typer.Argument(..., help="Your question, in quotes."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Ask the AI tutor one question about a pattern.

    The answer streams to stdout; the cost line (this reply, and the month against your
    limit) goes to stderr, so `patternlift ask ... > answer.md` keeps only the answer.
    With --json, the reply (or the error) is one JSON object on stdout.

    Exit codes: 11 AI not configured, 12 monthly budget reached, 13 plan not entitled,
    14 model has no known price, 15 the AI endpoint failed.

    Examples:

        patternlift ask two-pointers "Why must the input be sorted?"

        patternlift ask sliding-window "When do I shrink the window?" --json
    """
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.errors import PatternLiftError
    from patternlift_cli.services.catalog import Catalog
    from patternlift_cli.ui import tutor_view

    terminal = ui()
    try:
        pattern_id = Catalog().pattern_id(pattern)  # the tutor reads what it needs of the pattern
        learner = current_learner()
        reply = learner.tutor.reply(
            "question", pattern_id=pattern_id, question=question, on_text=None if as_json else terminal.write
        )
    except PatternLiftError as error:
        if not as_json:
            raise
        terminal.print_json({"error": {"type": type(error).__name__, "message": error.message,
                                       "hint": error.hint, "exit_code": error.exit_code}})
        raise typer.Exit(error.exit_code) from None
    if as_json:
        terminal.print_json(reply)
        return
    if not reply.text.endswith("\n"):
        terminal.write("\n")
    terminal.status_line(f"[dim]{tutor_view.cost_line(reply)}[/]")


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="AI tutor")(ask)

"""`patternlift calibrate`: answer the learner-level questions again (style, hints, session length)."""

from __future__ import annotations

import typer


def calibrate() -> None:
    """Redo the questions about how you learn; every pattern's lessons and hints follow the new answers.

    The questions about a pattern itself are asked when you start it.

    Example: `patternlift calibrate`
    """
    from patternlift_cli.cli.commands.learn.calibration import ask_questions
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.ui.terminal import LearnerQuit

    learning = current_learner().learning
    terminal = ui()
    terminal.text("A few questions about how you learn; they apply to every pattern.", style="bold")
    try:
        responses = ask_questions(terminal, learning.preference_questions())
    except LearnerQuit:
        terminal.say("Nothing changed.")
        raise typer.Exit(1) from None
    updated = learning.set_preferences(responses)
    terminal.say(f"Saved. {updated} pattern(s) you have started now follow these answers.")


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Learning")(calibrate)

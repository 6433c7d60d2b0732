"""`patternlift review`: today's spaced reviews of mastered patterns."""

from __future__ import annotations

import time
from pathlib import Path

import typer


def review() -> None:
    """Review the mastered patterns that are due: a few recognition questions and one short
    problem each. How it goes decides when the pattern comes back (FSRS).

    Example: `patternlift review`
    """
    from patternlift_cli.cli.commands.learn import editor
    from patternlift_cli.cli.commands.learn.questions import ask_with
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.services.catalog import Catalog
    from patternlift_cli.ui import judge_view, practice_view, progress_view
    from patternlift_cli.ui.terminal import LearnerQuit

    learner = current_learner()
    terminal = ui()
    due = learner.review.due()
    if not due:
        terminal.say("Nothing is due for review today.")
        terminal.show(progress_view.next_step(learner.learning.next_step()))
        return
    try:
        for item in due:
            started = time.monotonic()
            session = learner.review.start(item.pattern_id)
            terminal.show(progress_view.review_heading(session.pattern_name, item.due_at))
            for question in session.questions:
                ask_with(terminal, question, lambda raw, _s, q=question: learner.review.answer(item.pattern_id, q.id, raw))
            path = Path(session.workspace_file)
            terminal.show(practice_view.problem(Catalog().problem(session.problem_id), heading="Review problem",
                                                workspace=session.workspace_file, width=terminal.width))
            editor.open_in_editor(terminal, path)
            while True:
                action = editor.next_action(terminal, practice_view.review_menu(terminal.width), path, watch=False)
                if action in ("q", "quit"):
                    raise LearnerQuit
                if action in ("o", "open"):
                    editor.open_in_editor(terminal, path, announce_missing=True)
                elif action in ("r", "run", "d", "done"):
                    report = learner.review.run(item.pattern_id)
                    terminal.show(judge_view.render_report(report))
                    if report.all_passed or action in ("d", "done"):
                        break
                elif action:
                    terminal.say("[yellow]Choose r, d, o or q.[/]")
            outcome = learner.review.finish(item.pattern_id, time.monotonic() - started)
            terminal.show(progress_view.review_result(outcome))
    except LearnerQuit:
        terminal.say("Saved. `patternlift review` picks up where you stopped.")


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Learning")(review)

"""The mastery assessment: each unseen problem (run, hand in), then the recognition questions."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from patternlift_cli.cli.commands.learn import editor, questions
from patternlift_cli.errors import JudgeError, RefusedError
from patternlift_cli.ports.learning import AssessmentResult
from patternlift_cli.services.catalog import Catalog
from patternlift_cli.ui import judge_view, practice_view
from patternlift_cli.ui.terminal import LearnerQuit

if TYPE_CHECKING:
    from patternlift_cli.cli.commands.learn.driver import LearnLoop

NO_HELP = ("h", "s", "a", "e", "?")


def run(loop: LearnLoop) -> None:
    assessment = loop.learning.assessment(loop.session_id)
    if assessment.fresh:
        loop.ui.show(practice_view.assessment_intro(len(assessment.problems), len(assessment.questions), assessment.pass_score))
    for item in assessment.problems:
        if item.final:
            continue
        if _work_on(loop, item.problem_id, item.number, len(assessment.problems), Path(item.workspace_file)):
            return
    for question in assessment.questions:
        feedback = questions.ask(loop, question)
        if _finished(loop, feedback.assessment):
            return


def _work_on(loop: LearnLoop, problem_id: str, number: int, total: int, path: Path) -> bool:
    """Work on one problem until it is handed in; True when that decided the assessment."""
    ui = loop.ui
    ui.show(practice_view.problem(Catalog().problem(problem_id), heading=f"Assessment problem {number} of {total}",
                                  workspace=str(path), width=ui.width))
    editor.open_in_editor(ui, path)
    shown = time.monotonic()
    while True:
        action = editor.next_action(ui, practice_view.assessment_menu(ui.width), path, watch=loop.watch)
        if action in ("q", "quit"):
            raise LearnerQuit
        if action in ("o", "open"):
            editor.open_in_editor(ui, path, announce_missing=True)
        elif action in ("d", "done"):
            outcome = loop.learning.hand_in(loop.session_id, problem_id)
            loop.celebrate(outcome.step)
            return _finished(loop, outcome.assessment)
        elif action in ("r", "run") or (action == "" and loop.watch):
            try:
                outcome = loop.learning.run(loop.session_id, problem_id, round(time.monotonic() - shown, 1))
            except (JudgeError, RefusedError) as error:
                ui.text(error.message, style="red" if isinstance(error, JudgeError) else "yellow")
                continue
            shown = time.monotonic()
            ui.show(judge_view.render_report(outcome.report), practice_view.run_summary(outcome))
            loop.celebrate(outcome.step)
            if _finished(loop, outcome.assessment):
                return True
            if outcome.final:
                return False
        elif action in NO_HELP:
            ui.say("No hints or solutions during the assessment.")
        elif action:
            ui.say("[yellow]Choose r, d, o or q.[/]")


def _finished(loop: LearnLoop, result: AssessmentResult | None) -> bool:
    """Show the result if the assessment was just decided; True when it was."""
    if result is None:
        return False
    loop.ui.show(practice_view.assessment_result(result))
    return True

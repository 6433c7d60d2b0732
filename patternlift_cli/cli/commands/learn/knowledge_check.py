"""The knowledge check: the attempt's questions, then the result; a miss shows a review first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from patternlift_cli.cli.commands.learn import questions
from patternlift_cli.ui import quiz_view

if TYPE_CHECKING:
    from patternlift_cli.cli.commands.learn.driver import LearnLoop


def run(loop: LearnLoop) -> None:
    ui = loop.ui
    check = loop.learning.knowledge_check(loop.session_id)
    if check.review is not None:
        ui.show(quiz_view.review(check.review))
        ui.pause("[dim]Enter to retry the knowledge check, q to quit[/] ")
        loop.celebrate(loop.learning.finish_review(loop.session_id))
        return
    if check.fresh:
        ui.say(quiz_view.check_intro(check.attempt, check.total, check.pass_percent))
    for question in check.questions:
        feedback = questions.ask(loop, question)
        if feedback.check is not None:
            ui.show(quiz_view.check_result(feedback.check))
            return

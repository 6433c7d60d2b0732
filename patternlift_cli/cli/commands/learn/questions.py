"""One question: show it, read an answer until it is one, show the feedback."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from patternlift_cli.ports.learning import AnswerFeedback, QuestionView
from patternlift_cli.ui import quiz_view
from patternlift_cli.ui.terminal import LearnerQuit

if TYPE_CHECKING:
    from patternlift_cli.cli.commands.learn.driver import LearnLoop


def ask(loop: LearnLoop, question: QuestionView) -> AnswerFeedback:
    ui = loop.ui
    ui.show(quiz_view.question(question))
    started = time.monotonic()
    # "q" quits where answers are letters; a short answer needs the whole word.
    quit_words = ("q", "quit") if question.choices else ("quit",)
    while True:
        raw = ui.read_line(quiz_view.answer_prompt(question.choices))
        if raw.strip().lower() in quit_words:
            raise LearnerQuit
        feedback = loop.learning.answer(loop.session_id, question.id, raw, round(time.monotonic() - started, 1))
        if feedback.valid:
            break
        ui.say("[yellow]That is not one of the choices; answer with its letter or its text.[/]")
    ui.show(quiz_view.feedback(feedback))
    loop.celebrate(feedback.step)
    return feedback

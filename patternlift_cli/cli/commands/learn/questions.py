"""One question: show it, read an answer until it is one, show the feedback."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from patternlift_cli.ports.learning import AnswerFeedback, QuestionView
from patternlift_cli.ui import quiz_view
from patternlift_cli.ui.terminal import UI, LearnerQuit

if TYPE_CHECKING:
    from patternlift_cli.cli.commands.learn.driver import LearnLoop


def ask(loop: LearnLoop, question: QuestionView) -> AnswerFeedback:
    feedback = ask_with(loop.ui, question, lambda raw, seconds: loop.learning.answer(loop.session_id, question.id, raw, seconds))
    loop.celebrate(feedback.step)
    return feedback


def ask_with(ui: UI, question: QuestionView, submit: Callable[[str, float], AnswerFeedback]) -> AnswerFeedback:
    """Show the question, send each line to `submit` until it is an answer, show the feedback."""
    ui.show(quiz_view.question(question))
    started = time.monotonic()
    # "q" quits where answers are letters; a short answer needs the whole word.
    quit_words = ("q", "quit") if question.choices else ("quit",)
    while True:
        raw = ui.read_line(quiz_view.answer_prompt(question.choices))
        if raw.strip().lower() in quit_words:
            raise LearnerQuit
        feedback = submit(raw, round(time.monotonic() - started, 1))
        if feedback.valid:
            break
        ui.say("[yellow]That is not one of the choices; answer with its letter or its text.[/]")
    ui.show(quiz_view.feedback(feedback, question.choices))
    return feedback

"""The introduction: the lesson, one section per page, in the persona's order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from patternlift_cli.cli.commands.learn import tutoring
from patternlift_cli.ui import lesson_view
from patternlift_cli.ui.terminal import LearnerQuit

if TYPE_CHECKING:
    from patternlift_cli.cli.commands.learn.driver import LearnLoop

FORWARD, BACK, EXPLAIN, QUIT = ("", "n", "next"), ("b", "back"), ("e", "explain"), ("q", "quit")


def run(loop: LearnLoop) -> None:
    ui = loop.ui
    lesson = loop.learning.lesson(loop.session_id)
    pages = lesson.pages
    can_explain = loop.learner.tutor.status().ready
    prompt = lesson_view.page_prompt(can_explain=can_explain)
    index = max(0, min(lesson.start, len(pages) - 1)) if pages else 0
    saved, shown = lesson.start, -1
    while index < len(pages):
        if index != shown:
            if index != saved:
                loop.learning.save_lesson_page(loop.session_id, index)
                saved = index
            ui.show(lesson_view.page(loop.pattern.name, pages[index], index + 1, len(pages)))
            shown = index
        answer = ui.read_line(prompt).strip().lower()
        if answer in QUIT:
            raise LearnerQuit
        if answer in EXPLAIN and can_explain:
            tutoring.explain_section(loop, pages[index].title)
        elif answer in BACK:
            index = max(0, index - 1)
        elif answer in FORWARD:
            index += 1
        else:
            ui.say("[yellow]That is not one of the keys on this page.[/]")
    if saved != len(pages):
        loop.learning.save_lesson_page(loop.session_id, len(pages))
    loop.celebrate(loop.learning.complete_lesson(loop.session_id))

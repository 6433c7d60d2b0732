"""Calibration: how the learner learns (asked once) and how well they know this pattern."""

from __future__ import annotations

from typing import TYPE_CHECKING

from patternlift_cli.ports.learning import CalibrationQuestion
from patternlift_cli.ui.terminal import UI, LearnerQuit

if TYPE_CHECKING:
    from patternlift_cli.cli.commands.learn.driver import LearnLoop


def run(loop: LearnLoop) -> None:
    ui = loop.ui
    responses: dict[str, str] | None = None
    if not loop.skip_calibration:
        asked = loop.learning.questionnaire(loop.session_id)
        count = "one quick question" if len(asked) == 1 else f"{len(asked)} quick questions"
        ui.text(f"Before we start {loop.pattern.name}: {count} so the lesson fits how you learn.", style="bold")
        responses = ask_questions(loop.ui, asked, loop.pattern.name)
    outcome = loop.learning.calibrate(loop.session_id, responses)
    ui.say(
        f"Persona: [bold]{outcome.persona_type.replace('_', ' ')}[/] · {outcome.depth} lesson · "
        f"{outcome.hint_style} hints."
    )
    loop.celebrate(outcome.step)
    loop.refresh()


def ask_questions(ui: UI, questions: list[CalibrationQuestion], pattern_name: str = "") -> dict[str, str]:
    responses = {}
    for number, question in enumerate(questions, 1):
        ui.text(f"\n{number}. {question.prompt.format(pattern=pattern_name or 'this pattern')}", style="bold")
        for option in question.options:
            ui.say(f"  [bold]{option.key})[/] {option.text}")
        keys = tuple(option.key for option in question.options)
        answer = ui.read_choice(f"Your answer ({keys[0]}-{keys[-1]}, q to quit): ", (*keys, "q"))
        if answer == "q":
            raise LearnerQuit
        responses[question.id] = answer
    return responses

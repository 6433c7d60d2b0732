"""Calibration: five quick questions so the lesson fits how the learner learns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from patternlift_cli.ui.terminal import LearnerQuit

if TYPE_CHECKING:
    from patternlift_cli.cli.commands.learn.driver import LearnLoop


def run(loop: LearnLoop) -> None:
    ui = loop.ui
    responses: dict[str, str] | None = None
    if not loop.skip_calibration:
        ui.text(f"Before we start {loop.pattern.name}: five quick questions so the lesson fits how you learn.", style="bold")
        responses = {}
        for number, question in enumerate(loop.learning.questionnaire(), 1):
            ui.text(f"\n{number}. {question.prompt.format(pattern=loop.pattern.name)}", style="bold")
            for option in question.options:
                ui.say(f"  [bold]{option.key})[/] {option.text}")
            keys = tuple(option.key for option in question.options)
            answer = ui.read_choice(f"Your answer ({keys[0]}-{keys[-1]}, q to quit): ", (*keys, "q"))
            if answer == "q":
                raise LearnerQuit
            responses[question.id] = answer
    outcome = loop.learning.calibrate(loop.session_id, responses)
    ui.say(
        f"Persona: [bold]{outcome.persona_type.replace('_', ' ')}[/] · {outcome.depth} lesson · "
        f"{outcome.hint_style} hints."
    )
    loop.celebrate(outcome.step)
    loop.refresh()

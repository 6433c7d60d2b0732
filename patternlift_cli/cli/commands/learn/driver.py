"""The learning loop's driver: asks where the learner is, runs that stage, repeats.

Every answer, run, hint and reveal goes to the learning interface the moment it happens;
quitting (q, end of input, Ctrl-C) or a killed process resumes at the same stage, level and
question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from patternlift_cli.domain import stages
from patternlift_cli.ports.account import Learner
from patternlift_cli.ports.learning import SessionState, Step
from patternlift_cli.ui import practice_view
from patternlift_cli.ui.terminal import UI


@dataclass
class LearnLoop:
    learner: Learner
    ui: UI
    pattern: Any                    # the curriculum's Pattern
    state: SessionState
    watch: bool = False
    skip_calibration: bool = False
    # What the AI tutor is shown about the learner's last failing run.
    last_failing_case: dict[str, Any] | None = field(default=None)

    @property
    def learning(self) -> Any:
        return self.learner.learning

    @property
    def session_id(self) -> Any:
        return self.state.session_id

    def run(self) -> None:
        from patternlift_cli.cli.commands.learn import (
            assessment,
            calibration,
            introduction,
            knowledge_check,
            practice,
        )

        if self.state.stage == stages.COMPLETED:
            self.ui.say(
                f"You have mastered {self.pattern.name}. `patternlift progress {self.pattern.id}` "
                f"shows how; `patternlift learn {self.pattern.id} --restart` goes again."
            )
            return
        if not self.state.calibrated:
            calibration.run(self)
        if self.state.stage != stages.INTRODUCTION:
            label = stages.Position(self.state.stage, self.state.level).label()
            self.ui.say(f"Welcome back: resuming at [bold]{label}[/].")
        handlers = {
            stages.INTRODUCTION: introduction.run,
            stages.KNOWLEDGE_CHECK: knowledge_check.run,
            stages.HANDS_ON_PRACTICE: practice.run,
            stages.MASTERY_ASSESSMENT: assessment.run,
        }
        while True:
            self.refresh()
            if self.state.stage == stages.COMPLETED:
                from patternlift_cli.ui.progress_view import next_step

                self.ui.say(f"[bold green]{self.pattern.name} mastered.[/]")
                self.ui.show(next_step(self.learning.next_step()))
                return
            handlers[self.state.stage](self)

    def refresh(self) -> None:
        self.state = self.learning.open_session(self.pattern.id)

    def celebrate(self, step: Step | None) -> None:
        if step is not None and step.unlocked:
            self.ui.show(practice_view.achievements(step.unlocked))

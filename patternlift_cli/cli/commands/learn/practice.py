"""Hands-on practice: the level's problem, and the actions of its menu (a dispatch table)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from patternlift_cli.cli.commands.learn import editor, tutoring
from patternlift_cli.errors import JudgeError, RefusedError
from patternlift_cli.ports.learning import PracticeProblem
from patternlift_cli.services.catalog import Catalog
from patternlift_cli.ui import judge_view, lesson_view, practice_view
from patternlift_cli.ui.terminal import LearnerQuit

if TYPE_CHECKING:
    from patternlift_cli.cli.commands.learn.driver import LearnLoop


@dataclass
class Desk:
    """One practice problem being worked on."""

    loop: LearnLoop
    state: PracticeProblem
    problem: object
    path: Path
    ai_ready: bool
    ai_message: str
    shown_at: float = field(default_factory=time.monotonic)
    done: bool = False


def run(loop: LearnLoop) -> None:
    state = loop.learning.practice(loop.session_id)
    problem = Catalog().problem(state.problem_id)
    status = loop.learner.tutor.status()
    desk = Desk(loop, state, problem, Path(state.workspace_file), status.ready, status.message)
    if state.recap_template:
        loop.ui.show(lesson_view.markdown("Recap: the template", state.recap_template))
    loop.ui.show(practice_view.problem(problem, heading=f"Practice level {state.level} of 3",
                                       workspace=state.workspace_file, width=loop.ui.width))
    editor.open_in_editor(loop.ui, desk.path)
    while not desk.done:
        state = desk.state
        menu = practice_view.practice_menu(
            hints_left=max(0, state.hints_total - state.hints_used), hint_cost=state.hint_cost,
            can_reveal=state.can_reveal and not state.revealed, ai_ready=desk.ai_ready, width=loop.ui.width,
        )
        action = editor.next_action(loop.ui, menu, desk.path, watch=loop.watch)
        if action == "" and not loop.watch:
            continue
        handler = ACTIONS.get(action)
        if handler is None:
            loop.ui.say("[yellow]Choose one of the letters in the menu.[/]")
            continue
        handler(desk)


def _refresh(desk: Desk) -> None:
    desk.state = desk.loop.learning.practice(desk.loop.session_id)


def run_tests(desk: Desk) -> None:
    loop = desk.loop
    try:
        outcome = loop.learning.run(loop.session_id, desk.state.problem_id, round(time.monotonic() - desk.shown_at, 1))
    except (JudgeError, RefusedError) as error:
        loop.ui.text(error.message, style="red" if isinstance(error, JudgeError) else "yellow")
        return
    loop.ui.show(judge_view.render_report(outcome.report))
    failure = outcome.report.first_failure
    loop.last_failing_case = failure.model_dump() if failure else None
    if loop.last_failing_case is not None and outcome.diagnosis:
        loop.last_failing_case["diagnosis"] = outcome.diagnosis  # the AI hint is told the typical mistake
    loop.ui.show(practice_view.run_summary(outcome))
    loop.celebrate(outcome.step)
    desk.shown_at = time.monotonic()
    if not outcome.passed:
        _refresh(desk)
        return
    if desk.state.show_solution_notes:
        loop.ui.show(practice_view.solution(desk.problem, notes_only=True))  # type: ignore[arg-type]
    if desk.ai_ready and loop.ui.confirm("AI code review of your solution?"):
        tutoring.help_with_problem(loop, "review", desk.state.problem_id, desk.path)
    loop.ui.show(practice_view.level_passed(f"Level {desk.state.level}", outcome.next_label or "next"))
    desk.done = True


def take_hint(desk: Desk) -> None:
    loop = desk.loop
    if desk.state.hints_used >= desk.state.hints_total:
        loop.ui.say("No more built-in hints for this problem.")
        return
    outcome = loop.learning.hint(loop.session_id, desk.state.problem_id)
    loop.celebrate(outcome.step)
    loop.ui.show(practice_view.hint(outcome))
    _refresh(desk)


def show_solution(desk: Desk) -> None:
    loop, state = desk.loop, desk.state
    if not state.can_reveal:
        loop.ui.say(
            f"The solution unlocks after {state.failed_runs_to_reveal} failed runs (you have {state.failed_runs})."
        )
        return
    if not state.revealed:
        from patternlift_cli.ui.format import num

        if not loop.ui.confirm(f"Showing it caps this problem's score at {num(state.revealed_cap)}. Show?"):
            return
        loop.celebrate(loop.learning.reveal(loop.session_id, state.problem_id).step)
        _refresh(desk)
    loop.ui.show(practice_view.solution(desk.problem))  # type: ignore[arg-type]
    loop.ui.say("Type it in your own words in the file, then run the tests.")


def open_editor(desk: Desk) -> None:
    editor.open_in_editor(desk.loop.ui, desk.path, announce_missing=True)


def ask_ai(kind: str) -> Callable[[Desk], None]:
    def action(desk: Desk) -> None:
        if not desk.ai_ready:
            desk.loop.ui.text(desk.ai_message)
            return
        tutoring.help_with_problem(desk.loop, kind, desk.state.problem_id, desk.path)

    return action


def quit_practice(desk: Desk) -> None:
    raise LearnerQuit


ACTIONS: dict[str, Callable[[Desk], None]] = {
    "r": run_tests, "run": run_tests, "": run_tests,  # "" only arrives from --watch (a save)
    "h": take_hint, "hint": take_hint,
    "s": show_solution, "show": show_solution, "solution": show_solution,
    "o": open_editor, "open": open_editor, "edit": open_editor,
    "a": ask_ai("hint"), "ai": ask_ai("hint"),
    "e": ask_ai("explain"), "explain": ask_ai("explain"),
    "?": ask_ai("question"), "ask": ask_ai("question"),
    "q": quit_practice, "quit": quit_practice,
}

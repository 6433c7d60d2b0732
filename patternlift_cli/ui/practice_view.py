"""Practice and assessment screens: the problem, the action menu, results and solutions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.text import Text

from patternlift_cli.ports.learning import (
    AssessmentResult,
    HintOutcome,
    RunOutcome,
    Unlock,
)
from patternlift_cli.ui.format import num, path_lines

if TYPE_CHECKING:
    from patternlift_cli.content.models import Problem


def problem(item: Problem, *, heading: str, workspace: str, width: int = 80) -> RenderableType:
    parts = [item.statement.strip()]
    for number, example in enumerate(item.examples, 1):
        parts.append(f"**Example {number}**  \nInput: `{example.input}`  \nOutput: `{example.output}`")
        if example.explanation:
            parts.append(f"_{example.explanation}_")
    if item.constraints:
        parts.append("**Constraints**\n" + "\n".join(f"- `{line}`" for line in item.constraints))
    return Group(
        Panel(Markdown("\n\n".join(parts)), title=f"{heading} · [bold]{escape(item.title)}[/]", title_align="left"),
        Text("Your file (edit it, then press r):"),
        # Broken after separators only: a long workspace path must not break mid-name.
        Text.assemble("  ", (path_lines(workspace, width - 2), "bold"), no_wrap=True),
    )


def menu(items: list[tuple[str, str]], width: int) -> str:
    """"key: action" items, which read the same with or without colour, broken between items."""
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0
    for key, action in items:
        item_width = len(key) + 2 + len(action)
        if lines[-1] and used + 2 + item_width > width:
            lines.append([])
            used = 0
        used += (2 if lines[-1] else 0) + item_width
        lines[-1].append((key, action))
    rendered = ("  ".join(f"[bold]{escape(key)}[/]: {escape(action)}" for key, action in line) for line in lines)
    return "\n".join(rendered) + "\n> "


def practice_menu(*, hints_left: int, hint_cost: object, can_reveal: bool, ai_ready: bool, width: int) -> str:
    items = [("r", "run tests")]
    if hints_left:
        items.append(("h", f"hint ({hints_left} left, -{num(hint_cost)} pts)"))  # type: ignore[arg-type]
    if ai_ready:
        items += [("a", "AI hint on your code"), ("e", "AI explains the pattern"), ("?", "ask the AI")]
    else:
        items.append(("a/e/?", "AI tutor (off)"))
    if can_reveal:
        items.append(("s", "show solution (score capped)"))
    items += [("o", "open editor"), ("q", "quit")]
    return menu(items, width)


def assessment_menu(width: int) -> str:
    return menu([("r", "run tests"), ("d", "done (hand in as it is)"), ("o", "open editor"), ("q", "quit")], width)


def run_summary(outcome: RunOutcome) -> RenderableType:
    report = outcome.report
    if outcome.passed:
        text = f"[bold green]All {report.total} tests passed.[/] Score for this problem: {num(outcome.score)}"
        breakdown = outcome.breakdown
        if breakdown is not None and breakdown.score < breakdown.base:
            costs = []
            if breakdown.hints:
                costs.append(f"{breakdown.hints} hint(s) -{num(breakdown.hint_cost)}")
            if breakdown.failed_runs:
                costs.append(f"{breakdown.failed_runs} failed run(s) -{num(breakdown.failed_run_cost)}")
            if breakdown.revealed_cap is not None:
                costs.append(f"solution shown: capped at {num(breakdown.revealed_cap)}")
            text += f" [dim](100: {', '.join(costs)})[/]"
        return Text.from_markup(text)
    ready = " A hint about this failure is ready: press h." if outcome.diagnosis else ""
    return Text.from_markup(
        f"[bold red]{report.passed_count} of {report.total} tests passed.[/] Fix the first failure and run again.{ready}"
    )


HINT_LEADS = {"socratic": "Ask yourself", "direct": "Next step", "worked": "Trace it"}


def hint(outcome: HintOutcome) -> RenderableType:
    lead = HINT_LEADS.get(outcome.style, "Next step")
    title = "Hint · about your last failure" if outcome.about_failure else f"Hint {outcome.number} of {outcome.total}"
    return Panel(Text(outcome.text.strip()), title=f"{title} · {lead}", border_style="cyan")


def solution(item: Problem, *, notes_only: bool = False) -> RenderableType:
    sol = item.solution
    lines = [f"**Time** {sol.time} · **Space** {sol.space}", (sol.explanation or "").strip()]
    notes = Panel(Markdown("\n\n".join(lines)), title="Reference solution notes", border_style="blue")
    if notes_only:
        return notes
    # Wrapped, not cropped: LeetCode signatures run past 80 columns, and a cropped line
    # hides its end; a wrapped one continues beside the gutter without a line number.
    return Group(notes, Syntax(sol.code, "python", theme="monokai", line_numbers=True, word_wrap=True))


def level_passed(label: str, next_label: str) -> RenderableType:
    return Panel(f"{label} complete. Next: {next_label}.", border_style="green")


def assessment_intro(problem_count: int, question_count: int, pass_score: object) -> RenderableType:
    return Panel(
        f"{problem_count} unseen problem(s), then {question_count} recognition question(s).\n"
        f"No hints here. Pass mark: {num(pass_score)} (problems 70 %, recognition 30 %).",  # type: ignore[arg-type]
        title="Mastery assessment",
        border_style="magenta",
    )


def assessment_result(result: AssessmentResult) -> RenderableType:
    text = (
        f"Score {num(result.score)} (pass mark {num(result.pass_score)}); recognition "
        f"{result.recognition_correct}/{result.recognition_total}."
    )
    if result.passed:
        return Panel(text + "\nPattern mastered!", title="Mastery assessment passed", border_style="green")
    return Panel(text + "\nReview the lesson and try again; your practice is kept.", title="Not yet", border_style="yellow")


def achievements(unlocked: list[Unlock]) -> RenderableType:
    return Group(*(
        Text.assemble(("🏆 Achievement unlocked: ", "bold magenta"), (item.name, "bold"), f" — {item.description}")
        for item in unlocked
    ))


def review_menu(width: int) -> str:
    return menu([("r", "run tests"), ("d", "done (hand in as it is)"), ("o", "open editor"), ("q", "quit")], width)

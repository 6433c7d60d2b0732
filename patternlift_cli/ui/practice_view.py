"""Practice and assessment screens: the problem, the action menu, results and solutions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text
from rich.syntax import Syntax

from patternlift_cli.ui.console import console

if TYPE_CHECKING:
    from patternlift_cli.content.models import Problem


def render_problem(problem: Problem, *, heading: str, workspace: Path) -> None:
    parts = [problem.statement.strip()]
    for number, example in enumerate(problem.examples, 1):
        parts.append(f"**Example {number}**  \nInput: `{example.input}`  \nOutput: `{example.output}`")
        if example.explanation:
            parts.append(f"_{example.explanation}_")
    if problem.constraints:
        parts.append("**Constraints**\n" + "\n".join(f"- `{item}`" for item in problem.constraints))
    console.print(
        Panel(
            Markdown("\n\n".join(parts)),
            title=f"{heading} · [bold]{escape(problem.title)}[/]",
            title_align="left",
        )
    )
    console.print(f"Your file: [bold]{escape(str(workspace))}[/]  (edit it, then press r)", highlight=False)


def _menu(items: list[tuple[str, str]]) -> str:
    """ "key: action" items, which read the same with or without colour, broken between items."""
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0
    for key, action in items:
        width = len(key) + 2 + len(action)
        if lines[-1] and used + 2 + width > console.width:
            lines.append([])
            used = 0
        used += (2 if lines[-1] else 0) + width
        lines[-1].append((key, action))
    rendered = ("  ".join(f"[bold]{escape(key)}[/]: {escape(action)}" for key, action in line) for line in lines)
    return "\n".join(rendered) + "\n> "


def practice_menu(*, hints_left: int, hint_cost: int, can_reveal: bool, failed_runs: int, ai_ready: bool) -> str:
    items = [("r", "run tests")]
    if hints_left:
        items.append(("h", f"hint ({hints_left} left, -{hint_cost} pts)"))
    if ai_ready:
        items += [("a", "AI hint"), ("e", "AI explanation"), ("?", "ask the AI")]
    else:
        items.append(("a/e/?", "AI tutor (off)"))
    if can_reveal:
        items.append(("s", "show solution (score capped)"))
    items += [("o", "open editor"), ("q", "quit")]
    return _menu(items)


def assessment_menu() -> str:
    return _menu([("r", "run tests"), ("d", "done (hand in as it is)"), ("o", "open editor"), ("q", "quit")])


def render_run_summary(*, passed: bool, cases_passed: int, cases_total: int, score: float) -> None:
    if passed:
        console.print(f"[bold green]All {cases_total} tests passed.[/] Score for this problem: {score:g}")
    else:
        console.print(
            f"[bold red]{cases_passed} of {cases_total} tests passed.[/] Fix the first failure and run again.",
            highlight=False,
        )


def render_hint(number: int, total: int, text: str, *, style: str) -> None:
    lead = "Ask yourself" if style == "socratic" and number == 1 else "Next step"
    console.print(Panel(Text(text.strip()), title=f"Hint {number} of {total} · {lead}", border_style="cyan"))


def render_solution(problem: Problem, *, notes_only: bool = False) -> None:
    solution = problem.solution
    lines = [f"**Time** {solution.time} · **Space** {solution.space}", (solution.explanation or "").strip()]
    console.print(Panel(Markdown("\n\n".join(lines)), title="Reference solution notes", border_style="blue"))
    if not notes_only:
        # Wrapped, not cropped: LeetCode signatures run past 80 columns, and a cropped line
        # hides its end; a wrapped one continues beside the gutter without a line number.
        console.print(Syntax(solution.code, "python", theme="monokai", line_numbers=True, word_wrap=True))


def render_level_passed(label: str, next_label: str) -> None:
    console.print(Panel(f"{label} complete. Next: {next_label}.", border_style="green"))


def render_assessment_intro(problem_count: int, question_count: int, pass_score: float) -> None:
    console.print(
        Panel(
            f"{problem_count} unseen problem(s), then {question_count} recognition question(s).\n"
            f"No hints here. Pass mark: {pass_score:g} (problems 70 %, recognition 30 %).",
            title="Mastery assessment",
            border_style="magenta",
        )
    )


def render_assessment_result(outcome: dict[str, Any]) -> None:
    passed = outcome["passed"]
    text = (
        f"Score {outcome['score']:g} (pass mark {outcome['pass_score']:g}); recognition "
        f"{outcome['recognition_correct']}/{outcome['recognition_total']}."
    )
    if passed:
        console.print(Panel(text + "\nPattern mastered!", title="Mastery assessment passed", border_style="green"))
    else:
        console.print(
            Panel(text + "\nReview the lesson and try again; your practice is kept.", title="Not yet", border_style="yellow")
        )


def render_achievements(unlocked: list[dict[str, Any]]) -> None:
    for item in unlocked:
        console.print(f"[bold magenta]🏆 Achievement unlocked:[/] [bold]{item['name']}[/] — {item['description']}")

"""Knowledge-check and recognition questions: prompt, immediate feedback, review of misses."""

from __future__ import annotations

from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel

from patternlift_cli.ui.console import console


def letter(index: int) -> str:
    return chr(ord("a") + index)


def render_question(number: int, total: int, prompt: str, choices: list[str], kind: str) -> None:
    label = {"recognition": "Which pattern fits?", "short_answer": "Short answer"}.get(kind, "Choose one")
    body = Markdown(prompt.strip())
    console.print(Panel(body, title=f"Question {number} of {total} · {label}", title_align="left"))
    for index, choice in enumerate(choices):
        console.print(f"  [bold]{letter(index)})[/] {escape(choice)}", highlight=False)


def answer_prompt(choices: list[str]) -> str:
    if choices:
        return f"[bold]Your answer ({letter(0)}-{letter(len(choices) - 1)}, q to quit):[/] "
    return "[bold]Your answer (quit to stop):[/] "


def render_feedback(
    *,
    correct: bool,
    explanation: str,
    correct_text: str,
    others: tuple[tuple[str, str], ...] = (),
    explain_all: bool = False,
) -> None:
    if correct:
        console.print(f"[bold green]✓ Right.[/] {escape(explanation)}", highlight=False)
    else:
        console.print(f"[bold red]✗ Not quite.[/] The answer: [bold]{escape(correct_text)}[/]", highlight=False)
        if explanation:
            console.print(f"  {escape(explanation)}", highlight=False)
    if explain_all:
        for text, why in others:
            if why:
                console.print(f"  [dim]• {escape(text)}: {escape(why)}[/]", highlight=False)


def render_check_result(score: float, correct: int, total: int, passed: bool, pass_mark: float) -> None:
    colour = "green" if passed else "yellow"
    verdict = "Passed: practice is open." if passed else f"Below the pass mark ({pass_mark:g}%)."
    console.print(
        Panel(
            f"{correct} of {total} right ({score:g}%). {verdict}",
            title="Knowledge check",
            border_style=colour,
        )
    )


def render_review(items: list[tuple[str, str, str, str]]) -> None:
    """items: (concept, question prompt, correct answer, explanation)."""
    console.print(Panel("Let's look again at what was missed, then try the check once more.", title="Review", border_style="yellow"))
    for concept, prompt, correct_text, explanation in items:
        console.print(f"[bold yellow]{escape(concept)}[/]")
        console.print(Markdown(prompt.strip()))
        console.print(f"  Answer: [bold]{escape(correct_text)}[/]", highlight=False)
        if explanation:
            console.print(f"  {escape(explanation)}", highlight=False)
        console.print()

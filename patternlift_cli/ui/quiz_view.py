"""Knowledge-check and recognition questions: prompt, immediate feedback, review of misses."""

from __future__ import annotations

import re

from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from patternlift_cli.ui.console import console

_CODE_SPAN = re.compile(r"`([^`]+)`")


def letter(index: int) -> str:
    return chr(ord("a") + index)


def inline_text(source: str, style: str = "") -> Text:
    """Plain curriculum text with `code` spans styled as code; nothing else is interpreted."""
    text = Text(style=style)
    position = 0
    for match in _CODE_SPAN.finditer(source):
        text.append(source[position : match.start()])
        text.append(match.group(1), style="bold cyan")
        position = match.end()
    text.append(source[position:])
    return text


def _hanging(label: Text | str, body: Text, indent: int = 2) -> Table:
    """A label followed by text whose wrapped lines stay aligned under the text, not the label."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(" " * indent) + (Text.from_markup(label) if isinstance(label, str) else label), body)
    return grid


def render_question(number: int, total: int, prompt: str, choices: list[str], kind: str) -> None:
    label = {"recognition": "Which pattern fits?", "short_answer": "Short answer"}.get(kind, "Choose one")
    body = Markdown(prompt.strip())
    console.print(Panel(body, title=f"Question {number} of {total} · {label}", title_align="left"))
    for index, choice in enumerate(choices):
        console.print(_hanging(f"[bold]{letter(index)})[/]", inline_text(choice)))


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
        console.print(_hanging("[bold green]✓ Right.[/]", inline_text(explanation), indent=0))
    else:
        verdict = Text("The answer: ") + inline_text(correct_text, style="bold")
        console.print(_hanging("[bold red]✗ Not quite.[/]", verdict, indent=0))
        if explanation:
            console.print(_hanging("", inline_text(explanation), indent=1))
    if explain_all:
        for text, why in others:
            if why:
                console.print(_hanging("[dim]•[/]", inline_text(text, style="dim") + Text(": ", style="dim") + inline_text(why, style="dim")))


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
        console.print(inline_text(concept, style="bold yellow"))
        console.print(Markdown(prompt.strip()))
        console.print(_hanging("Answer:", inline_text(correct_text, style="bold")))
        if explanation:
            console.print(_hanging("", inline_text(explanation), indent=1))
        console.print()

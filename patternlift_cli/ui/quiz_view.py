"""Knowledge-check and recognition questions: the question, feedback, the result, the review."""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from patternlift_cli.ports.learning import (
    AnswerFeedback,
    CheckResult,
    QuestionView,
    ReviewItem,
)
from patternlift_cli.ui.format import num

_CODE_SPAN = re.compile(r"`([^`]+)`")
KIND_LABELS = {"recognition": "Which pattern fits?", "short_answer": "Short answer"}


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


def hanging(label: Text | str, body: Text, indent: int = 2) -> Table:
    """A label followed by text whose wrapped lines stay aligned under the text, not the label."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(" " * indent) + (Text.from_markup(label) if isinstance(label, str) else label), body)
    return grid


def question(view: QuestionView) -> RenderableType:
    label = KIND_LABELS.get(view.kind, "Choose one")
    parts: list[RenderableType] = [
        Panel(Markdown(view.prompt.strip()), title=f"Question {view.number} of {view.total} · {label}", title_align="left")
    ]
    parts += [hanging(f"[bold]{letter(index)})[/]", inline_text(choice)) for index, choice in enumerate(view.choices)]
    return Group(*parts)


def answer_prompt(choices: list[str]) -> str:
    if choices:
        return f"[bold]Your answer ({letter(0)}-{letter(len(choices) - 1)}, q to quit):[/] "
    return "[bold]Your answer (quit to stop):[/] "


def feedback(answer: AnswerFeedback, choices: list[str] | None = None) -> RenderableType:
    """`choices` as the question showed them: the other options are then named by their letter."""
    parts: list[RenderableType] = []
    if answer.correct:
        parts.append(hanging("[bold green]✓ Right.[/]", inline_text(answer.explanation), indent=0))
    else:
        verdict = Text("The answer: ") + inline_text(answer.correct_text, style="bold")
        parts.append(hanging("[bold red]✗ Not quite.[/]", verdict, indent=0))
        if answer.explanation:
            parts.append(hanging("", inline_text(answer.explanation), indent=1))
    if answer.explain_all:
        shown = {choice: letter(index) for index, choice in enumerate(choices or [])}
        for text, why in answer.others:
            if not why:
                continue
            if text in shown:  # the option is on screen just above: its letter is enough
                parts.append(hanging(f"[dim]{shown[text]})[/]", inline_text(why, style="dim")))
            else:
                line = inline_text(text.rstrip("."), style="dim") + Text(": ", style="dim") + inline_text(why, style="dim")
                parts.append(hanging("[dim]•[/]", line))
    return Group(*parts)


def check_intro(attempt: int, total: int, pass_percent: object) -> str:
    return f"\n[bold]Knowledge check[/] (attempt {attempt}): {total} questions, pass mark {num(pass_percent)}%."


def check_result(result: CheckResult) -> RenderableType:
    colour = "green" if result.passed else "yellow"
    verdict = "Passed: practice is open." if result.passed else f"Below the pass mark ({num(result.pass_percent)}%)."
    return Panel(
        f"{result.correct} of {result.total} right ({num(result.score)}%). {verdict}",
        title="Knowledge check",
        border_style=colour,
    )


def review(items: list[ReviewItem]) -> RenderableType:
    parts: list[RenderableType] = [
        Panel("Let's look again at what was missed, then try the check once more.", title="Review", border_style="yellow")
    ]
    for item in items:
        parts.append(inline_text(item.concept, style="bold yellow"))
        parts.append(Markdown(item.prompt.strip()))
        parts.append(hanging("Answer:", inline_text(item.correct_text, style="bold")))
        if item.explanation:
            parts.append(hanging("", inline_text(item.explanation), indent=1))
        parts.append(Text(""))
    return Group(*parts)

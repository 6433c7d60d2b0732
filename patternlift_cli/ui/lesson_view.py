"""Lesson pages: one section per page, in the order the learner's persona asks for."""

from __future__ import annotations

from collections.abc import Callable

from rich.markdown import Markdown
from rich.panel import Panel

from patternlift_cli.ui.console import console
from patternlift_cli.ui.learn_prompts import LearnerQuit, read_line

SECTION_TITLES = {
    "when_it_applies": "When it applies",
    "signals": "Signals",
    "template": "Template",
    "worked_example": "Worked example",
    "complexity": "Complexity",
    "common_mistakes": "Common mistakes",
}


def render_page(pattern_name: str, key: str, body: str, number: int, total: int) -> None:
    title = SECTION_TITLES.get(key, key.replace("_", " ").capitalize())
    console.print(
        Panel(
            Markdown(body, code_theme="monokai"),
            title=f"[bold]{pattern_name}[/] · {title}",
            subtitle=f"page {number} of {total}",
            expand=True,
        )
    )


def page_through(
    pattern_name: str,
    pages: list[tuple[str, str]],
    *,
    start: int,
    on_page: Callable[[int], None],
    on_explain: Callable[[str], None] | None = None,
) -> None:
    """Show pages from `start`; `on_page(i)` is called when page i becomes current.

    Enter (or n) goes forward, b back, q quits (raising LearnerQuit after saving the page);
    with `on_explain`, e asks the AI tutor to explain the current page another way.
    """
    prompt = "[dim]Enter for next, b for back, " + ("e for an AI explanation, " if on_explain else "") + "q to quit[/] "
    index = max(0, min(start, len(pages) - 1)) if pages else 0
    shown = -1
    while index < len(pages):
        key, body = pages[index]
        if index != shown:
            on_page(index)
            render_page(pattern_name, key, body, index + 1, len(pages))
            shown = index
        answer = read_line(prompt).strip().lower()
        if answer in ("q", "quit"):
            raise LearnerQuit
        if answer in ("e", "explain") and on_explain is not None:
            on_explain(key)
        elif answer in ("b", "back"):
            index = max(0, index - 1)
        else:
            index += 1
    on_page(len(pages))


def render_markdown(title: str, body: str) -> None:
    console.print(Panel(Markdown(body, code_theme="monokai"), title=title))

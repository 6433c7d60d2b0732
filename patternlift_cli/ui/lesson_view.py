"""Lesson pages: one section per page, in the order the learner's persona asks for."""

from __future__ import annotations

from rich.console import RenderableType
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel

from patternlift_cli.ports.learning import LessonPage


def page(pattern_name: str, lesson_page: LessonPage, number: int, total: int) -> RenderableType:
    return Panel(
        Markdown(lesson_page.body, code_theme="monokai"),
        title=f"[bold]{escape(pattern_name)}[/] · {escape(lesson_page.title)}",
        subtitle=f"page {number} of {total}",
        expand=True,
    )


def page_prompt(*, can_explain: bool) -> str:
    explain = "e: explain it another way (AI), " if can_explain else ""
    return f"[dim]Enter: next page, b: back, {explain}q: quit[/] "


def markdown(title: str, body: str) -> RenderableType:
    return Panel(Markdown(body, code_theme="monokai"), title=title)

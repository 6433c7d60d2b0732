"""How a judge report looks in the terminal."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from patternlift_cli.ports.learning import JudgeSummary as JudgeReport

STATUS_STYLE = {
    "passed": ("✓", "green"),
    "failed": ("✗", "red"),
    "error": ("!", "red"),
    "timeout": ("⏱", "yellow"),
    "memory": ("M", "yellow"),
    "not_run": ("·", "dim"),
}


def render_report(report: JudgeReport) -> Group:
    marks = Text()
    for case in report.cases:
        symbol, style = STATUS_STYLE.get(case.status, ("?", "white"))
        marks.append(symbol, style=style)
    headline_style = "bold green" if report.all_passed else "bold red"
    parts: list = [
        Text.assemble((report.message, headline_style), f"   [{report.passed_count}/{report.total}] ", marks)
    ]
    failure = report.first_failure
    if failure is not None and report.verdict not in ("syntax_error",):
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        # Text, not markup: learner data like "[x for x in nums]" must print as it is.
        if failure.note:
            table.add_row("Case", Text(f"{failure.number} ({failure.note})"))
        if failure.input is not None:
            table.add_row("Input", Text(failure.input))
        if failure.expected is not None:
            table.add_row("Expected", Text(failure.expected))
        if failure.actual is not None:
            table.add_row("Got", Text(failure.actual))
        if failure.traceback:
            table.add_row("Error", Text("\n".join(failure.traceback)))
        if table.row_count:
            parts.append(Panel(table, title=f"First failing case: {failure.number}", border_style="red"))
    if report.output:
        suffix = "\n… (output truncated)" if report.output_truncated else ""
        parts.append(Panel(Text(report.output.rstrip() + suffix), title="Your program printed", border_style="dim"))
    return Group(*parts)


def headline(title: str, path: str) -> Text:
    return Text.assemble((title, "bold"), f" — {path}", overflow="fold")

"""How a judge report looks in the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # the judge's own report or its summary: both have these fields
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
    parts: list = []
    if report.notice:
        parts.append(Text(report.notice, style="yellow"))
    parts.append(Text.assemble((report.message, headline_style), f"   [{report.passed_count}/{report.total}] ", marks))
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
    if report.output and failure is not None:
        # The judge made control characters visible: what a program prints cannot restyle
        # the terminal or draw a fake result.
        suffix = "\n… (more output not shown)" if report.output_truncated else ""
        title = f"Your program printed (case {failure.number})"
        parts.append(Panel(Text(report.output.rstrip() + suffix), title=title, border_style="dim"))
    return Group(*parts)


def render_isolation(report: dict[str, Any]) -> Group:
    """`patternlift doctor`: the isolation in effect and what it guarantees."""
    sandboxed = report["isolation"] == "bwrap"
    headline = (
        Text("Learner code runs in a bubblewrap sandbox.", style="bold green")
        if sandboxed
        else Text("Learner code is NOT isolated from your files on this machine.", style="bold yellow")
    )
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Why", Text(str(report["reason"])))
    table.add_row("Setting", Text(f"PATTERNLIFT_JUDGE_SANDBOX={report['requested']}"))
    table.add_row("bwrap", Text(str(report["bwrap"] or "not found")))
    if report.get("probe"):
        table.add_row("Probe", Text(str(report["probe"])))
    speed = report.get("machine_speed") or 1.0
    table.add_row("Time limits", Text(
        f"x{speed:g}: Python runs {speed:g}x slower here than on the machine the limits were set on"
        if speed > 1 else "as set: this machine is as fast as the one they were set on, or faster"))
    parts: list = [headline, table, Text("It guarantees:", style="bold")]
    parts.extend(Text(f"  • {line}") for line in report["guarantees"])
    if not sandboxed:
        parts.append(Text(
            "For real isolation on Linux: install bubblewrap (apt-get install bubblewrap) on a kernel "
            "with user namespaces; docs/JUDGE.md explains.", style="dim",
        ))
    return Group(*parts)


def headline(title: str, path: str) -> Text:
    return Text.assemble((title, "bold"), f" — {path}", overflow="fold")

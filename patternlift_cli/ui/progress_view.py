"""Tables for `patterns`, `progress` and `achievements`."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from patternlift_cli.ui.format import num

STAGE_LABELS = {
    None: "not started",
    "introduction": "introduction",
    "knowledge_check": "knowledge check",
    "hands_on_practice": "practice",
    "mastery_assessment": "assessment",
    "completed": "completed",
}


def patterns(rows: list[Any], *, width: int) -> RenderableType:
    # The id is what the learner types next, so it never wraps; the display name only
    # gets a column when the terminal has room for it.
    show_names = width >= 110
    table = Table(title="Course", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("Pattern", no_wrap=True, style="bold")
    if show_names:
        table.add_column("Name")
    table.add_column("Needs", overflow="fold", min_width=12)
    table.add_column("Stage")
    table.add_column("Understanding", justify="right")
    for row in rows:
        stage = STAGE_LABELS.get(row.stage, row.stage)
        if row.stage == "hands_on_practice":
            stage = f"{stage} L{row.level}"
        if row.mastered:
            stage = "[green]mastered ✓[/]" if row.stage == "completed" else f"{stage} [green](mastered ✓)[/]"
        needs = "\n".join(row.prerequisites) or "-"
        if row.prerequisites and not row.prerequisites_met:
            needs = f"[dim]{needs}[/]"
        understanding = f"{row.understanding:.0f}" if row.understanding is not None else ""
        cells = [str(row.order), row.id, *([row.name] if show_names else []), needs, stage, understanding]
        table.add_row(*cells)
    return table


def progress(detail: Any) -> RenderableType:
    if not detail.started:
        return Text(f"No progress yet on {detail.pattern_name}. Start with `patternlift learn {detail.pattern_id}`.")
    parts: list[RenderableType] = []
    summary = Table(show_header=False, box=None, title=detail.pattern_name, title_justify="left")
    summary.add_row("Stage", STAGE_LABELS.get(detail.stage, detail.stage) + (f", level {detail.level}" if detail.stage == "hands_on_practice" else ""))
    summary.add_row("Understanding", f"{detail.understanding_level:.1f} / 100")
    summary.add_row("Persona", detail.persona_type or "")
    summary.add_row("Mastery score", f"{detail.mastery_score:.1f}")
    for name in ("recognition", "implementation", "complexity", "edge_cases"):
        if name in detail.mastery_scores:
            summary.add_row(f"  {name.replace('_', ' ')}", num(detail.mastery_scores[name]))
    summary.add_row("Scores", f"current {num(detail.current_score)}, best {num(detail.best_score)}")
    summary.add_row("Attempts", str(detail.attempts_count))
    if detail.mastered:
        summary.add_row("Mastered", f"{detail.mastered_at:%Y-%m-%d} (assessment {num(detail.assessment_score)})")
    parts.append(summary)
    if detail.struggle_indicators:
        parts.append(Text.assemble(("Struggles: ", "bold"), ", ".join(detail.struggle_indicators)))
    if detail.attempt_history:
        table = Table(title="Attempts", title_justify="left")
        for column in ("When", "Stage", "Lvl", "Item", "Score", "Passed", "Hints", "Secs"):
            table.add_column(column)
        for attempt in detail.attempt_history:
            table.add_row(
                f"{attempt.at:%Y-%m-%d %H:%M}",
                STAGE_LABELS.get(attempt.stage, attempt.stage),
                str(attempt.level),
                attempt.item,
                "" if attempt.score is None else num(attempt.score),
                {True: "yes", False: "no"}.get(attempt.passed, ""),
                str(attempt.hints),
                f"{attempt.duration_seconds:.0f}",
            )
        parts.append(table)
        if detail.attempts_not_shown:
            parts.append(Text(f"{detail.attempts_not_shown} older attempt(s) not shown.", style="dim"))
    return Group(*parts)


def achievements(statuses: list[Any]) -> RenderableType:
    table = Table(title="Achievements", title_justify="left")
    table.add_column("")
    table.add_column("Achievement")
    table.add_column("How")
    table.add_column("Unlocked")
    for status in statuses:
        table.add_row(
            "🏆" if status.unlocked else "·",
            f"[bold]{status.name}[/]" if status.unlocked else status.name,
            status.description,
            f"{status.unlocked_at:%Y-%m-%d}" if status.unlocked_at else "",
        )
    held = sum(1 for status in statuses if status.unlocked)
    return Group(table, Text(f"{held} of {len(statuses)} unlocked."))

"""Tables for `patterns`, `progress` and `achievements`."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table

from patternlift_cli.ui.console import console

STAGE_LABELS = {
    None: "not started",
    "introduction": "introduction",
    "knowledge_check": "knowledge check",
    "hands_on_practice": "practice",
    "mastery_assessment": "assessment",
    "completed": "completed",
}


def render_patterns(rows: list[Any]) -> None:
    # The id is what the learner types next, so it never wraps; the display name only
    # gets a column when the terminal has room for it.
    show_names = console.width >= 110
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
    console.print(table)


def render_progress(detail: Any) -> None:
    if not detail.started:
        console.print(f"No progress yet on {detail.pattern_name}. Start with `patternlift learn {detail.pattern_id}`.")
        return
    summary = Table(show_header=False, box=None, title=detail.pattern_name, title_justify="left")
    summary.add_row("Stage", STAGE_LABELS.get(detail.stage, detail.stage) + (f", level {detail.level}" if detail.stage == "hands_on_practice" else ""))
    summary.add_row("Understanding", f"{detail.understanding:.1f} / 100")
    summary.add_row("Persona", detail.persona_type or "")
    summary.add_row("Mastery score", f"{detail.mastery_score:.1f}")
    for name in ("recognition", "implementation", "complexity", "edge_cases"):
        if name in detail.mastery_scores:
            summary.add_row(f"  {name.replace('_', ' ')}", f"{detail.mastery_scores[name]:g}")
    summary.add_row("Scores", f"current {detail.current_score:g}, best {detail.best_score:g}")
    summary.add_row("Attempts", str(detail.attempts_count))
    if detail.mastered:
        summary.add_row("Mastered", f"{detail.mastered_at:%Y-%m-%d} (assessment {detail.assessment_score:g})")
    console.print(summary)
    if detail.struggles:
        console.print("[bold]Struggles:[/] " + ", ".join(detail.struggles), highlight=False)
    if detail.attempts:
        table = Table(title="Attempts", title_justify="left")
        for column in ("When", "Stage", "Lvl", "Item", "Score", "Passed", "Hints", "Secs"):
            table.add_column(column)
        for attempt in detail.attempts[-25:]:
            table.add_row(
                str(attempt.get("at", ""))[:16].replace("T", " "),
                STAGE_LABELS.get(attempt.get("stage"), attempt.get("stage", "")),
                str(attempt.get("level", "")),
                str(attempt.get("item", "")),
                "" if attempt.get("score") is None else f"{attempt['score']:g}",
                {True: "yes", False: "no"}.get(attempt.get("passed"), ""),
                str(attempt.get("hints", 0)),
                f"{attempt.get('duration_seconds', 0):.0f}",
            )
        console.print(table)


def render_achievements(statuses: list[Any]) -> None:
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
    console.print(table)
    held = sum(1 for status in statuses if status.unlocked)
    console.print(f"{held} of {len(statuses)} unlocked.")

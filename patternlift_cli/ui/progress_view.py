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
    # At 80 columns the rows' order is the course order; the ids keep the room to stay whole.
    show_names = width >= 110
    show_order = width >= 90
    table = Table(title="Course", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    if show_order:
        table.add_column("#", justify="right")
    table.add_column("Pattern", no_wrap=True, style="bold")
    if show_names:
        table.add_column("Name")
    table.add_column("Needs", no_wrap=True)  # ids are typed: whole, one per line
    table.add_column("Stage")
    table.add_column("Understanding", justify="right")
    for row in rows:
        stage = STAGE_LABELS.get(row.stage, row.stage)
        if row.stage == "hands_on_practice":
            stage = f"{stage} L{row.level}"
        if row.mastered:
            stage = "[green]mastered ✓[/]" if row.stage == "completed" else f"{stage} [green](mastered ✓)[/]"
            if row.review_due_at is not None:
                stage += f"\n[dim]review {row.review_due_at:%b %d}[/]"
        needs = "\n".join(row.prerequisites) or "-"
        if row.prerequisites and not row.prerequisites_met:
            needs = f"[dim]{needs}[/]"
        understanding = f"{row.understanding:.0f}" if row.understanding is not None else ""
        cells = [*([str(row.order)] if show_order else []), row.id, *([row.name] if show_names else []),
                 needs, stage, understanding]
        table.add_row(*cells)
    return table


EXPLAINED = {
    "Understanding": "a running 0-100 level: every answer, run, hint and reveal moves it (starts at 50)",
    "Mastery score": "recognition, implementation, complexity and edge cases, weighted, with understanding",
    "Assessment": "what the mastery assessment scored; passing it is what masters a pattern",
    "Knowledge": "the learner model's chance that you know each concept (Bayesian Knowledge Tracing)",
}


def _explained(table: Table, label: str, value: str) -> None:
    table.add_row(label, value, Text(EXPLAINED.get(label, ""), style="dim"))


def progress(detail: Any) -> RenderableType:
    if not detail.started:
        return Text(f"No progress yet on {detail.pattern_name}. Start with `patternlift learn {detail.pattern_id}`.")
    parts: list[RenderableType] = []
    summary = Table(show_header=False, box=None, title=detail.pattern_name, title_justify="left")
    summary.add_column(no_wrap=True)
    summary.add_column(no_wrap=True)
    summary.add_column(ratio=1)
    stage = STAGE_LABELS.get(detail.stage, detail.stage)
    summary.add_row("Stage", stage + (f", level {detail.level}" if detail.stage == "hands_on_practice" else ""), "")
    _explained(summary, "Understanding", f"{detail.understanding_level:.1f} / 100")
    _explained(summary, "Mastery score", f"{detail.mastery_score:.1f}")
    for name in ("recognition", "implementation", "complexity", "edge_cases"):
        if name in detail.mastery_scores:
            summary.add_row(f"  {name.replace('_', ' ')}", num(detail.mastery_scores[name]), "")
    if detail.mastered:
        _explained(summary, "Assessment", f"{num(detail.assessment_score)} on {detail.mastered_at:%Y-%m-%d}")
    if detail.knowledge_estimate is not None:
        _explained(summary, "Knowledge", f"{num(detail.knowledge_estimate)} / 100")
    summary.add_row("Scores", f"current {num(detail.current_score)}, best {num(detail.best_score)}", "")
    summary.add_row("Attempts", str(detail.attempts_count), "")
    if detail.review_due_at is not None:
        summary.add_row("Next review", f"{detail.review_due_at:%Y-%m-%d}", "")
    parts.append(summary)
    if detail.mastered and detail.mastery_score < detail.pass_score:
        parts.append(Text(
            f"Mastered, though the mastery score is below the pass mark of {num(detail.pass_score)}: it counts every "
            "answer and run since the start, misses included, while mastery is decided by the assessment alone.",
            style="yellow",
        ))
    if detail.concepts:
        concepts = Table(title="What you know, by concept", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        concepts.add_column("Concept", no_wrap=True)
        concepts.add_column("Known", no_wrap=True)
        concepts.add_column("What moved it", ratio=1)
        for concept in detail.concepts:
            concepts.add_row(concept.concept, bar(concept.known) + Text(f" {num(concept.known)}"),
                             Text("; ".join(concept.moved_by[-3:]), style="dim"))
        parts.append(concepts)
    if detail.struggles_in_words:
        parts.append(Text.assemble(("Struggles: ", "bold"), "; ".join(detail.struggles_in_words)))
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
        shown = len(detail.attempt_history)
        if detail.attempts_not_shown:
            parts.append(Text(f"The latest {shown} attempts; {detail.attempts_not_shown} older ones are not shown "
                              "(`--json` has the same window).", style="dim"))
        else:
            parts.append(Text("The only attempt." if shown == 1 else f"All {shown} attempts.", style="dim"))
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


def next_step(step: Any) -> RenderableType:
    return Text.assemble(("Next: ", "bold"), (step.command, "bold cyan"), f" — {step.reason}")


BAR_CELLS = 10


def bar(value: Any) -> Text:
    """A 10-cell heat bar for a 0-100 figure (empty when there is none yet)."""
    if value is None:
        return Text("·" * BAR_CELLS, style="dim")
    filled = max(0, min(BAR_CELLS, round(float(value) / 100 * BAR_CELLS)))
    style = "green" if float(value) >= 80 else "yellow" if float(value) >= 50 else "red"
    return Text("█" * filled, style=style) + Text("░" * (BAR_CELLS - filled), style="dim")


def course_map(course: Any, *, now: Any) -> RenderableType:
    """The whole course at a glance: stage, mastery bar, next review; fits 80 columns."""
    table = Table(title="Your course", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("Pattern", no_wrap=True, style="bold")
    table.add_column("Stage", no_wrap=True)
    table.add_column("Mastery", no_wrap=True)
    table.add_column("Review", no_wrap=True)
    for row in course.patterns:
        stage = "mastered ✓" if row.mastered else STAGE_LABELS.get(row.stage, row.stage)
        if row.stage == "hands_on_practice" and not row.mastered:
            stage = f"{stage} L{row.level}"
        review = ""
        if row.review_due_at is not None:
            review = "due now" if row.review_due_at <= now else f"{row.review_due_at:%b %d}"
        table.add_row(str(row.order), row.id, stage, bar(row.mastery_score), review)
    streak = f"{course.streak_days} day streak" if course.streak_days else "no streak yet: learn something today"
    due = f"{course.reviews_due} review(s) due" if course.reviews_due else "no reviews due"
    return Group(table, Text(f"{streak} · {due}"), next_step(course.next_step))


def review_heading(pattern_name: str, due_at: Any) -> RenderableType:
    return Text.assemble(("Review: ", "bold magenta"), (pattern_name, "bold"), f" (due {due_at:%Y-%m-%d})")


def review_result(outcome: Any) -> RenderableType:
    estimate = f"; mastery estimate {num(outcome.mastery_estimate)}" if outcome.mastery_estimate is not None else ""
    return Text(
        f"Review rated {outcome.rating}: {outcome.questions_right}/{outcome.questions_total} questions, problem "
        f"{'passed' if outcome.problem_passed else 'not passed'}. Next review {outcome.next_due_at:%Y-%m-%d}{estimate}."
    )

"""`patternlift learn PATTERN`: the learning loop, one module per stage (driver.py runs them)."""

from __future__ import annotations

import typer

LEARN_HELP = """Learn a pattern step by step; run it again to resume where you stopped.

Stages: introduction, knowledge check, hands-on practice (levels 1-3), mastery assessment.
Practice files live in your workspace folder (PATTERNLIFT_WORKSPACE; by default
the workspace folder in PatternLift's data folder); $EDITOR opens them when set.

Examples:

    patternlift learn two-pointers

    patternlift learn two-pointers --watch      # re-run the tests every time you save

    patternlift learn sliding-window --restart --yes
"""


def learn(
    pattern: str = typer.Argument(..., help="Pattern id, e.g. two-pointers (see `patternlift patterns`)."),
    restart: bool = typer.Option(False, "--restart", help="Start this pattern over (asks first)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before --restart."),
    skip_calibration: bool = typer.Option(
        False, "--skip-calibration", help="Skip the questionnaire; use the balanced_learner persona."
    ),
    watch: bool = typer.Option(False, "--watch", help="In practice, re-run the tests whenever the file is saved."),
) -> None:
    from patternlift_cli.cli.commands.learn.driver import LearnLoop
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.domain import stages
    from patternlift_cli.services.catalog import Catalog
    from patternlift_cli.ui.terminal import LearnerQuit

    content = Catalog().pattern(pattern)
    learner = current_learner()
    terminal = ui()
    try:
        if restart:
            if not yes and not terminal.confirm(
                f"Start {content.name} over? Progress on it is reset; mastery and achievements stay."
            ):
                terminal.say("Nothing changed.")
                return
            state = learner.learning.restart_session(content.id)
            terminal.text(f"{content.name} starts over from the introduction.")
        else:
            state = learner.learning.open_session(content.id)
            # Past the introduction the learner has already chosen to go on: not asked again.
            if state.stage == stages.INTRODUCTION:
                started_elsewhere = prerequisite_first(learner, terminal, content)
                if started_elsewhere is not None:
                    content, state = started_elsewhere
        LearnLoop(learner, terminal, content, state, watch=watch, skip_calibration=skip_calibration).run()
    except LearnerQuit:
        terminal.say(f"Saved. Run [bold]patternlift learn {content.id}[/] to continue where you stopped.")


def prerequisite_first(learner, terminal, content):  # type: ignore[no-untyped-def]
    """Say which prerequisites are not mastered; on a terminal, offer to start the first one.

    Returns (pattern, session) to learn instead, or None to go on with this pattern.
    """
    from patternlift_cli.domain.recommend import first_unmastered_prerequisite
    from patternlift_cli.services.catalog import Catalog

    rows = {row.id: row for row in learner.learning.patterns()}
    row = rows.get(content.id)
    if row is None or row.mastered or row.prerequisites_met:
        return None
    missing = [rows[pid].name for pid in row.prerequisites if pid in rows and not rows[pid].mastered]
    first = first_unmastered_prerequisite(content.id, rows)
    terminal.text(f"{content.name} builds on {', '.join(missing)}, not mastered yet.", style="yellow")
    if first is None or not terminal.interactive():
        return None
    choice = terminal.read_choice(
        f"c: continue with {content.name}, s: start {rows[first].name} first (Enter: c) ", ("c", "s"), default="c"
    )
    if choice == "c":
        return None
    other = Catalog().pattern(first)
    return other, learner.learning.open_session(other.id)


def register(app: typer.Typer) -> None:
    app.command(help=LEARN_HELP, rich_help_panel="Learning")(learn)

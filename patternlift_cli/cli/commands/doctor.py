"""`patternlift doctor`: how learner code is isolated on this machine, proven by a probe run."""

from __future__ import annotations

import typer

from patternlift_cli.cli.options import JSON_OPTION


def doctor(as_json: bool = JSON_OPTION) -> None:
    """Show which isolation the judge uses here, and what it guarantees.

    Examples:

        patternlift doctor

        patternlift doctor --json
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.services.checking import isolation_report
    from patternlift_cli.ui.judge_view import render_isolation

    report = isolation_report()
    if as_json:
        ui().print_json(report)
    else:
        ui().show(render_isolation(report))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Practice")(doctor)

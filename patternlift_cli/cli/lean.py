"""The `patternlift` console script: `check PROBLEM [FILE] [--json]` on a lean path, every other
command (and every other form of `check`) through the Typer app in cli/app.py.

A fresh `check` process spent most of its time importing typer, rich, pydantic-settings and the
content models around a judge run of ~20 ms. The lean path imports none of them: the settings
come from their validated snapshot, the problem from its judged slice of the curriculum cache
(services/checking.py says how both stay exact), and the usual verdicts are written by
ui/judge_lines.py, byte for byte what rich writes (anything else is rendered by rich itself).

It takes only the plain form -- `check`, one or two arguments, `--json` at most once -- and
hands anything else to the Typer app with the arguments untouched: `--help`, another option, a
mastery problem (its gate asks the database), a missing snapshot or cache, and any error before
the judge runs (the full path then reports it in its own words). Once the judge has run, an
error is reported by the app's own handler, so it reads the same either way.
"""

from __future__ import annotations

import sys


def main() -> None:
    arguments = lean_arguments(sys.argv[1:])
    if arguments is not None:
        _lean_check(*arguments)  # returns only when the full path is to decide
    from patternlift_cli.cli.app import main as full_main

    full_main()


def lean_arguments(args: list[str]) -> tuple[str, str | None, bool] | None:
    """(problem id, file or None, --json) for the plain `check` form, else None."""
    if not args or args[0] != "check":
        return None
    rest = args[1:]
    as_json = rest.count("--json")
    positional = [arg for arg in rest if arg != "--json"]
    if as_json > 1 or not 1 <= len(positional) <= 2 or any(arg.startswith("-") for arg in positional):
        return None
    return positional[0], positional[1] if len(positional) == 2 else None, as_json == 1


def _lean_check(problem_id: str, file: str | None, as_json: bool) -> None:
    from pathlib import Path

    try:
        from patternlift_cli.services.checking import quick_check

        check = quick_check(problem_id, Path(file) if file is not None else None)
    except KeyboardInterrupt as error:
        _fail(error)
    except Exception:  # noqa: BLE001 - nothing has run yet: the full path says what is wrong
        return
    if check is None:
        return
    from patternlift_cli.errors import PatternLiftError

    try:
        from patternlift_cli.services.checking import run_quick_check

        result = run_quick_check(check)
        _show(result, as_json)
    except (PatternLiftError, KeyboardInterrupt, OSError) as error:
        _fail(error)
    raise SystemExit(0 if result.report.all_passed else 1)


def _show(result, as_json: bool) -> None:  # result: a services.checking.CheckResult
    from patternlift_cli.ui import judge_lines

    if as_json:
        data = {"file": str(result.path), **result.report.to_dict()}
        text = judge_lines.plain_json(data)
        if text is None:
            from patternlift_cli.ui.terminal import get_ui

            get_ui().print_json(data)
            return
    else:
        text = judge_lines.plain_verdict(result.problem.title, str(result.path), result.report)
        if text is None:
            from patternlift_cli.ui import judge_view
            from patternlift_cli.ui.terminal import get_ui

            get_ui().show(judge_view.headline(result.problem.title, str(result.path)),
                          judge_view.render_report(result.report))
            return
    sys.stdout.write(text)
    sys.stdout.flush()


def _fail(error: BaseException) -> None:
    from patternlift_cli.cli.app import report_failure

    report_failure(error)

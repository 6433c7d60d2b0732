"""The `patternlift` command: the root Typer app and the one place errors become exit codes.

Every command lives in `cli/commands/<name>.py`, named as the user types it, with a
`register(app)`. Command modules import heavy libraries (sqlmodel, openai, stripe) inside
their functions, so `patternlift --help` and `--version` stay fast; a test checks
`sys.modules` for that.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from patternlift_cli import __version__
from patternlift_cli.errors import PatternLiftError

# cli/commands/<name>: each defines `register(app)`; `--help` lists them in this order.
COMMAND_MODULES = (
    "learn",
    "review",
    "next",
    "patterns",
    "progress",
    "achievements",
    "problems",
    "check",
    "ask",
    "usage",
    "calibrate",
    "login",
    "whoami",
    "logout",
    "subscribe",
    "config",
    "db",
    "webhooks",
    "server",
    "doctor",
)


class _State:
    verbose = False


state = _State()


def _report(error: BaseException, exit_code: int, message: str) -> None:
    from patternlift_cli.ui.terminal import get_ui

    ui = get_ui()
    if state.verbose:
        ui.err.print_exception(show_locals=False)
    ui.error(message)
    raise SystemExit(exit_code)


def report_failure(error: BaseException) -> None:
    """One line and its exit code for what a command raised (the lean `check` path uses it too)."""
    if isinstance(error, PatternLiftError):
        _report(error, error.exit_code, str(error))
    if isinstance(error, KeyboardInterrupt):
        _report(error, 130, "Interrupted. Everything answered so far is saved.")
    if isinstance(error, BrokenPipeError):
        # The reader went away (`patternlift ask ... | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(141) from None
    if isinstance(error, OSError):
        # The machine's trouble (disk full, permissions, a vanished folder), not a bug of ours
        # the user can act on from a traceback; --verbose still shows it.
        where = f": {error.filename}" if error.filename else ""
        _report(error, 4, f"{error.strerror or error}{where}. (--verbose shows the traceback)")
    raise error


class PatternLiftGroup(TyperGroup):
    """Turns a PatternLiftError raised anywhere below into one line and its exit code."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (PatternLiftError, KeyboardInterrupt, OSError) as error:
            report_failure(error)


app = typer.Typer(
    name="patternlift",
    cls=PatternLiftGroup,
    help=(
        "A terminal tutor for algorithm patterns.\n\n"
        "Start with `patternlift learn two-pointers`; `patternlift patterns` lists the course."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="markdown",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"patternlift {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
    verbose: bool = typer.Option(False, "--verbose", help="Show tracebacks for errors."),
) -> None:
    state.verbose = verbose


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"patternlift_cli.cli.commands.{name}").register(app)


_register_commands()


def main() -> None:
    try:
        app()
    except PatternLiftError as error:  # raised while parsing, outside a command
        print(f"Error: {error}", file=sys.stderr)
        raise SystemExit(error.exit_code) from None

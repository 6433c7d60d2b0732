"""The `patternlift` command: the root Typer app and the one place errors become exit codes.

Every command lives in `cli/commands/<name>.py`, named as the user types it, with a
`register(app)`. A command's module is imported, and its Click command built, only when that
command runs or a help screen lists it: `patternlift patterns` builds one command, not twenty.
Command modules import heavy libraries (sqlmodel, openai, stripe) inside their functions, so
`patternlift --help` and `--version` stay fast; a test checks `sys.modules` for that.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer
import typer.main
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


RICH_MARKUP_MODE = "markdown"


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


def command_app(name: str) -> typer.Typer:
    """A Typer app holding only the command `cli/commands/<name>` registers."""
    holder = typer.Typer(rich_markup_mode=RICH_MARKUP_MODE)
    importlib.import_module(f"patternlift_cli.cli.commands.{name}").register(holder)
    return holder


def _build_commands(name: str) -> dict[str, Any]:
    holder = command_app(name)
    return dict(typer.main.get_group_from_info(
        typer.main.TyperInfo(holder), pretty_exceptions_short=app.pretty_exceptions_short,
        suggest_commands=app.suggest_commands, rich_markup_mode=RICH_MARKUP_MODE,
    ).commands)


class PatternLiftGroup(TyperGroup):
    """The root command: loads each command on first use, and turns a PatternLiftError raised
    anywhere below into one line and its exit code."""

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            self.commands.update(_build_commands(cmd_name))
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(COMMAND_MODULES)  # `--help` lists them in this order

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        if args and args[0] not in COMMAND_MODULES:
            for name in COMMAND_MODULES:  # a typo: "Did you mean ...?" considers every command
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

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
    rich_markup_mode=RICH_MARKUP_MODE,
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


def main() -> None:
    try:
        app()
    except PatternLiftError as error:  # raised while parsing, outside a command
        print(f"Error: {error}", file=sys.stderr)
        raise SystemExit(error.exit_code) from None

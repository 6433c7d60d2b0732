"""`config set-key / delete-key / show`: secrets in the OS keyring, settings at a glance."""

from __future__ import annotations

import os
from enum import Enum

import typer

from patternlift_cli.cli.options import JSON_OPTION

config_app = typer.Typer(
    help="Keys in the OS keyring and the settings in effect.",
    no_args_is_help=True,
)


class Provider(str, Enum):
    openai = "openai"
    stripe = "stripe"
    stripe_webhook = "stripe-webhook"


@config_app.command("set-key")
def set_key(
    provider: Provider = typer.Argument(..., help="openai, stripe or stripe-webhook."),
    from_stdin: bool = typer.Option(False, "--stdin", help="Read the key from standard input (for scripts)."),
) -> None:
    """Store a key in the OS keyring (never in a file PatternLift writes).

    Examples:

        patternlift config set-key openai

        printenv MY_KEY | patternlift config set-key stripe --stdin
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.config import mask_secret, set_secret
    from patternlift_cli.errors import UsageError

    terminal = ui()
    if from_stdin:
        try:
            value = terminal.stdin.readline().strip() if terminal.stdin is not None else ""
        except (OSError, ValueError):  # standard input closed (`<&-`)
            value = ""
    elif terminal.interactive():
        value = typer.prompt(f"{provider.value} key", hide_input=True).strip()
    else:
        raise UsageError("No terminal to type the key into.", hint="Pipe it in with --stdin.")
    if not value:
        raise UsageError("The key is empty; nothing was stored.")
    set_secret(provider.value, value)
    terminal.say(f"Stored the {provider.value} key ({mask_secret(value)}) in the OS keyring.")


@config_app.command("delete-key")
def delete_key(provider: Provider = typer.Argument(..., help="openai, stripe or stripe-webhook.")) -> None:
    """Remove a key from the OS keyring.

    Example: `patternlift config delete-key openai`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.config import SECRET_SOURCES, delete_secret

    if delete_secret(provider.value):
        ui().say(f"Deleted the {provider.value} key from the OS keyring.")
    else:
        ui().say(f"No {provider.value} key was stored in the keyring.")
    env_var = SECRET_SOURCES[provider.value][1]
    if os.environ.get(env_var):
        ui().say(f"Note: {env_var} is still set in the environment and will be used.")


@config_app.command("show")
def show(as_json: bool = JSON_OPTION) -> None:
    """Show the settings and endpoints in effect, where each came from (environment, .env,
    default, remembered) and where each key comes from (keys are masked).

    Example: `patternlift config show --json`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.config import get_settings
    from patternlift_cli.errors import ConfigError
    from patternlift_cli.remote import token_store
    from patternlift_cli.services.configuration import settings_in_effect
    from patternlift_cli.ui import config_view

    try:
        connection = token_store.load()
    except ConfigError:  # a remembered address that no longer parses: show the rest
        connection = None
    server_source = None
    if connection is not None and not get_settings().server_url:
        server_source = "remembered"  # stored beside the token at sign-in (remote/token_store.py)
    report = settings_in_effect(server_url=connection.server_url if connection else None, server_source=server_source)
    if as_json:
        ui().print_json(report)
    else:
        ui().show(config_view.settings(report))


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config", rich_help_panel="Administration")

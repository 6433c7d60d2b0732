"""`patternlift login`: create or select your learner profile, or sign in to a PatternLift server."""

from __future__ import annotations

from typing import Optional

import typer


def login(
    email: str = typer.Option(..., "--email", "-e", help="Your email; creates the profile on first use."),
    name: Optional[str] = typer.Option(None, "--name", "-n", help="Your name, shown in greetings."),
    server: Optional[str] = typer.Option(
        None, "--server", "-s", help="A PatternLift server (https://...): sign in with an emailed code."
    ),
) -> None:
    """Create or select your learner profile, or sign in to a PatternLift server.

    A new profile starts a 14-day trial with a $3.00 monthly AI limit. With --server, the server
    mails you a 6-digit code; type it when asked (or pipe it on stdin). The access token goes to
    the OS keyring, and every command then reads and writes through that server.

    Examples: `patternlift login --email ada@example.com --name "Ada"`,
    `patternlift login --server https://patternlift.example.com --email ada@example.com`
    """
    from patternlift_cli.cli.context import ui

    if server is not None:
        _sign_in_to(server, email)
        return

    from patternlift_cli.services.learner import sign_in_locally

    stored, full_name, created = sign_in_locally(email, name)
    if created:
        ui().text(f"Welcome, {full_name or stored}! Your 14-day trial has started.")
    else:
        ui().text(f"Signed in as {stored}.")


def _sign_in_to(server: str, email: str) -> None:
    from patternlift_cli.cli.context import ui
    from patternlift_cli.errors import SignInCodeError
    from patternlift_cli.remote import auth, token_store
    from patternlift_cli.remote.address import normalize_server_url
    from patternlift_cli.ui.terminal import LearnerQuit

    terminal = ui()
    server = normalize_server_url(server)
    sent = auth.request_code(server, email)
    minutes = max(1, sent.expires_in_seconds // 60)
    terminal.text(f"{server} is mailing a 6-digit sign-in code to {email} (valid {minutes} minutes).")
    try:
        code = terminal.read_line("Code from the email: ").strip()
    except LearnerQuit:
        raise SignInCodeError(
            "No sign-in code was given.", hint=f"Run `patternlift login --server {server} --email {email}` again."
        ) from None
    token = auth.exchange(server, email, code)
    warning = token_store.save(server, token.access_token, token.email)
    if warning:
        terminal.warning(warning)
    greeting = "Welcome! Your account and 14-day trial are created" if token.created else "Signed in"
    terminal.text(f"{greeting}: {token.email} on {server}.")


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Account")(login)

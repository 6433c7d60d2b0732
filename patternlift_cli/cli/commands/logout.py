"""`patternlift logout`: sign out on this machine (and, in connected mode, revoke the token)."""

from __future__ import annotations

import typer


def logout() -> None:
    """Sign out on this machine (the profile and progress stay stored).

    Connected to a server, the access token is revoked there and forgotten here.

    Example: `patternlift logout`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.remote import token_store

    connection = token_store.load()
    if connection is not None:
        _sign_out_of(connection)
        return

    from patternlift_cli import signin

    email = signin.forget()
    ui().text(f"Signed out {email}." if email else "Nobody was signed in.")


def _sign_out_of(connection) -> None:  # type: ignore[no-untyped-def]
    from patternlift_cli.cli.context import ui
    from patternlift_cli.errors import ServerError
    from patternlift_cli.remote import auth, token_store

    terminal = ui()
    who = connection.email or "the access token"
    revoked = False
    if connection.token:
        try:
            auth.revoke(connection.server_url, connection.token)
            revoked = True
        except ServerError as error:  # the token is forgotten here anyway; say it may still work
            terminal.error(f"Could not revoke the token on the server ({error.message}); it is forgotten here.")
    token_store.forget()
    if connection.token_source == "environment":
        terminal.text(
            f"Signed out of {connection.server_url}"
            + (" (token revoked)" if revoked else "")
            + "; PATTERNLIFT_TOKEN is still set in this environment: unset it."
        )
        return
    if not connection.token:
        terminal.text(f"Nobody was signed in to {connection.server_url}; it is forgotten here.")
        return
    terminal.text(f"Signed out {who} from {connection.server_url}" + (" (token revoked)." if revoked else "."))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Account")(logout)

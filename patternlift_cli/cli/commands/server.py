"""`patternlift server`: run the PatternLift server (uvicorn), or print its OpenAPI document."""

from __future__ import annotations

import json
from typing import Optional

import typer

server_app = typer.Typer(invoke_without_command=True)

APP_FACTORY = "patternlift_cli.server.main:app_from_environment"


@server_app.callback()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes."),
    forwarded_allow_ips: Optional[str] = typer.Option(
        None,
        "--forwarded-allow-ips",
        help="Proxies whose X-Forwarded-For/-Proto to trust (default: PATTERNLIFT_SERVER_FORWARDED_ALLOW_IPS; none).",
    ),
) -> None:
    """Run the PatternLift server for connected mode (docs/SERVER.md); `openapi` prints its API.

    It migrates nothing: run `patternlift db upgrade` first.

    Example: `PATTERNLIFT_DATABASE_URL=postgresql+psycopg://... patternlift server --port 8000 --workers 4`
    """
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from patternlift_cli.cli.context import ui
    from patternlift_cli.config import get_settings
    from patternlift_cli.server.app import preflight

    settings = get_settings()
    dialect, location = preflight(settings)
    trusted = forwarded_allow_ips if forwarded_allow_ips is not None else settings.server_forwarded_allow_ips
    say = ui().status_line  # stderr: the log, not a result
    plural = "s" if workers > 1 else ""
    say(f"PatternLift server on http://{host}:{port} ({workers} worker{plural}), data in {location}.")
    if dialect == "sqlite":
        say("Note: SQLite is for a one-machine trial only: no row-level security, one writer at a time. "
            "Use PostgreSQL for learners.")
    if settings.smtp_url is None:
        say("Note: PATTERNLIFT_SMTP_URL is not set, so sign-in by emailed code is off.")
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        timeout_graceful_shutdown=10,
        log_level="info",
    )


@server_app.command("openapi")
def openapi() -> None:
    """Print the OpenAPI document (needs no database).

    Example: `patternlift server openapi > openapi.json`
    """
    from patternlift_cli.server.openapi import openapi_document

    typer.echo(json.dumps(openapi_document(), indent=2, sort_keys=False))


def register(app: typer.Typer) -> None:
    app.add_typer(server_app, name="server", rich_help_panel="Administration")

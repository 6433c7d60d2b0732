"""`patternlift webhooks serve | handle`: Stripe events, for whoever runs the platform."""

from __future__ import annotations

from pathlib import Path

import typer

from patternlift_cli.cli.options import JSON_OPTION

webhooks_app = typer.Typer(help="Receive Stripe webhook events (for platform operators).", no_args_is_help=True)


@webhooks_app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8787, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Listen for Stripe events over HTTP; each is verified, recorded and processed once.

    The signing secret comes from `patternlift config set-key stripe-webhook` or
    STRIPE_WEBHOOK_SECRET; the Stripe key (to re-fetch objects) from the keyring or
    STRIPE_API_KEY.

    Example: `patternlift webhooks serve --host 127.0.0.1 --port 8787`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.errors import UsageError
    from patternlift_cli.server.stripe_listener import make_server
    from patternlift_cli.services.learner import local_database

    db = local_database()
    try:
        server = make_server(db, host, port)
    except OSError as error:
        raise UsageError(f"Cannot listen on {host}:{port}: {error.strerror}.") from error
    terminal = ui()
    terminal.say(f"Listening for Stripe events on http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        terminal.say("Stopped.")
    finally:
        server.server_close()


@webhooks_app.command("handle")
def handle(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The raw event body."),
    signature: str = typer.Option(..., "--signature", help="The Stripe-Signature header that came with it."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Process one saved event, exactly as `serve` would (exit 22 on a bad signature).

    Example: `patternlift webhooks handle event.json --signature "t=...,v1=..."`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.services.learner import local_database
    from patternlift_cli.services.webhooks import handle_webhook

    result = handle_webhook(local_database(), file.read_bytes(), signature)
    if as_json:
        ui().print_json(result.to_dict())
    else:
        detail = f" ({result.detail})" if result.detail else ""
        ui().text(f"{result.event_type} {result.event_id}: {result.outcome}{detail}")


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks", rich_help_panel="Administration")

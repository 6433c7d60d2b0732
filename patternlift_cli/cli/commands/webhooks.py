"""`patternlift webhooks handle`: replay a saved Stripe event, for whoever runs the platform.

Live deliveries go to the server (`patternlift server`), at `POST /v1/stripe/webhook`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from patternlift_cli.cli.options import JSON_OPTION

webhooks_app = typer.Typer(
    help="Replay saved Stripe webhook events (for platform operators). Stripe itself delivers to "
    "the server: `patternlift server`, POST /v1/stripe/webhook.",
    no_args_is_help=True,
)


@webhooks_app.command("handle")
def handle(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The raw event body."),
    signature: str = typer.Option(..., "--signature", help="The Stripe-Signature header that came with it."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Process one saved event exactly as the server's webhook route would.

    Exit 22 when the signature (or its timestamp) is refused, or when the signed body is not a
    usable Stripe event (it is then recorded as rejected).

    Example: `patternlift webhooks handle event.json --signature "t=...,v1=..."`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.errors import WebhookRejectedError
    from patternlift_cli.services.learner import local_database
    from patternlift_cli.services.webhooks import handle_webhook

    result = handle_webhook(local_database(), file.read_bytes(), signature)
    if result.outcome == "rejected":
        raise WebhookRejectedError(
            f"Rejected a signed delivery that is not a usable Stripe event: {result.detail}.",
            hint="It is recorded as rejected.",
        )
    if as_json:
        ui().print_json(result.to_dict())
    else:
        detail = f" ({result.detail})" if result.detail else ""
        ui().text(f"{result.event_type} {result.event_id}: {result.outcome}{detail}")


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks", rich_help_panel="Administration")

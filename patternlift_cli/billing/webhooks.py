"""Stripe webhooks: verify, record the event id, process exactly once.

`patternlift webhooks serve` and `patternlift webhooks handle` both call `handle_webhook`.
Subscription and invoice events are never trusted as delivered: the object is fetched from
Stripe again before it is stored, so out-of-order delivery still ends in Stripe's current
state. The event id is inserted in the same transaction that stores the result, so a replay,
or two deliveries racing, is processed once: the loser finds the id and acknowledges.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from patternlift_cli.errors import BillingError, BillingNotConfiguredError, WebhookVerificationError

HANDLED = (
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
)
MAX_BODY_BYTES = 1 << 20


@dataclass(frozen=True)
class WebhookResult:
    status_code: int
    outcome: str  # processed | duplicate | ignored
    event_id: str | None
    event_type: str | None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "event_id": self.event_id, "event_type": self.event_type, "detail": self.detail}


def _verify(payload: bytes, signature: str | None) -> dict[str, Any]:
    import stripe

    from patternlift_cli.billing.client import stripe_client
    from patternlift_cli.config import get_secret, get_settings

    secret = get_secret("stripe-webhook")
    if secret is None:
        raise BillingNotConfiguredError(
            "No webhook signing secret.",
            hint="Run `patternlift config set-key stripe-webhook` (or set STRIPE_WEBHOOK_SECRET).",
        )
    if not signature:
        raise WebhookVerificationError("Missing Stripe-Signature header.")
    try:
        event = stripe_client().construct_event(
            payload, signature, secret, tolerance=get_settings().webhook_tolerance_seconds
        )
    except stripe.SignatureVerificationError as error:
        raise WebhookVerificationError(f"Signature rejected: {error.user_message or error}") from error
    except ValueError as error:
        raise WebhookVerificationError(f"Not a Stripe event: {error}") from error
    return event.to_dict()


def _customer_of(obj: dict[str, Any]) -> str | None:
    customer = obj.get("customer")
    return customer.get("id") if isinstance(customer, dict) else customer


def _fetch(event_type: str, obj: dict[str, Any]) -> tuple[dict | None, dict | None]:
    """(subscription, invoice) as Stripe has them now, not as the event carried them."""
    from patternlift_cli.billing.client import stripe_client
    from patternlift_cli.services.billing import stripe_call

    client = stripe_client()
    invoice = None
    if event_type == "checkout.session.completed":
        subscription_id = obj.get("subscription")
    elif event_type.startswith("customer.subscription."):
        subscription_id = obj["id"]
    else:
        invoice = stripe_call("fetch the invoice", client.v1.invoices.retrieve, obj["id"])
        parent = (invoice.get("parent") or {}).get("subscription_details") or {}
        subscription_id = parent.get("subscription") or invoice.get("subscription")
    subscription = None
    if subscription_id:
        subscription = stripe_call("fetch the subscription", client.v1.subscriptions.retrieve, subscription_id)
    return subscription, invoice


def _learner(connection: Any, obj: dict[str, Any], event_type: str) -> uuid.UUID | None:
    from patternlift_cli.db.models import UserProfile
    from patternlift_cli.services.billing import user_for_customer

    user_id = user_for_customer(connection, _customer_of(obj))
    reference = obj.get("client_reference_id") if event_type == "checkout.session.completed" else None
    if user_id is None and reference:
        try:
            candidate = uuid.UUID(str(reference))
        except ValueError:
            return None
        profiles = UserProfile.__table__
        if connection.execute(sa.select(profiles.c.id).where(profiles.c.id == candidate)).first():
            user_id = candidate
    return user_id


def handle_webhook(engine: Engine, payload: bytes, signature: str | None, *, now: datetime | None = None) -> WebhookResult:
    from patternlift_cli.db.engine import transaction
    from patternlift_cli.db.models import StripeWebhookEvent
    from patternlift_cli.services.billing import lock_learner, store_invoice, store_subscription

    now = now or datetime.now(UTC)
    event = _verify(payload, signature)
    event_id, event_type = event["id"], event["type"]
    obj = event["data"]["object"]
    events = StripeWebhookEvent.__table__
    with transaction(engine, immediate=True) as connection:
        if connection.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        # The event id first: a concurrent delivery of the same event waits here, then finds it.
        recorded = connection.execute(
            insert(events)
            .values(id=event_id, event_type=event_type, stripe_created_at=datetime.fromtimestamp(event["created"], UTC),
                    processed_at=now)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(events.c.id)
        ).first()
        if recorded is None:
            return WebhookResult(200, "duplicate", event_id, event_type, "already processed")
        if event_type not in HANDLED:
            return WebhookResult(200, "ignored", event_id, event_type, "event type not used")
        user_id = _learner(connection, obj, event_type)
        if user_id is None:
            return WebhookResult(200, "ignored", event_id, event_type, f"no learner for customer {_customer_of(obj)}")
        # Fetch under the learner's lock, so two different events for the same learner store
        # Stripe's state in the order they read it: the last write is the newest read.
        lock_learner(connection, user_id)
        subscription, invoice = _fetch(event_type, obj)
        if subscription is not None:
            store_subscription(connection, user_id, subscription, now)
        if invoice is not None:
            store_invoice(connection, user_id, invoice, now, payment_failed=event_type == "invoice.payment_failed")
    return WebhookResult(200, "processed", event_id, event_type)


def make_server(engine: Engine, host: str, port: int) -> ThreadingHTTPServer:
    """A small HTTP endpoint: POST the raw event with its Stripe-Signature header."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            from patternlift_cli.ui.console import err_console

            err_console.print(f"[dim]{self.address_string()} {format % args}[/]", highlight=False)

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                return self._reply(413, {"error": "payload too large"})
            payload = self.rfile.read(length)
            try:
                result = handle_webhook(engine, payload, self.headers.get("Stripe-Signature"))
            except WebhookVerificationError as error:
                return self._reply(400, {"error": error.message})
            except BillingError as error:  # Stripe unreachable, misconfigured: let Stripe retry later
                return self._reply(500, {"error": error.message})
            except Exception as error:  # noqa: BLE001 - a 500 makes Stripe retry; nothing was stored
                return self._reply(500, {"error": type(error).__name__})
            self._reply(result.status_code, result.to_dict())

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server

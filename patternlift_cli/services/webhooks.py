"""Stripe webhooks, the use case: verify, record the event id, process exactly once.

Every transport (the server's route, `patternlift webhooks handle FILE`) calls `handle_webhook`.
Subscription and invoice events are never trusted as delivered: the object is fetched from
Stripe again before it is stored, so out-of-order delivery still ends in Stripe's current
state. The event id is inserted in the same transaction that stores the result, so a replay,
or two deliveries racing, is processed once: the loser finds the id and acknowledges.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from patternlift_cli.billing.client import call as stripe_call
from patternlift_cli.billing.client import verify_event
from patternlift_cli.db.unit import Database
from patternlift_cli.db.upsert import insert_ignoring_duplicates
from patternlift_cli.errors import BillingNotConfiguredError
from patternlift_cli.services.billing import configured_client

HANDLED = (
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
)


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
    from patternlift_cli.config import get_secret, get_settings

    secret = get_secret("stripe-webhook")
    if secret is None:
        raise BillingNotConfiguredError(
            "No webhook signing secret.",
            hint="Run `patternlift config set-key stripe-webhook` (or set STRIPE_WEBHOOK_SECRET).",
        )
    return verify_event(configured_client(), payload, signature, secret, get_settings().webhook_tolerance_seconds)


def _customer_of(obj: dict[str, Any]) -> str | None:
    customer = obj.get("customer")
    return customer.get("id") if isinstance(customer, dict) else customer


def _fetch(event_type: str, obj: dict[str, Any]) -> tuple[dict | None, dict | None]:
    """(subscription, invoice) as Stripe has them now, not as the event carried them."""
    client = configured_client()
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
    from patternlift_cli.services.billing_records import user_for_customer

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


def handle_webhook(db: Database, payload: bytes, signature: str | None, *, now: datetime | None = None) -> WebhookResult:
    from patternlift_cli.db.models import StripeWebhookEvent
    from patternlift_cli.services.billing_records import (
        lock_learner,
        store_invoice,
        store_subscription,
    )

    now = now or datetime.now(UTC)
    event = _verify(payload, signature)
    event_id, event_type = event["id"], event["type"]
    obj = event["data"]["object"]
    events = StripeWebhookEvent.__table__
    with db.connection(write=True) as connection:
        # The event id first: a concurrent delivery of the same event waits here, then finds it.
        recorded = connection.execute(
            insert_ignoring_duplicates(events, connection.dialect.name, ["id"], {
                "id": event_id, "event_type": event_type,
                "stripe_created_at": datetime.fromtimestamp(event["created"], UTC), "processed_at": now,
            }).returning(events.c.id)
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
        detail = ""
        if subscription is not None and not store_subscription(connection, user_id, subscription, now):
            detail = f"{subscription['id']} not stored: a newer or live subscription decides the plan"
        if invoice is not None:
            store_invoice(connection, user_id, invoice, now, payment_failed=event_type == "invoice.payment_failed")
    return WebhookResult(200, "processed", event_id, event_type, detail)

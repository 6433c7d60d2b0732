"""Stripe webhooks, the use case: verify, record the event id, process exactly once.

Every transport (the server's `POST /v1/stripe/webhook`, `patternlift webhooks handle FILE`)
calls `handle_webhook`. Subscription and invoice events are never trusted as delivered: the
object is fetched from Stripe again before it is stored, so out-of-order delivery still ends in
Stripe's current state. The event id is inserted in the same transaction that stores the
result, so a replay, or two deliveries racing (on one server or two), is processed once: the
loser finds the id and acknowledges.

A delivery whose signature fails changes nothing. One that is signed but is not a usable event
(not JSON, a JSON list, fields missing or of the wrong type) is recorded as rejected, under
`rejected:<sha256 of the body>`, and answered 400: it is Stripe's (or a test's) mistake, not
ours, and no retry will mend it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from patternlift_cli.billing.client import call as stripe_call
from patternlift_cli.billing.client import verify_signature
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
logger = logging.getLogger("patternlift.webhooks")
LAST_TIMESTAMP = 4_102_444_800  # 2100-01-01: a `created` past it is not a Stripe time
_JSON_KINDS = {list: "list", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


@dataclass(frozen=True)
class WebhookResult:
    status_code: int
    outcome: str  # processed | duplicate | ignored | rejected
    event_id: str | None
    event_type: str | None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "event_id": self.event_id, "event_type": self.event_type, "detail": self.detail}


def _verify(payload: bytes, signature: str | None) -> None:
    from patternlift_cli.config import get_secret, get_settings

    secret = get_secret("stripe-webhook")
    if secret is None:
        raise BillingNotConfiguredError(
            "No webhook signing secret.",
            hint="Run `patternlift config set-key stripe-webhook` (or set STRIPE_WEBHOOK_SECRET).",
        )
    verify_signature(payload, signature, secret, get_settings().webhook_tolerance_seconds)


# ----- the event's shape ------------------------------------------------------------------------


def _object_id(value: Any) -> str | None | bool:
    """An id, or an expanded object's id; None when absent; False when it is neither."""
    if value is None:
        return None
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
        return value["id"]
    return False


def malformed(event: Any) -> str | None:
    """What makes a (signed) event unusable, in one line; None when it can be processed."""
    if not isinstance(event, dict):
        return f"the event is a JSON {_JSON_KINDS.get(type(event), 'value')}, not an object"
    wrong = [name for name in ("id", "type") if not (isinstance(event.get(name), str) and event[name])]
    created = event.get("created")
    if not (isinstance(created, int) and not isinstance(created, bool) and 0 < created < LAST_TIMESTAMP):
        wrong.append("created")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        wrong.append("data.object")
    elif event.get("type") in HANDLED:
        if event["type"] != "checkout.session.completed" and _object_id(obj.get("id")) in (None, False):
            wrong.append("data.object.id")
        if _object_id(obj.get("customer")) is False:
            wrong.append("data.object.customer")
        if event["type"] == "checkout.session.completed":
            if _object_id(obj.get("subscription")) is False:
                wrong.append("data.object.subscription")
            if obj.get("client_reference_id") is not None and not isinstance(obj["client_reference_id"], str):
                wrong.append("data.object.client_reference_id")
    return f"missing or invalid: {', '.join(wrong)}" if wrong else None


def _parse(payload: bytes) -> tuple[Any, str | None]:
    try:
        event = json.loads(payload)
    except ValueError:
        return None, "the body is not JSON"
    return event, malformed(event)


# ----- processing -------------------------------------------------------------------------------


def _fetch(event_type: str, obj: dict[str, Any]) -> tuple[dict | None, dict | None]:
    """(subscription, invoice) as Stripe has them now, not as the event carried them."""
    client = configured_client()
    invoice = None
    if event_type == "checkout.session.completed":
        subscription_id = _object_id(obj.get("subscription"))
    elif event_type.startswith("customer.subscription."):
        subscription_id = obj["id"]
    else:
        invoice = stripe_call("fetch the invoice", client.v1.invoices.retrieve, obj["id"])
        parent = (invoice.get("parent") or {}).get("subscription_details") or {}
        subscription_id = _object_id(parent.get("subscription") or invoice.get("subscription"))
    subscription = None
    if subscription_id:
        subscription = stripe_call("fetch the subscription", client.v1.subscriptions.retrieve, subscription_id)
    return subscription, invoice


def _learner(connection: Any, obj: dict[str, Any], event_type: str) -> uuid.UUID | None:
    from patternlift_cli.db.models import UserProfile
    from patternlift_cli.services.billing_records import user_for_customer

    user_id = user_for_customer(connection, _object_id(obj.get("customer")) or None)
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


def _record(connection: Any, values: dict[str, Any]) -> bool:
    """Insert the event's row; False when it is already there (a replay, or a race lost)."""
    from patternlift_cli.db.models import StripeWebhookEvent

    events = StripeWebhookEvent.__table__
    return connection.execute(
        insert_ignoring_duplicates(events, connection.dialect.name, ["id"], values).returning(events.c.id)
    ).first() is not None


def _mark(connection: Any, event_id: str, outcome: str, detail: str) -> None:
    from patternlift_cli.db.models import StripeWebhookEvent

    events = StripeWebhookEvent.__table__
    connection.execute(sa.update(events).where(events.c.id == event_id).values(outcome=outcome, detail=detail or None))


def _reject(db: Database, payload: bytes, event: Any, reason: str, now: datetime) -> WebhookResult:
    event_id = event.get("id") if isinstance(event, dict) and isinstance(event.get("id"), str) else None
    event_type = event.get("type") if isinstance(event, dict) and isinstance(event.get("type"), str) else None
    logger.warning("Rejected a signed Stripe delivery (%s): %s", event_id or "no event id", reason)
    with db.connection(write=True) as connection:
        _record(connection, {
            "id": f"rejected:{hashlib.sha256(payload).hexdigest()}", "event_type": event_type or "(none)",
            "processed_at": now, "outcome": "rejected",
            "detail": f"{reason} (event id {event_id})" if event_id else reason,
        })
    return WebhookResult(400, "rejected", event_id, event_type, reason)


def handle_webhook(db: Database, payload: bytes, signature: str | None, *, now: datetime | None = None) -> WebhookResult:
    from patternlift_cli.services.billing_records import (
        lock_learner,
        store_invoice,
        store_subscription,
    )

    now = now or datetime.now(UTC)
    _verify(payload, signature)
    event, reason = _parse(payload)
    if reason is not None:
        return _reject(db, payload, event, reason, now)
    event_id, event_type = event["id"], event["type"]
    obj = event["data"]["object"]
    with db.connection(write=True) as connection:
        # The event id first: a concurrent delivery of the same event waits here, then finds it.
        if not _record(connection, {"id": event_id, "event_type": event_type, "processed_at": now,
                                    "stripe_created_at": datetime.fromtimestamp(event["created"], UTC)}):
            return WebhookResult(200, "duplicate", event_id, event_type, "already processed")
        if event_type not in HANDLED:
            _mark(connection, event_id, "ignored", "event type not used")
            return WebhookResult(200, "ignored", event_id, event_type, "event type not used")
        user_id = _learner(connection, obj, event_type)
        if user_id is None:
            detail = f"no learner for customer {_object_id(obj.get('customer'))}"
            _mark(connection, event_id, "ignored", detail)
            return WebhookResult(200, "ignored", event_id, event_type, detail)
        # Fetch under the learner's lock, so two different events for the same learner store
        # Stripe's state in the order they read it: the last write is the newest read.
        lock_learner(connection, user_id)
        subscription, invoice = _fetch(event_type, obj)
        detail = ""
        if subscription is not None and not store_subscription(connection, user_id, subscription, now):
            detail = f"{subscription['id']} not stored: a newer or live subscription decides the plan"
        if invoice is not None:
            store_invoice(connection, user_id, invoice, now, payment_failed=event_type == "invoice.payment_failed")
        if detail:
            _mark(connection, event_id, "processed", detail)
    return WebhookResult(200, "processed", event_id, event_type, detail)

"""Storing what Stripe says: subscriptions, invoices, and what they decide (one transaction each,
the caller's). Every object stored here was just fetched from Stripe (services/billing.py,
services/webhooks.py), so whatever order calls and webhooks arrive in, the copy ends in
Stripe's current state.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from patternlift_cli.db.models import PaymentHistory, Subscription, UserProfile
from patternlift_cli.db.upsert import upsert
from patternlift_cli.domain.billing import (
    invoice_status,
    map_stripe_status,
    replaces_stored,
    tier_for,
)

SUBSCRIPTIONS = Subscription.__table__
PAYMENTS = PaymentHistory.__table__
PROFILES = UserProfile.__table__


def _time(seconds: Any) -> datetime | None:
    return datetime.fromtimestamp(int(seconds), UTC) if seconds else None


def _upsert(connection: Connection, table: sa.Table, values: dict[str, Any], key: str) -> None:
    connection.execute(upsert(
        table, connection.dialect.name, [key], values,
        # When a payment first failed stays what it was.
        overrides={"failed_at": lambda statement: sa.func.coalesce(table.c.failed_at, statement.excluded.failed_at)}
        if "failed_at" in values else None,
    ))


def store_subscription(connection: Connection, user_id: uuid.UUID, subscription: dict[str, Any], now: datetime) -> bool:
    """Store a freshly fetched Stripe subscription and move the profile's status with it.

    False when it was not stored: another subscription is stored that decides the plan (a
    newer one, or a live one; domain.billing.replaces_stored).
    """
    items = (subscription.get("items") or {}).get("data") or []
    item = items[0] if items else {}
    # Recent API versions keep the period on the subscription item; older ones on the subscription.
    period_end = item.get("current_period_end") or subscription.get("current_period_end")
    status = map_stripe_status(subscription["status"])
    customer = subscription["customer"]
    customer_id = customer if isinstance(customer, str) else customer["id"]
    values = {
        "stripe_customer_id": customer_id,
        "stripe_subscription_id": subscription["id"],
        "stripe_price_id": (item.get("price") or {}).get("id"),
        "status": status,
        "stripe_status": subscription["status"],
        "current_period_end": _time(period_end),
        "cancel_at_period_end": bool(subscription.get("cancel_at_period_end")),
        "canceled_at": _time(subscription.get("canceled_at")),
        "trial_end": _time(subscription.get("trial_end")),
        "stripe_created_at": _time(subscription.get("created")),
        "updated_at": now,
    }
    current = connection.execute(
        sa.select(SUBSCRIPTIONS.c.stripe_subscription_id, SUBSCRIPTIONS.c.stripe_status,
                  SUBSCRIPTIONS.c.stripe_created_at)
        .where(SUBSCRIPTIONS.c.user_id == user_id)
    ).first()
    if (
        current is not None
        and current.stripe_subscription_id not in (None, subscription["id"])
        and not replaces_stored(incoming_status=subscription["status"], incoming_created=values["stripe_created_at"],
                                stored_status=current.stripe_status, stored_created=current.stripe_created_at)
    ):
        return False
    _upsert(connection, SUBSCRIPTIONS, {"id": uuid.uuid4(), "user_id": user_id, "created_at": now, **values}, "user_id")
    connection.execute(
        sa.update(PROFILES).where(PROFILES.c.id == user_id).values(
            subscription_status=status, subscription_tier=tier_for(status), updated_at=now
        )
    )
    return True


def store_invoice(connection: Connection, user_id: uuid.UUID, invoice: dict[str, Any], now: datetime, *,
                  payment_failed: bool = False) -> None:
    """One payment_history row per invoice, updated in place as the invoice moves."""
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    subscription_id = parent.get("subscription") or invoice.get("subscription")
    if isinstance(subscription_id, dict):
        subscription_id = subscription_id.get("id")
    failed = payment_failed or bool(
        invoice.get("status") == "open" and (invoice.get("attempt_count") or 0) > 0 and not invoice.get("paid")
    )
    status = invoice_status(invoice.get("status"), payment_failed=failed)
    local_subscription = connection.execute(
        sa.select(SUBSCRIPTIONS.c.id).where(SUBSCRIPTIONS.c.stripe_subscription_id == subscription_id)
    ).scalar_one_or_none() if subscription_id else None
    paid_at = _time((invoice.get("status_transitions") or {}).get("paid_at"))
    # The period billed is on the invoice's lines; invoice.period_end is the previous period
    # for subscription invoices (Stripe bills in advance), so it is only the fallback.
    line_ends = [((line.get("period") or {}).get("end") or 0) for line in ((invoice.get("lines") or {}).get("data") or [])]
    _upsert(connection, PAYMENTS, {
        "id": uuid.uuid4(),
        "user_id": user_id,
        "subscription_id": local_subscription,
        "stripe_invoice_id": invoice["id"],
        "stripe_subscription_id": subscription_id,
        "amount_minor": int(invoice.get("amount_paid") or 0) if status == "paid" else int(invoice.get("amount_due") or 0),
        "currency": str(invoice.get("currency") or "usd").lower(),
        "status": status,
        "paid_at": paid_at,
        "failed_at": now if status == "failed" else None,
        "hosted_invoice_url": invoice.get("hosted_invoice_url"),
        "period_end": _time(max(line_ends, default=0) or invoice.get("period_end")),
        "created_at": _time(invoice.get("created")) or now,
        "updated_at": now,
    }, "stripe_invoice_id")


def paid_through(connection: Connection, user_id: uuid.UUID) -> datetime | None:
    """The latest period end a paid invoice of the learner's stored subscription covers.

    The same rule as the reserve statement's (db/budget_sql.py `_PAID_PERIOD`): only invoices
    of the subscription that decides the plan count, not those of an older one.
    """
    return connection.execute(
        sa.select(sa.func.max(PAYMENTS.c.period_end))
        .select_from(PAYMENTS.join(SUBSCRIPTIONS, sa.and_(
            SUBSCRIPTIONS.c.user_id == PAYMENTS.c.user_id,
            SUBSCRIPTIONS.c.stripe_subscription_id == PAYMENTS.c.stripe_subscription_id,
        )))
        .where(PAYMENTS.c.user_id == user_id, PAYMENTS.c.status == "paid")
    ).scalar_one_or_none()


def user_for_customer(connection: Connection, customer_id: str | None) -> uuid.UUID | None:
    if not customer_id:
        return None
    return connection.execute(
        sa.select(SUBSCRIPTIONS.c.user_id).where(SUBSCRIPTIONS.c.stripe_customer_id == customer_id)
    ).scalar_one_or_none()


def lock_learner(connection: Connection, user_id: uuid.UUID) -> None:
    """Serialise billing writes per learner, so an older Stripe copy never lands after a newer one.

    Callers fetch from Stripe *after* taking this lock (on SQLite the transaction's BEGIN
    IMMEDIATE already holds the write lock).
    """
    connection.execute(sa.select(PROFILES.c.id).where(PROFILES.c.id == user_id).with_for_update())

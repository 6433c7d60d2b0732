"""Subscriptions through Stripe: checkout, sync, cancel, status, payment history.

Stripe is the source of truth. Every write here stores an object just fetched from Stripe, so
whatever order calls and webhooks arrive in, the database ends in Stripe's current state.
Network calls happen outside database transactions; each store is one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from patternlift_cli.db.engine import transaction
from patternlift_cli.db.models import PaymentHistory, Subscription, UserProfile
from patternlift_cli.domain.billing import invoice_status, map_stripe_status, tier_for
from patternlift_cli.domain.entitlement import decide_entitlement
from patternlift_cli.errors import BillingError, UsageError
from patternlift_cli.services.ai_usage import DEFAULT_LIMIT

SUBSCRIPTIONS = Subscription.__table__
PAYMENTS = PaymentHistory.__table__
PROFILES = UserProfile.__table__
# Stripe statuses of a subscription that has not ended: one of these decides the learner's plan.
LIVE_STRIPE_STATUSES = ("trialing", "active", "past_due", "unpaid", "incomplete", "paused")


def _plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as plain dicts and lists (StripeObject keys like `items` shadow methods)."""
    to_dict = getattr(obj, "to_dict", None)
    return to_dict() if callable(to_dict) else dict(obj)


def _time(seconds: Any) -> datetime | None:
    return datetime.fromtimestamp(int(seconds), UTC) if seconds else None


def stripe_call(what: str, call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Call the SDK; a Stripe failure becomes a one-line BillingError; the result plain dicts."""
    import stripe

    try:
        return _plain(call(*args, **kwargs))
    except stripe.AuthenticationError as error:
        raise BillingError("Stripe rejected the secret key.", hint="Check it with `patternlift config show`.") from error
    except stripe.StripeError as error:
        message = getattr(error, "user_message", None) or str(error).strip() or type(error).__name__
        raise BillingError(f"Stripe could not {what}: {message}") from error


# ----- storing what Stripe says ------------------------------------------------------------------


def _upsert(connection: Connection, table: sa.Table, values: dict[str, Any], key: str) -> None:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(**values)
    updates = {name: statement.excluded[name] for name in values if name not in ("id", key, "created_at")}
    if "failed_at" in updates:  # when a payment first failed stays what it was
        updates["failed_at"] = sa.func.coalesce(table.c.failed_at, statement.excluded.failed_at)
    connection.execute(statement.on_conflict_do_update(index_elements=[key], set_=updates))


def store_subscription(connection: Connection, user_id: uuid.UUID, subscription: dict[str, Any], now: datetime) -> str:
    """Store a freshly fetched Stripe subscription and move the profile's status with it."""
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
        "updated_at": now,
    }
    current = connection.execute(
        sa.select(SUBSCRIPTIONS.c.stripe_subscription_id, SUBSCRIPTIONS.c.stripe_status)
        .where(SUBSCRIPTIONS.c.user_id == user_id)
    ).first()
    if (
        current is not None
        and current.stripe_subscription_id not in (None, subscription["id"])
        and current.stripe_status in LIVE_STRIPE_STATUSES
        and subscription["status"] not in LIVE_STRIPE_STATUSES
    ):
        return current.stripe_status  # an old, ended subscription's news: the live one decides
    _upsert(connection, SUBSCRIPTIONS, {"id": uuid.uuid4(), "user_id": user_id, "created_at": now, **values}, "user_id")
    connection.execute(
        sa.update(PROFILES).where(PROFILES.c.id == user_id).values(
            subscription_status=status, subscription_tier=tier_for(status), updated_at=now
        )
    )
    return status


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
        "created_at": _time(invoice.get("created")) or now,
        "updated_at": now,
    }, "stripe_invoice_id")


def user_for_customer(connection: Connection, customer_id: str | None) -> uuid.UUID | None:
    if not customer_id:
        return None
    return connection.execute(
        sa.select(SUBSCRIPTIONS.c.user_id).where(SUBSCRIPTIONS.c.stripe_customer_id == customer_id)
    ).scalar_one_or_none()


# ----- the learner's commands ----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutStart:
    session_id: str
    url: str
    customer_id: str


def _current(engine: Engine) -> tuple[uuid.UUID, str, dict[str, Any] | None]:
    from patternlift_cli.db.engine import session_scope
    from patternlift_cli.services.accounts import require_current_profile

    with session_scope(engine) as session:
        profile = require_current_profile(session)
        row = session.execute(sa.select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.user_id == profile.id)).mappings().first()
        return profile.id, profile.email, dict(row) if row else None


def start_checkout(engine: Engine, *, now: datetime | None = None) -> CheckoutStart:
    """Create (or reuse) the Stripe customer and a subscription-mode Checkout Session."""
    from patternlift_cli.billing.client import require_price_id, stripe_client
    from patternlift_cli.config import get_settings

    now = now or datetime.now(UTC)
    price_id = require_price_id()
    settings = get_settings()
    client = stripe_client()
    user_id, email, row = _current(engine)
    customer_id = row["stripe_customer_id"] if row else None
    if customer_id is not None:
        # Ask Stripe, not our copy: a checkout paid while the learner was not waiting (Ctrl-C)
        # is only there, and a second checkout would charge for a second subscription.
        live = _live_subscription(_customer_subscriptions(client, customer_id))
        if live is not None:
            sync(engine, now=now)
            raise UsageError(
                f"You already have a subscription ({live['status']}).",
                hint="`patternlift subscribe status` shows it (it has just been synced from Stripe).",
            )
    if customer_id is None:
        customer = stripe_call(
            "create your customer record", client.v1.customers.create,
            params={"email": email, "metadata": {"patternlift_profile_id": str(user_id)}},
            # One customer per learner, even if this command is retried.
            options={"idempotency_key": f"patternlift-customer-{user_id}"},
        )
        customer_id = customer["id"]
    session = stripe_call(
        "start checkout", client.v1.checkout.sessions.create,
        params={
            "mode": "subscription",
            "customer": customer_id,
            "client_reference_id": str(user_id),
            "line_items": [{"price": price_id, "quantity": 1}],
            "success_url": settings.checkout_success_url,
            "cancel_url": settings.checkout_cancel_url,
        },
        options={"idempotency_key": f"patternlift-checkout-{user_id}-{uuid.uuid4()}"},
    )
    with transaction(engine) as connection:
        # A new checkout replaces an ended subscription; sync then finds the new one.
        values = {"stripe_customer_id": customer_id, "stripe_checkout_session_id": session["id"],
                  "stripe_subscription_id": None, "stripe_price_id": price_id, "updated_at": now}
        updated = connection.execute(sa.update(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.user_id == user_id).values(**values))
        if updated.rowcount == 0:
            connection.execute(sa.insert(SUBSCRIPTIONS).values(
                id=uuid.uuid4(), user_id=user_id, status="trial", created_at=now, **values))
    return CheckoutStart(session_id=session["id"], url=session["url"], customer_id=customer_id)


def checkout_state(engine: Engine, session_id: str) -> str:
    """'open', 'complete' or 'expired'; a completed checkout is synced on the spot."""
    from patternlift_cli.billing.client import stripe_client

    session = stripe_call("check the checkout", stripe_client().v1.checkout.sessions.retrieve, session_id)
    state = session["status"]
    if state == "complete":
        sync(engine)
    return state


def _customer_subscriptions(client: Any, customer_id: str) -> list[dict[str, Any]]:
    found = stripe_call("list your subscriptions", client.v1.subscriptions.list,
                        params={"customer": customer_id, "status": "all", "limit": 20})
    return list(found.get("data") or [])


def _live_subscription(subscriptions: list[dict[str, Any]]) -> dict[str, Any] | None:
    live = [s for s in subscriptions if s.get("status") in LIVE_STRIPE_STATUSES]
    return max(live, key=lambda s: s.get("created") or 0) if live else None


def current_subscription(subscriptions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one that decides the learner's plan: a live one, else the most recent."""
    live = _live_subscription(subscriptions)
    if live is not None:
        return live
    return max(subscriptions, key=lambda s: s.get("created") or 0) if subscriptions else None


def lock_learner(connection: Connection, user_id: uuid.UUID) -> None:
    """Serialise billing writes per learner, so an older Stripe copy never lands after a newer one.

    Callers fetch from Stripe *after* taking this lock (on SQLite the transaction's BEGIN
    IMMEDIATE already holds the write lock).
    """
    connection.execute(sa.select(PROFILES.c.id).where(PROFILES.c.id == user_id).with_for_update())


def sync(engine: Engine, *, now: datetime | None = None) -> BillingStatus:
    """Re-fetch the learner's subscription and invoices from Stripe and store them."""
    from patternlift_cli.billing.client import stripe_client

    now = now or datetime.now(UTC)
    client = stripe_client()
    user_id, _, row = _current(engine)
    if row is None:
        return status(engine, now=now)
    customer_id = row["stripe_customer_id"]
    with transaction(engine, immediate=True) as connection:
        lock_learner(connection, user_id)
        subscription = current_subscription(_customer_subscriptions(client, customer_id))
        invoices = stripe_call("list your invoices", client.v1.invoices.list,
                               params={"customer": customer_id, "limit": 24}).get("data") or []
        if subscription is not None:
            store_subscription(connection, user_id, subscription, now)
        for invoice in invoices:
            store_invoice(connection, user_id, invoice, now)
    return status(engine, now=now)


def cancel_at_period_end(engine: Engine, *, now: datetime | None = None) -> BillingStatus:
    from patternlift_cli.billing.client import stripe_client

    now = now or datetime.now(UTC)
    user_id, _, row = _current(engine)
    if row is None or not row["stripe_subscription_id"] or row["status"] == "canceled":
        raise UsageError("There is no live subscription to cancel.", hint="`patternlift subscribe status` shows your plan.")
    subscription = stripe_call(
        "cancel the subscription", stripe_client().v1.subscriptions.update,
        row["stripe_subscription_id"], params={"cancel_at_period_end": True},
    )
    with transaction(engine, immediate=True) as connection:
        store_subscription(connection, user_id, subscription, now)
    return status(engine, now=now)


@dataclass(frozen=True)
class BillingStatus:
    email: str
    plan: str
    status: str
    stripe_status: str | None
    ai_allowed: bool
    ai_reason: str
    trial_ends_at: datetime | None
    trial_days_left: int | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    ai_limit_usd: Decimal
    stripe_customer_id: str | None
    stripe_subscription_id: str | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = value.isoformat()
            elif isinstance(value, Decimal):
                data[key] = str(value)
        return data


def status(engine: Engine, *, now: datetime | None = None) -> BillingStatus:
    from patternlift_cli.db.engine import session_scope
    from patternlift_cli.services.accounts import require_current_profile

    now = now or datetime.now(UTC)
    with session_scope(engine) as session:
        profile = require_current_profile(session)
        row = session.execute(sa.select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.user_id == profile.id)).mappings().first()
    state = profile.subscription_status.value if profile.subscription_status else "trial"
    period_end = row["current_period_end"] if row else None
    decision = decide_entitlement(status=state, trial_ends_at=profile.trial_ends_at,
                                  current_period_end=period_end, now=now)
    days_left = None
    if state == "trial" and profile.trial_ends_at is not None:
        days_left = max(0, -(-int((profile.trial_ends_at - now).total_seconds()) // 86400))
    return BillingStatus(
        email=profile.email,
        plan=profile.subscription_tier or "basic",
        status=state,
        stripe_status=row["stripe_status"] if row else None,
        ai_allowed=decision.allowed,
        ai_reason=decision.reason,
        trial_ends_at=profile.trial_ends_at,
        trial_days_left=days_left,
        current_period_end=period_end,
        cancel_at_period_end=bool(row["cancel_at_period_end"]) if row else False,
        ai_limit_usd=Decimal(
            profile.monthly_ai_usage_limit if profile.monthly_ai_usage_limit is not None else DEFAULT_LIMIT
        ),
        stripe_customer_id=row["stripe_customer_id"] if row else None,
        stripe_subscription_id=row["stripe_subscription_id"] if row else None,
    )


def history(engine: Engine) -> list[dict[str, Any]]:
    from patternlift_cli.db.engine import session_scope
    from patternlift_cli.services.accounts import require_current_profile

    with session_scope(engine) as session:
        user_id = require_current_profile(session).id
        rows = session.execute(
            sa.select(PAYMENTS).where(PAYMENTS.c.user_id == user_id).order_by(PAYMENTS.c.created_at.desc())
        ).mappings().all()
    return [
        {
            "invoice": row["stripe_invoice_id"],
            "status": row["status"],
            "amount_minor": row["amount_minor"],
            "currency": row["currency"],
            "created_at": row["created_at"].isoformat() if row["created_at"] else None,
            "paid_at": row["paid_at"].isoformat() if row["paid_at"] else None,
            "failed_at": row["failed_at"].isoformat() if row["failed_at"] else None,
            "hosted_invoice_url": row["hosted_invoice_url"],
        }
        for row in rows
    ]

"""Subscriptions through Stripe: checkout, sync, cancel, status, payment history.

Stripe is the source of truth. Every write here stores an object just fetched from Stripe, so
whatever order calls and webhooks arrive in, the database ends in Stripe's current state.
Network calls happen outside database transactions; each store is one transaction.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from patternlift_cli.billing.client import call as stripe_call
from patternlift_cli.db.models import PaymentHistory, Subscription, UserProfile
from patternlift_cli.db.unit import Database
from patternlift_cli.db.upsert import insert_ignoring_duplicates, upsert
from patternlift_cli.domain.billing import (
    LIVE_STRIPE_STATUSES,
    invoice_status,
    map_stripe_status,
    replaces_stored,
    tier_for,
)
from patternlift_cli.domain.entitlement import decide_entitlement
from patternlift_cli.errors import BillingNotConfiguredError, UsageError
from patternlift_cli.ports.billing import BillingStatus, CheckoutStart, Payment
from patternlift_cli.services.accounts import ai_limit, trial_days_left

SUBSCRIPTIONS = Subscription.__table__
PAYMENTS = PaymentHistory.__table__
PROFILES = UserProfile.__table__


def _time(seconds: Any) -> datetime | None:
    return datetime.fromtimestamp(int(seconds), UTC) if seconds else None


def configured_client() -> Any:
    """The Stripe client from the settings and the keyring (BillingNotConfiguredError if no key)."""
    from patternlift_cli.billing.client import stripe_client
    from patternlift_cli.config import get_secret, get_settings

    settings = get_settings()
    api_key = get_secret("stripe")
    if api_key is None:
        raise BillingNotConfiguredError(
            "No Stripe secret key.", hint="Run `patternlift config set-key stripe` (or set STRIPE_API_KEY)."
        )
    return stripe_client(api_key, api_base=settings.stripe_api_base, max_network_retries=settings.stripe_max_network_retries)


def require_price_id() -> str:
    from patternlift_cli.config import get_settings

    price_id = get_settings().stripe_price_id
    if not price_id:
        raise BillingNotConfiguredError(
            "No plan price is configured.",
            hint="Set PATTERNLIFT_STRIPE_PRICE_ID to the Stripe price id of the plan (price_...).",
        )
    return price_id


# ----- storing what Stripe says ------------------------------------------------------------------


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


# ----- the learner's plan ---------------------------------------------------------------------------


def _customer_subscriptions(client: Any, customer_id: str) -> list[dict[str, Any]]:
    found = stripe_call("list your subscriptions", client.v1.subscriptions.list,
                        params={"customer": customer_id, "status": "all", "limit": 20})
    return list(found.get("data") or [])


def _live_subscription(subscriptions: list[dict[str, Any]]) -> dict[str, Any] | None:
    live = [s for s in subscriptions if s.get("status") in LIVE_STRIPE_STATUSES]
    return max(live, key=lambda s: s.get("created") or 0) if live else None


def current_subscription(subscriptions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one that decides the learner's plan: a live one, else the most recent.

    Stripe lists newest first, so on a tie in `created` (whole seconds) the first one wins.
    """
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


class LocalBilling:
    """`ports.billing.Billing`: Stripe is the source of truth, this database its copy."""

    def __init__(self, db: Database, user_id: uuid.UUID, email: str) -> None:
        self.db = db
        self.user_id = user_id
        self.email = email

    def _row(self) -> dict[str, Any] | None:
        with self.db.connection() as connection:
            row = connection.execute(sa.select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.user_id == self.user_id)).mappings().first()
        return dict(row) if row else None

    def start_checkout(self, *, now: datetime | None = None) -> CheckoutStart:
        """Create (or reuse) the Stripe customer and a subscription-mode Checkout Session."""
        from patternlift_cli.config import get_settings

        now = now or datetime.now(UTC)
        price_id = require_price_id()
        settings = get_settings()
        client = configured_client()
        row = self._row()
        customer_id = row["stripe_customer_id"] if row else None
        if customer_id is not None:
            # Ask Stripe, not our copy: a checkout paid while the learner was not waiting (Ctrl-C)
            # is only there, and a second checkout would charge for a second subscription.
            live = _live_subscription(_customer_subscriptions(client, customer_id))
            if live is not None:
                self.sync(now=now)
                raise UsageError(
                    f"You already have a subscription ({live['status']}).",
                    hint="`patternlift subscribe status` shows it (it has just been synced from Stripe).",
                )
        if customer_id is None:
            customer = stripe_call(
                "create your customer record", client.v1.customers.create,
                params={"email": self.email, "metadata": {"patternlift_profile_id": str(self.user_id)}},
                # One customer per learner, even if this command is retried.
                options={"idempotency_key": f"patternlift-customer-{self.user_id}"},
            )
            customer_id = customer["id"]
            self._keep_customer(customer_id, now)
        session = stripe_call(
            "start checkout", client.v1.checkout.sessions.create,
            params={
                "mode": "subscription",
                "customer": customer_id,
                "client_reference_id": str(self.user_id),
                "line_items": [{"price": price_id, "quantity": 1}],
                "success_url": settings.checkout_success_url,
                "cancel_url": settings.checkout_cancel_url,
            },
            options={"idempotency_key": f"patternlift-checkout-{self.user_id}-{uuid.uuid4()}"},
        )
        with self.db.connection() as connection:
            # A new checkout replaces an ended subscription; sync then finds the new one.
            values = {"stripe_customer_id": customer_id, "stripe_checkout_session_id": session["id"],
                      "stripe_subscription_id": None, "stripe_created_at": None, "stripe_price_id": price_id,
                      "updated_at": now}
            updated = connection.execute(
                sa.update(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.user_id == self.user_id).values(**values)
            )
            if updated.rowcount == 0:
                connection.execute(sa.insert(SUBSCRIPTIONS).values(
                    id=uuid.uuid4(), user_id=self.user_id, status="trial", created_at=now, **values))
        return CheckoutStart(session_id=session["id"], url=session["url"], customer_id=customer_id)

    def _keep_customer(self, customer_id: str, now: datetime) -> None:
        """Store a new customer before anything else can fail: the next checkout reuses it
        instead of creating a second one (the idempotency key only lasts Stripe's 24 hours)."""
        with self.db.connection() as connection:
            connection.execute(insert_ignoring_duplicates(SUBSCRIPTIONS, connection.dialect.name, ["user_id"], {
                "id": uuid.uuid4(), "user_id": self.user_id, "stripe_customer_id": customer_id, "status": "trial",
                "created_at": now, "updated_at": now,
            }))

    def checkout_state(self, session_id: str) -> str:
        """'open', 'complete' or 'expired'; a completed checkout is synced on the spot."""
        session = stripe_call("check the checkout", configured_client().v1.checkout.sessions.retrieve, session_id)
        state = session["status"]
        if state == "complete":
            self.sync()
        return state

    def sync(self, *, now: datetime | None = None) -> BillingStatus:
        """Re-fetch the learner's subscription and invoices from Stripe and store them."""
        now = now or datetime.now(UTC)
        client = configured_client()
        row = self._row()
        if row is None:
            return self.status(now=now)
        customer_id = row["stripe_customer_id"]
        with self.db.connection(write=True) as connection:
            lock_learner(connection, self.user_id)
            subscription = current_subscription(_customer_subscriptions(client, customer_id))
            invoices = stripe_call("list your invoices", client.v1.invoices.list,
                                   params={"customer": customer_id, "limit": 24}).get("data") or []
            if subscription is not None:
                store_subscription(connection, self.user_id, subscription, now)
            for invoice in invoices:
                store_invoice(connection, self.user_id, invoice, now)
        return self.status(now=now)

    def cancel(self, *, now: datetime | None = None) -> BillingStatus:
        """Cancel at the end of the period already paid for."""
        now = now or datetime.now(UTC)
        row = self._row()
        if row is None or not row["stripe_subscription_id"] or row["status"] == "canceled":
            raise UsageError("There is no live subscription to cancel.", hint="`patternlift subscribe status` shows your plan.")
        subscription = stripe_call(
            "cancel the subscription", configured_client().v1.subscriptions.update,
            row["stripe_subscription_id"], params={"cancel_at_period_end": True},
        )
        with self.db.connection(write=True) as connection:
            store_subscription(connection, self.user_id, subscription, now)
        return self.status(now=now)

    def status(self, *, now: datetime | None = None) -> BillingStatus:
        from patternlift_cli.services.tutor import ai_configured

        now = now or datetime.now(UTC)
        with self.db.connection() as connection:
            profile = connection.execute(sa.select(PROFILES).where(PROFILES.c.id == self.user_id)).mappings().one()
            row = connection.execute(
                sa.select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.user_id == self.user_id)
            ).mappings().first()
            paid = paid_through(connection, self.user_id) if row else None
        status = profile["subscription_status"]
        state = getattr(status, "value", status) or "trial"
        period_end = row["current_period_end"] if row else None
        decision = decide_entitlement(status=state, trial_ends_at=profile["trial_ends_at"],
                                      current_period_end=period_end, paid_through=paid, now=now)
        configured = ai_configured()
        return BillingStatus(
            email=profile["email"],
            plan=profile["subscription_tier"] or "basic",
            status=state,
            stripe_status=row["stripe_status"] if row else None,
            ai_allowed=decision.allowed and configured,
            ai_reason=decision.reason if configured else f"not configured ({decision.reason})",
            trial_ends_at=profile["trial_ends_at"],
            trial_days_left=trial_days_left(state, profile["trial_ends_at"], now),
            current_period_end=period_end,
            cancel_at_period_end=bool(row["cancel_at_period_end"]) if row else False,
            ai_limit_usd=ai_limit(profile["monthly_ai_usage_limit"]),
            stripe_customer_id=row["stripe_customer_id"] if row else None,
            stripe_subscription_id=row["stripe_subscription_id"] if row else None,
        )

    def history(self) -> list[Payment]:
        with self.db.connection() as connection:
            rows = connection.execute(
                sa.select(PAYMENTS).where(PAYMENTS.c.user_id == self.user_id).order_by(PAYMENTS.c.created_at.desc())
            ).mappings().all()
        return [
            Payment(
                invoice=row["stripe_invoice_id"], status=row["status"], amount_minor=row["amount_minor"],
                currency=row["currency"], created_at=row["created_at"], paid_at=row["paid_at"],
                failed_at=row["failed_at"], hosted_invoice_url=row["hosted_invoice_url"],
            )
            for row in rows
        ]

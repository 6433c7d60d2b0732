"""Subscriptions through Stripe: checkout, sync, cancel, status, payment history.

Stripe is the source of truth. Every write here stores an object just fetched from Stripe
(services/billing_records.py), so whatever order calls and webhooks arrive in, the database
ends in Stripe's current state. Network calls happen outside database transactions, except
under the learner's lock in sync; each store is one transaction.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from patternlift_cli.billing.client import call as stripe_call
from patternlift_cli.db.unit import Database
from patternlift_cli.db.upsert import insert_ignoring_duplicates
from patternlift_cli.domain.billing import LIVE_STRIPE_STATUSES
from patternlift_cli.domain.entitlement import decide_entitlement
from patternlift_cli.errors import BillingNotConfiguredError, UsageError
from patternlift_cli.ports.billing import BillingStatus, CheckoutStart, Payment
from patternlift_cli.services.accounts import ai_limit, trial_days_left
from patternlift_cli.services.billing_records import (
    PAYMENTS,
    PROFILES,
    SUBSCRIPTIONS,
    lock_learner,
    paid_through,
    store_invoice,
    store_subscription,
)


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


def require_return_urls() -> tuple[str, str]:
    """Where Stripe Checkout sends the browser back: the operator's pages, never a guess."""
    from patternlift_cli.config import get_settings

    settings = get_settings()
    missing = [name for name, value in (("PATTERNLIFT_CHECKOUT_SUCCESS_URL", settings.checkout_success_url),
                                        ("PATTERNLIFT_CHECKOUT_CANCEL_URL", settings.checkout_cancel_url)) if not value]
    if missing:
        raise BillingNotConfiguredError(
            f"Checkout needs {' and '.join(missing)}: the pages Stripe sends the browser back to.",
            hint=f"Set {'it' if len(missing) == 1 else 'them'} to your own https:// pages (see .env.example).",
        )
    assert settings.checkout_success_url and settings.checkout_cancel_url
    return settings.checkout_success_url, settings.checkout_cancel_url


def require_price_id() -> str:
    from patternlift_cli.config import get_settings

    price_id = get_settings().stripe_price_id
    if not price_id:
        raise BillingNotConfiguredError(
            "No plan price is configured.",
            hint="Set PATTERNLIFT_STRIPE_PRICE_ID to the Stripe price id of the plan (price_...).",
        )
    return price_id


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

    def start_checkout(self, *, now: datetime | None = None, attempt: str | None = None) -> CheckoutStart:
        """Create (or reuse) the Stripe customer and a subscription-mode Checkout Session.

        `attempt` names this checkout attempt (the server passes the request's Idempotency-Key):
        a retried request then gets the same Checkout Session from Stripe, not a second one.
        """
        now = now or datetime.now(UTC)
        attempt = attempt or str(uuid.uuid4())
        price_id = require_price_id()
        client = configured_client()
        success_url, cancel_url = require_return_urls()  # before any Stripe call
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
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
            options={"idempotency_key": f"patternlift-checkout-{self.user_id}-{attempt}"},
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
        """'open', 'complete' or 'expired'; a completed checkout is synced on the spot.

        Only the learner's latest checkout (the one stored) is answered, so nobody learns
        anything of another's session. When our copy already holds the live subscription it
        bought (the webhook stored it), that is the answer without asking Stripe.
        """
        row = self._row()
        if row is None or row["stripe_checkout_session_id"] != session_id:
            raise UsageError(f"No checkout {session_id} of yours is in progress.",
                             hint="Once you have paid, `patternlift subscribe sync` picks it up.")
        if row["stripe_subscription_id"] and row["stripe_status"] in ("active", "trialing"):
            return "complete"
        session = stripe_call("check the checkout", configured_client().v1.checkout.sessions.retrieve, session_id)
        state = session["status"]
        if state == "complete":
            self.sync()
        return state

    def sync(self, *, now: datetime | None = None) -> BillingStatus:
        """Re-fetch the learner's subscription and invoices from Stripe and store them.

        With no customer stored, it is looked up at Stripe first (services/billing_lookup.py).
        `sync_detail` on the result says what was found.
        """
        from patternlift_cli.services.billing_lookup import find_customer

        now = now or datetime.now(UTC)
        client = configured_client()
        row = self._row()
        found = ""
        if row is None:
            customer = find_customer(client, self.user_id, self.email,
                                     lambda customer_id: bool(_customer_subscriptions(client, customer_id)))
            if customer is None:
                return self.status(now=now).model_copy(update={
                    "sync_detail": f"Stripe has no customer for {self.email}; there was nothing to sync."})
            self._keep_customer(customer.id, now)
            found = f"Found your customer {customer.id} at Stripe (by {customer.found_by}). "
            customer_id = customer.id
        else:
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
        if subscription is None:
            found += f"Customer {customer_id} has no subscription at Stripe."
        else:
            found += f"Subscription {subscription['id']} is {subscription['status']} at Stripe; {len(invoices)} invoice(s)."
        return self.status(now=now).model_copy(update={"sync_detail": found})

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

"""Stripe's subscription statuses on the seed's enum, and the plan tier they imply; pure."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

# Stripe status -> user_subscription_status. Decisions beyond the obvious ones:
# - incomplete: the first payment has not gone through yet (card declined or awaiting 3-D
#   Secure, for up to 23 hours). Nothing is paid, so it grants nothing new: it maps to
#   "trial", which keeps AI only while the learner's own 14-day trial is still running.
# - paused: Stripe pauses a subscription whose trial ended without a payment method. It is
#   not paid for, so it maps to "unpaid" (AI refused, learning goes on).
STRIPE_STATUS_MAP: dict[str, str] = {
    "trialing": "trial",
    "active": "active",
    "past_due": "past_due",
    "unpaid": "unpaid",
    "canceled": "canceled",
    "incomplete_expired": "canceled",
    "incomplete": "trial",
    "paused": "unpaid",
}

# Stripe statuses of a subscription that has not ended: one of these decides the learner's plan.
LIVE_STRIPE_STATUSES = frozenset(("trialing", "active", "past_due", "unpaid", "incomplete", "paused"))

PAID_TIER = "pro"
FREE_TIER = "basic"


def map_stripe_status(stripe_status: str) -> str:
    try:
        return STRIPE_STATUS_MAP[stripe_status]
    except KeyError:
        raise ValueError(f"unknown Stripe subscription status '{stripe_status}'") from None


def tier_for(status: str) -> str:
    """The plan a learner is on: paid while Stripe says the subscription is live."""
    return PAID_TIER if status in ("active", "past_due") else FREE_TIER


# Stripe invoice status -> payment_history.status; a failed attempt on an open invoice is "failed".
def invoice_status(stripe_status: str | None, *, payment_failed: bool) -> str:
    if stripe_status == "open" and payment_failed:
        return "failed"
    if stripe_status in ("draft", "open", "paid", "void", "uncollectible"):
        return stripe_status
    raise ValueError(f"unknown Stripe invoice status '{stripe_status}'")


# Stripe's zero- and three-decimal currencies; every other currency has two decimals.
ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
THREE_DECIMAL = frozenset("bhd jod kwd omr tnd".split())


def format_minor(amount_minor: int, currency: str) -> str:
    """An amount in the currency's minor unit, as people read it: 1200 usd -> '12.00 USD'."""
    code = currency.lower()
    places = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    value = Decimal(amount_minor).scaleb(-places)
    return f"{value:,.{places}f} {code.upper()}"


def replaces_stored(*, incoming_status: str, incoming_created: datetime | None,
                    stored_status: str | None, stored_created: datetime | None) -> bool:
    """Whether news of one subscription replaces a *different* one stored for the learner.

    The newest subscription decides the plan, unless an older one is still live: a late event
    for an ended subscription never overwrites the one that followed it, nor a live one.
    """
    incoming_live = incoming_status in LIVE_STRIPE_STATUSES
    stored_live = stored_status in LIVE_STRIPE_STATUSES
    if incoming_live != stored_live:
        return incoming_live
    if incoming_created is None or stored_created is None:
        return True  # a row stored before its creation time was kept: Stripe's latest word wins
    return incoming_created >= stored_created

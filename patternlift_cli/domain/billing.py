"""Stripe's subscription statuses on the seed's enum, and the plan tier they imply; pure."""

from __future__ import annotations

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

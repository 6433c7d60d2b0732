"""Who may use the AI tutor: a pure decision over the learner's plan state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Entitlement:
    allowed: bool
    reason: str  # one line a learner can act on


def decide_entitlement(
    *,
    status: str | None,
    trial_ends_at: datetime | None,
    current_period_end: datetime | None,
    paid_through: datetime | None,
    now: datetime,
) -> Entitlement:
    """Trial running, active, or past_due (Stripe is still retrying: a grace period) may use AI.

    A canceled plan keeps access until the end of its current period only when that period was
    paid for: `paid_through` is the latest end of a period a paid invoice of the subscription
    covers (None when no invoice was ever paid). A subscription whose first invoice failed and
    was then canceled (or expired as incomplete) paid for nothing, so it grants nothing.
    """
    status = status or "trial"
    if status == "trial":
        if trial_ends_at is not None and trial_ends_at > now:
            return Entitlement(True, f"trial until {trial_ends_at:%Y-%m-%d}")
        return Entitlement(False, "Your 14-day trial has ended.")
    if status == "active":
        return Entitlement(True, "subscription active")
    if status == "past_due":
        return Entitlement(True, "payment past due: AI stays on while Stripe retries the card")
    if status == "canceled":
        access_ends = canceled_access_end(current_period_end, paid_through)
        if access_ends is not None and access_ends > now:
            return Entitlement(True, f"canceled, paid through {access_ends:%Y-%m-%d}")
        if current_period_end is not None and current_period_end > now:
            return Entitlement(False, "Your subscription has been canceled, and its current period was never paid.")
        return Entitlement(False, "Your subscription has been canceled.")
    if status == "unpaid":
        return Entitlement(False, "Your subscription is unpaid.")
    return Entitlement(False, f"Unknown subscription status '{status}'.")


def canceled_access_end(current_period_end: datetime | None, paid_through: datetime | None) -> datetime | None:
    """Until when a canceled subscription keeps the tutor: the period's end, if it was paid."""
    if current_period_end is None or paid_through is None:
        return None
    return min(current_period_end, paid_through)

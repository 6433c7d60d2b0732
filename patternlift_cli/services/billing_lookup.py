"""Finding a learner's Stripe customer when this database has none stored (`subscribe sync`).

A checkout paid on another machine, or a database restored from before the checkout, leaves
Stripe holding a customer we do not know. Every customer PatternLift creates carries the
learner's profile id in its metadata; customers are looked up by email (a list, consistent at
once), then by that metadata (Stripe's search, which lags writes by up to a minute).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from patternlift_cli.billing.client import call as stripe_call

PROFILE_KEY = "patternlift_profile_id"  # the metadata key start_checkout writes


@dataclass(frozen=True)
class FoundCustomer:
    id: str
    found_by: str  # "email" | "profile id"


def _ours(customer: dict[str, Any], user_id: uuid.UUID) -> bool:
    return (customer.get("metadata") or {}).get(PROFILE_KEY) == str(user_id)


def _not_someone_elses(customer: dict[str, Any], user_id: uuid.UUID) -> bool:
    owner = (customer.get("metadata") or {}).get(PROFILE_KEY)
    return owner is None or owner == str(user_id)


def find_customer(client: Any, user_id: uuid.UUID, email: str,
                  has_subscriptions: Any) -> FoundCustomer | None:
    """The learner's customer at Stripe, or None. Of several, one with subscriptions wins
    (`has_subscriptions(customer_id) -> bool`), then the newest; Stripe lists newest first."""
    by_email = stripe_call("look up your customer record", client.v1.customers.list,
                           params={"email": email, "limit": 10}).get("data") or []
    candidates = [c for c in by_email if _ours(c, user_id)] or [c for c in by_email if _not_someone_elses(c, user_id)]
    found_by = "email"
    if not candidates:
        query = f"metadata['{PROFILE_KEY}']:'{user_id}'"
        searched = stripe_call("search for your customer record", client.v1.customers.search,
                               params={"query": query, "limit": 10}).get("data") or []
        candidates = [c for c in searched if _ours(c, user_id)]
        found_by = "profile id"
    if not candidates:
        return None
    with_subscriptions = [c for c in candidates if has_subscriptions(c["id"])]
    return FoundCustomer((with_subscriptions or candidates)[0]["id"], found_by)

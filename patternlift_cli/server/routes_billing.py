"""`/v1/billing/...`: the learner's subscription, with the server's Stripe key.

In connected mode the learner's machine holds no Stripe secret: `patternlift subscribe` asks
these routes, which run the same use case as solo mode (services/billing.py `LocalBilling`)
on the owner's connection for the learner the token names, with the server's own Stripe key,
price and checkout pages. Nothing here takes a body or a query: the learner is the token's,
and the status, tier and limit come only from what Stripe says (here, or through the
webhook at `POST /v1/stripe/webhook`).

- `POST /checkout`: the customer is reused or created, `client_reference_id` is the learner's
  id; the request's Idempotency-Key names the attempt, so a retried request gets the same
  Checkout Session from Stripe instead of a second one.
- `GET /checkout/{session_id}`: open, complete or expired; complete as soon as the webhook
  has stored the subscription, else asked of Stripe (and synced when complete).
- `GET /subscription`, `POST /cancel` (at period end), `POST /sync`, `GET /history`.

A server without Stripe configured answers 503 `billing-not-configured` saying so, with a hint
for its operator: the learner has nothing to set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Request

from patternlift_cli.errors import BillingError, BillingNotConfiguredError
from patternlift_cli.ports.billing import (
    BillingStatus,
    CheckoutStart,
    CheckoutState,
    PaymentList,
)
from patternlift_cli.ports.problems import Problem
from patternlift_cli.server.deps import CurrentLearner, Now, OwnerDB
from patternlift_cli.server.idempotency import HEADER, KEY_PATTERN
from patternlift_cli.services.billing import LocalBilling

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 401, 502, 503)
}
OPERATOR_HINT = ("Stripe is configured on the server by its operator (docs/BILLING.md); "
                 "there is nothing to set on your machine.")

router = APIRouter(prefix="/v1/billing", tags=["billing"], responses=PROBLEMS)


@contextmanager
def _servers_stripe() -> Iterator[None]:
    """The use case's errors, told from the server's side: its hints name the learner's own
    keyring and settings, which connected mode never uses."""
    try:
        yield
    except BillingNotConfiguredError as error:
        reason = error.message[:1].lower() + error.message[1:]
        raise BillingNotConfiguredError(f"The server is not set up for subscriptions: {reason}",
                                        hint=OPERATOR_HINT) from error
    except BillingError as error:
        if error.hint and "config" in error.hint:  # "Check it with `patternlift config show`."
            raise BillingError(f"The server's Stripe account refused the call: {error.message}",
                               hint="Try again later; the server has logged it for its operator.") from error
        raise


def _billing(learner: CurrentLearner, db: OwnerDB) -> LocalBilling:
    # The owner's connection: subscription rows are the platform's to write, never the learner's.
    return LocalBilling(db, learner.id, learner.email)


@router.post("/checkout", response_model=CheckoutStart)
def start_checkout(request: Request, learner: CurrentLearner, db: OwnerDB, now: Now) -> CheckoutStart:
    """Create the Stripe Checkout Session for the plan; open its `url` in a browser."""
    key = request.headers.get(HEADER)
    # Hashed: whatever the client sent, Stripe's key stays within its 255 characters.
    attempt = hashlib.sha256(key.encode()).hexdigest()[:40] if key and KEY_PATTERN.match(key) else None
    with _servers_stripe():
        return _billing(learner, db).start_checkout(now=now, attempt=attempt)


@router.get("/checkout/{session_id}", response_model=CheckoutState)
def checkout_state(session_id: str, learner: CurrentLearner, db: OwnerDB) -> CheckoutState:
    """The state of one of the learner's checkouts: open, complete or expired."""
    with _servers_stripe():
        return CheckoutState(session_id=session_id, state=_billing(learner, db).checkout_state(session_id))


@router.get("/subscription", response_model=BillingStatus)
def subscription(learner: CurrentLearner, db: OwnerDB, now: Now) -> BillingStatus:
    """Plan, status, trial, period end and whether the AI tutor is on (no Stripe call)."""
    return _billing(learner, db).status(now=now)


@router.post("/cancel", response_model=BillingStatus)
def cancel(learner: CurrentLearner, db: OwnerDB, now: Now) -> BillingStatus:
    """Cancel at the end of the period already paid for; repeating it changes nothing more."""
    with _servers_stripe():
        return _billing(learner, db).cancel(now=now)


@router.post("/sync", response_model=BillingStatus)
def sync(learner: CurrentLearner, db: OwnerDB, now: Now) -> BillingStatus:
    """Fetch the learner's subscription and invoices from Stripe again and store them."""
    with _servers_stripe():
        return _billing(learner, db).sync(now=now)


@router.get("/history", response_model=PaymentList)
def history(learner: CurrentLearner, db: OwnerDB) -> PaymentList:
    """The learner's payments, one per invoice, newest first."""
    return PaymentList(payments=_billing(learner, db).history())

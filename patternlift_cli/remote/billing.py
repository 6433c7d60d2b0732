"""`ports.billing.Billing` in connected mode: the server's `/v1/billing` routes.

The server holds the Stripe key, the price and the checkout pages; this machine holds only the
learner's token, so nothing here reads a Stripe setting. The writes are safe to retry: a
retried checkout carries the same Idempotency-Key, which the server turns into Stripe's, so it
gets the same Checkout Session; cancel (at period end) and sync end in the same state however
often they run.
"""

from __future__ import annotations

from urllib.parse import quote

from patternlift_cli.ports.billing import (
    BillingStatus,
    CheckoutStart,
    CheckoutState,
    Payment,
    PaymentList,
)
from patternlift_cli.remote.client import ServerClient


class RemoteBilling:
    def __init__(self, client: ServerClient) -> None:
        self.client = client

    def start_checkout(self) -> CheckoutStart:
        return self.client.call("POST", "/v1/billing/checkout", CheckoutStart, idempotent=True)

    def checkout_state(self, session_id: str) -> str:
        path = f"/v1/billing/checkout/{quote(session_id, safe='')}"
        return self.client.call("GET", path, CheckoutState).state

    def status(self) -> BillingStatus:
        return self.client.call("GET", "/v1/billing/subscription", BillingStatus)

    def cancel(self) -> BillingStatus:
        return self.client.call("POST", "/v1/billing/cancel", BillingStatus, idempotent=True)

    def sync(self) -> BillingStatus:
        return self.client.call("POST", "/v1/billing/sync", BillingStatus, idempotent=True)

    def history(self) -> list[Payment]:
        return list(self.client.call("GET", "/v1/billing/history", PaymentList).payments)

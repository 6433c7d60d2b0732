"""The learner's plan: checkout, status, cancellation, payments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Protocol

from patternlift_cli.ports.base import Model


class CheckoutStart(Model):
    session_id: str
    url: str
    customer_id: str


class BillingStatus(Model):
    email: str
    plan: str
    status: str
    stripe_status: str | None = None
    ai_allowed: bool
    ai_reason: str
    trial_ends_at: datetime | None = None
    trial_days_left: int | None = None
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    ai_limit_usd: Decimal
    stripe_customer_id: str | None = None
    stripe_subscription_id: str | None = None
    sync_detail: str | None = None  # what `sync` found at Stripe, one line


class Payment(Model):
    invoice: str
    status: str
    amount_minor: int
    currency: str
    created_at: datetime | None = None
    paid_at: datetime | None = None
    failed_at: datetime | None = None
    hosted_invoice_url: str | None = None


class CheckoutState(Model):
    """A checkout's state, as the server answers `GET /v1/billing/checkout/{id}`."""

    session_id: str
    state: str  # open | complete | expired


class PaymentList(Model):
    """The learner's payments, newest first, as the server answers `GET /v1/billing/history`."""

    payments: list[Payment]


class Billing(Protocol):
    def start_checkout(self) -> CheckoutStart: ...
    def checkout_state(self, session_id: str) -> str: ...   # open | complete | expired
    def status(self) -> BillingStatus: ...
    def cancel(self) -> BillingStatus: ...
    def sync(self) -> BillingStatus: ...
    def history(self) -> list[Payment]: ...

"""Subscriptions through the official Stripe SDK against a Stripe-shaped server on 127.0.0.1,
on SQLite and PostgreSQL (webhooks: tests/test_stripe_webhooks.py)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from patternlift_cli.db.models import UserProfile
from patternlift_cli.domain.billing import map_stripe_status
from tests.fakes.stripe_server import PLAN_AMOUNT, FakeStripe

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def stripe_fake(learner, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        stripe_environment(monkeypatch, fake)
        yield fake


def stripe_environment(monkeypatch: pytest.MonkeyPatch, fake: FakeStripe) -> None:
    """The settings that point the CLI at `fake` with the AI tutor configured."""
    from tests.conftest import reset_caches

    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_fake_key")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-ai")  # the AI tutor is configured
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("PATTERNLIFT_STRIPE_API_BASE", fake.base_url)
    monkeypatch.setenv("PATTERNLIFT_STRIPE_PRICE_ID", "price_test_plan")
    monkeypatch.setenv("PATTERNLIFT_CHECKOUT_POLL_SECONDS", "0.05")
    monkeypatch.setenv("PATTERNLIFT_CHECKOUT_SUCCESS_URL", "https://learn.example.com/checkout/done")
    monkeypatch.setenv("PATTERNLIFT_CHECKOUT_CANCEL_URL", "https://learn.example.com/checkout/canceled")
    reset_caches()


def cli(*args: str, input: str | None = None):
    from patternlift_cli.cli.app import app

    return CliRunner().invoke(app, list(args), input=input, env={"COLUMNS": "160", "NO_COLOR": "1"})


def _when_session_exists(fake: FakeStripe, action) -> threading.Thread:
    def run() -> None:
        deadline = time.monotonic() + 20
        while not fake.sessions and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)  # let the CLI poll an open session first
        action(next(iter(fake.sessions)))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _row(engine, model):
    with engine.begin() as connection:
        return connection.execute(sa.select(model)).one()


def _subscribed(fake: FakeStripe, engine) -> str:
    """A learner who went through checkout; returns the Stripe subscription id."""
    from tests.conftest import signed_in

    billing = signed_in().billing

    start = billing.start_checkout()
    subscription = fake.complete_checkout(start.session_id)
    billing.sync()
    return subscription["id"]


@pytest.mark.parametrize(
    ("stripe_status", "ours"),
    [("trialing", "trial"), ("active", "active"), ("past_due", "past_due"), ("unpaid", "unpaid"),
     ("canceled", "canceled"), ("incomplete_expired", "canceled"), ("incomplete", "trial"), ("paused", "unpaid")],
)
def test_stripe_statuses_map_onto_the_seed_enum(stripe_status: str, ours: str) -> None:
    assert map_stripe_status(stripe_status) == ours


def test_amounts_read_in_each_currencys_own_unit() -> None:
    from patternlift_cli.domain.billing import format_minor

    assert format_minor(1200, "usd") == "12.00 USD"
    assert format_minor(1000, "jpy") == "1,000 JPY"
    assert format_minor(1500, "kwd") == "1.500 KWD"


def test_paying_while_not_waiting_cannot_lead_to_a_second_subscription(stripe_fake, engine) -> None:
    from tests.conftest import signed_in

    billing = signed_in().billing

    first = billing.start_checkout()
    stripe_fake.complete_checkout(first.session_id)  # paid after Ctrl-C, not synced yet
    result = cli("subscribe", "--no-browser")
    assert result.exit_code == 2 and "already have a subscription (active)" in result.output
    assert len(stripe_fake.sessions) == 1 and billing.status().status == "active"


def test_subscribing_again_after_a_cancellation_follows_the_new_subscription(stripe_fake, engine) -> None:
    from tests.conftest import signed_in

    billing = signed_in().billing

    old = _subscribed(stripe_fake, engine)
    stripe_fake.subscriptions[old]["cancel_at_period_end"] = True
    stripe_fake.end_period(old)
    assert billing.sync().status == "canceled"
    start = billing.start_checkout()
    new = stripe_fake.complete_checkout(start.session_id)
    status = billing.sync()
    assert (status.status, status.stripe_subscription_id) == ("active", new["id"])


def test_checkout_happy_path(stripe_fake: FakeStripe, engine, learner) -> None:
    from patternlift_cli.db.models import PaymentHistory, Subscription, UserProfile

    waiter = _when_session_exists(stripe_fake, stripe_fake.complete_checkout)
    result = cli("subscribe", "--no-browser", "--timeout", "20")
    waiter.join()
    assert result.exit_code == 0, result.output
    assert "https://checkout.stripe.test/c/pay/" in result.output and "Subscribed" in result.output

    posted = {path: params for method, path, params in stripe_fake.requests if method == "POST"}
    checkout = posted["/v1/checkout/sessions"]
    assert checkout["mode"] == "subscription" and checkout["client_reference_id"] == str(learner.id)
    assert checkout["line_items[0][price]"] == "price_test_plan"
    subscription = _row(engine, Subscription)
    assert (subscription.status.value, subscription.stripe_status, subscription.stripe_price_id) == (
        "active", "active", "price_test_plan")
    assert subscription.current_period_end > datetime.now(UTC) + timedelta(days=29)
    profile = _row(engine, UserProfile)
    assert (profile.subscription_status.value, profile.subscription_tier) == ("active", "pro")
    payment = _row(engine, PaymentHistory)
    assert (payment.status, payment.amount_minor, payment.currency) == ("paid", PLAN_AMOUNT, "usd")
    assert payment.paid_at is not None and payment.stripe_subscription_id == subscription.stripe_subscription_id

    status = json.loads(cli("subscribe", "status", "--json").output)
    assert (status["status"], status["plan"], status["ai_allowed"]) == ("active", "pro", True)
    history = json.loads(cli("subscribe", "history", "--json").output)
    assert [row["amount_minor"] for row in history] == [PLAN_AMOUNT]
    again = cli("subscribe", "--no-browser")
    assert again.exit_code == 2 and "already have a subscription" in again.output


def test_customer_is_reused_and_each_attempt_has_its_own_idempotency_key(stripe_fake, engine) -> None:
    from tests.conftest import signed_in

    billing = signed_in().billing

    first = billing.start_checkout()
    second = billing.start_checkout()
    assert first.customer_id == second.customer_id and len(stripe_fake.customers) == 1
    assert first.session_id != second.session_id


def test_an_expired_checkout_says_so_and_changes_nothing(stripe_fake, engine) -> None:
    from patternlift_cli.db.models import UserProfile

    waiter = _when_session_exists(stripe_fake, stripe_fake.expire_checkout)
    result = cli("subscribe", "--no-browser", "--timeout", "20")
    waiter.join()
    assert result.exit_code == 1 and "expired" in result.output
    assert _row(engine, UserProfile).subscription_status.value == "trial"


def test_sync_picks_up_a_checkout_finished_after_an_interrupted_wait(stripe_fake, engine) -> None:
    from patternlift_cli.db.models import Subscription
    from tests.conftest import signed_in

    billing = signed_in().billing

    start = billing.start_checkout()  # the learner pressed Ctrl-C while waiting here
    stripe_fake.complete_checkout(start.session_id)
    assert _row(engine, Subscription).status.value == "trial"
    result = cli("subscribe", "sync")
    assert result.exit_code == 0, result.output
    assert _row(engine, Subscription).status.value == "active"


def test_a_failed_payment_moves_to_past_due_then_unpaid(stripe_fake, engine) -> None:
    from patternlift_cli.db.models import PaymentHistory
    from tests.conftest import signed_in

    billing = signed_in().billing

    subscription_id = _subscribed(stripe_fake, engine)
    failed = stripe_fake.fail_payment(subscription_id)
    status = billing.sync()
    assert (status.status, status.ai_allowed) == ("past_due", True)  # a grace period while Stripe retries
    with engine.begin() as connection:
        row = connection.execute(sa.select(PaymentHistory).where(PaymentHistory.stripe_invoice_id == failed["id"])).one()
    assert row.status == "failed" and row.failed_at is not None

    first_failure = row.failed_at
    stripe_fake.give_up_retrying(subscription_id)
    status = billing.sync()
    assert (status.status, status.ai_allowed) == ("unpaid", False)
    with engine.begin() as connection:
        row = connection.execute(sa.select(PaymentHistory).where(PaymentHistory.stripe_invoice_id == failed["id"])).one()
    assert row.status == "uncollectible" and row.failed_at == first_failure
    assert len(billing.history()) == 2  # one row per invoice, updated in place


def test_cancel_at_period_end_keeps_access_until_the_period_passes(stripe_fake, engine) -> None:
    from tests.conftest import signed_in

    billing = signed_in().billing

    subscription_id = _subscribed(stripe_fake, engine)
    refused = cli("subscribe", "cancel", input="n\n")
    assert "Nothing changed." in refused.output
    result = cli("subscribe", "cancel", "--yes")
    assert result.exit_code == 0, result.output
    status = billing.status()
    assert status.cancel_at_period_end and status.status == "active"
    assert f"until {status.current_period_end:%Y-%m-%d}" in result.output

    stripe_fake.end_period(subscription_id)
    status = billing.sync()
    assert status.status == "canceled" and status.ai_allowed  # paid through the period's end
    after = billing.status(now=status.current_period_end + timedelta(seconds=1))
    assert not after.ai_allowed and "canceled" in after.ai_reason


def test_missing_stripe_configuration_exits_21(learner, monkeypatch) -> None:
    from tests.conftest import reset_caches

    result = cli("subscribe", "--no-browser")
    assert result.exit_code == 21 and "PATTERNLIFT_STRIPE_PRICE_ID" in result.output
    monkeypatch.setenv("PATTERNLIFT_STRIPE_PRICE_ID", "price_test_plan")
    reset_caches()
    result = cli("subscribe", "--no-browser")
    assert result.exit_code == 21 and "patternlift config set-key stripe" in result.output


# ----- entitlement, both backends -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "trial_days", "period_days", "invoice", "allowed"),
    [
        ("trial", 5, None, None, True),
        ("trial", -1, None, None, False),
        ("active", -1, 20, "paid", True),
        ("past_due", -1, -2, "failed", True),
        ("unpaid", -1, 20, "failed", False),
        ("canceled", -1, 10, "paid", True),
        ("canceled", -1, 10, "failed", False),  # never paid: canceling it grants nothing
        ("canceled", -1, -1, "paid", False),
    ],
)
def test_entitlement(learner, engine, status, trial_days, period_days, invoice, allowed, monkeypatch) -> None:
    from tests.conftest import signed_in

    billing = signed_in().billing

    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(sa.update(UserProfile).values(subscription_status=status,
                                                         trial_ends_at=now + timedelta(days=trial_days)))
    if period_days is not None:
        store_plan(engine, learner.id, status=status, period_end=now + timedelta(days=period_days), invoice=invoice)
    result = billing.status(now=now)
    assert result.ai_allowed is False and result.ai_reason.startswith("not configured")  # no AI key yet
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    result = billing.status(now=now)
    assert result.ai_allowed is allowed, result.ai_reason


def store_plan(engine, user_id, *, status: str, period_end: datetime, invoice: str | None) -> None:
    """A stored subscription and, unless `invoice` is None, one invoice ('paid' or 'failed')
    billing its current period."""
    import uuid

    from patternlift_cli.db.models import PaymentHistory, Subscription

    subscription_id = uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(sa.insert(Subscription).values(
            id=subscription_id, user_id=user_id, stripe_customer_id=f"cus_{subscription_id.hex[:8]}",
            stripe_subscription_id=f"sub_{subscription_id.hex[:8]}", status=status, current_period_end=period_end))
        if invoice is not None:
            connection.execute(sa.insert(PaymentHistory).values(
                id=uuid.uuid4(), user_id=user_id, subscription_id=subscription_id,
                stripe_invoice_id=f"in_{subscription_id.hex[:8]}", stripe_subscription_id=f"sub_{subscription_id.hex[:8]}",
                amount_minor=PLAN_AMOUNT, currency="usd", status=invoice, period_end=period_end))

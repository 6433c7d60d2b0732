"""Billing defects found against an independent Stripe implementation (issue 13), each fixed
in both modes and tested through the official SDK against the Stripe-shaped server, on SQLite
and PostgreSQL."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.fakes.stripe_server import FakeStripe
from tests.test_billing import _subscribed, cli, stripe_fake  # noqa: F401  (fixture)
from tests.test_tutor import fake_ai  # noqa: F401  (fixture)


def _checkout_declined(fake: FakeStripe) -> str:
    """A learner whose first charge was declined: one subscription, its only invoice failed."""
    from tests.conftest import signed_in

    start = signed_in().billing.start_checkout()
    return fake.complete_checkout(start.session_id, paid=False)["id"]


# ----- 1. a canceled plan keeps the tutor only through a period it paid for ----------------------


@pytest.mark.parametrize("ended_as", ["incomplete_expired", "canceled"])
def test_a_subscription_that_never_paid_grants_no_tutor_once_ended(
        stripe_fake, fake_ai, engine, ended_as) -> None:  # noqa: F811
    from tests.conftest import signed_in

    subscription_id = _checkout_declined(stripe_fake)
    stripe_fake.set_status(subscription_id, ended_as)
    billing = signed_in().billing
    status = billing.sync()
    assert status.status == "canceled" and status.current_period_end is not None
    assert not status.ai_allowed and "never paid" in status.ai_reason
    assert [payment.status for payment in billing.history()] == ["failed"]

    shown = cli("subscribe", "status")
    assert shown.exit_code == 0 and "off: Your subscription has been canceled, and its current period was never paid" \
        in " ".join(shown.output.split())
    asked = cli("ask", "two-pointers", "Why sorted input?")
    assert asked.exit_code == 13, asked.output
    assert "never paid" in asked.output and "patternlift subscribe" in asked.output
    assert "Traceback" not in asked.output and fake_ai.requests == []


def test_a_canceled_subscription_whose_period_was_paid_keeps_the_tutor_until_it_ends(
        stripe_fake, fake_ai, engine) -> None:  # noqa: F811
    from datetime import timedelta

    from tests.conftest import signed_in

    subscription_id = _subscribed(stripe_fake, engine)
    billing = signed_in().billing
    billing.cancel()
    stripe_fake.subscriptions[subscription_id]["cancel_at_period_end"] = True
    stripe_fake.end_period(subscription_id)
    status = billing.sync()
    assert status.status == "canceled" and status.ai_allowed
    assert status.ai_reason == f"canceled, paid through {status.current_period_end:%Y-%m-%d}"

    asked = cli("ask", "two-pointers", "Why sorted input?")
    assert asked.exit_code == 0, asked.output
    assert len(fake_ai.requests) == 1
    after = billing.status(now=status.current_period_end + timedelta(seconds=1))
    assert not after.ai_allowed and "canceled" in after.ai_reason
    status_json = json.loads(cli("subscribe", "status", "--json").output)
    assert status_json["ai_allowed"] is True


def test_only_the_current_subscriptions_payments_count(stripe_fake, engine) -> None:  # noqa: F811
    """A paid invoice of an older subscription does not pay for the newer one's period."""
    from tests.conftest import signed_in

    billing = signed_in().billing
    old = _subscribed(stripe_fake, engine)
    stripe_fake.subscriptions[old]["cancel_at_period_end"] = True
    stripe_fake.end_period(old)
    billing.sync()
    new = _checkout_declined(stripe_fake)
    stripe_fake.set_status(new, "incomplete_expired")
    status = billing.sync()
    assert (status.stripe_subscription_id, status.status) == (new, "canceled")
    assert not status.ai_allowed and "never paid" in status.ai_reason


def _stored_subscription(engine) -> tuple[str, str]:
    from patternlift_cli.db.models import Subscription

    with engine.begin() as connection:
        row = connection.execute(sa.select(Subscription.stripe_subscription_id, Subscription.stripe_status)).one()
    return row.stripe_subscription_id, row.stripe_status


# ----- 2. the newest subscription wins, unless an older one is live --------------------------------


def test_a_late_event_for_an_older_ended_subscription_does_not_replace_the_newer_one(
        stripe_fake, engine) -> None:  # noqa: F811
    import time

    from patternlift_cli.services.webhooks import handle_webhook
    from tests.conftest import local_database, signed_in
    from tests.fakes.stripe_server import signed_event
    from tests.test_billing import WEBHOOK_SECRET

    billing = signed_in().billing
    start = billing.start_checkout()
    old = stripe_fake.complete_checkout(start.session_id, now=int(time.time()) - 3600)["id"]
    stripe_fake.subscriptions[old]["cancel_at_period_end"] = True
    stripe_fake.end_period(old)
    billing.sync()
    new = _checkout_declined(stripe_fake)
    stripe_fake.set_status(new, "incomplete_expired")
    billing.sync()
    assert _stored_subscription(engine) == (new, "incomplete_expired")

    (old_invoice,) = [i for i in stripe_fake.invoices.values()
                      if i["parent"]["subscription_details"]["subscription"] == old]
    for event_type, obj in (("invoice.paid", old_invoice),
                            ("customer.subscription.updated", stripe_fake.subscriptions[old])):
        payload, signature = signed_event(event_type, obj, WEBHOOK_SECRET)
        result = handle_webhook(local_database(), payload, signature)
        assert result.outcome == "processed" and "not stored" in result.detail
        assert _stored_subscription(engine) == (new, "incomplete_expired")
    status = billing.status()
    assert status.status == "canceled" and not status.ai_allowed  # the old paid invoice pays for nothing new
    assert {payment.invoice for payment in billing.history()} >= {old_invoice["id"]}  # still in the history


@pytest.mark.parametrize(
    ("incoming", "stored", "replaces"),
    [
        (("canceled", 100), ("canceled", 200), False),   # older and ended: the newer one stays
        (("canceled", 300), ("canceled", 200), True),    # newer and ended replaces older and ended
        (("canceled", 300), ("active", 200), False),     # an older live one decides
        (("active", 100), ("canceled", 200), True),      # a live one beats a newer ended one
        (("active", 300), ("past_due", 200), True),      # both live: the newest
        (("canceled", 100), ("canceled", None), True),   # stored before its creation time was kept
    ],
)
def test_which_subscription_decides_the_plan(incoming, stored, replaces) -> None:
    from datetime import UTC, datetime

    from patternlift_cli.domain.billing import replaces_stored

    def when(seconds):
        return None if seconds is None else datetime.fromtimestamp(seconds, UTC)

    assert replaces_stored(incoming_status=incoming[0], incoming_created=when(incoming[1]),
                           stored_status=stored[0], stored_created=when(stored[1])) is replaces


# ----- 3. the customer is stored as soon as Stripe has created it -----------------------------------


def test_a_checkout_that_failed_after_creating_the_customer_reuses_it_next_time(
        stripe_fake, engine) -> None:  # noqa: F811
    from patternlift_cli.db.models import Subscription

    stripe_fake.fail_next("POST", "/v1/checkout/sessions", message="Your card was declined.")
    failed = cli("subscribe", "--no-browser")
    assert failed.exit_code == 20 and "Stripe could not start checkout" in failed.output
    assert "Traceback" not in failed.output
    (customer_id,) = stripe_fake.customers
    with engine.begin() as connection:
        assert connection.execute(sa.select(Subscription.stripe_customer_id)).scalar_one() == customer_id

    stripe_fake.forget_idempotency_keys()  # the retry comes after Stripe forgot the key
    start_again = _start_checkout_in_the_cli()
    assert start_again.exit_code == 1, start_again.output  # still waiting: nobody pays in this test
    assert list(stripe_fake.customers) == [customer_id]
    assert [path for method, path, _ in stripe_fake.requests if method == "POST"].count("/v1/customers") == 1
    (session,) = stripe_fake.sessions.values()
    assert session["customer"] == customer_id


def _start_checkout_in_the_cli():
    return cli("subscribe", "--no-browser", "--timeout", "1")


# ----- 4. `subscribe sync` with nothing stored looks the customer up at Stripe ------------------------


def _forget_billing_here(engine) -> None:
    """This database knows nothing of the checkout (paid on another machine, restored backup)."""
    from patternlift_cli.db.models import PaymentHistory, Subscription, UserProfile

    with engine.begin() as connection:
        connection.execute(sa.delete(PaymentHistory))
        connection.execute(sa.delete(Subscription))
        connection.execute(sa.update(UserProfile).values(subscription_status="trial", subscription_tier="basic"))


def test_sync_with_nothing_stored_and_nothing_at_stripe_says_so(stripe_fake, engine, learner) -> None:  # noqa: F811
    import uuid

    stripe_fake.customers["cus_someone_else"] = {  # same email, another learner's profile
        "id": "cus_someone_else", "object": "customer", "email": learner.email,
        "metadata": {"patternlift_profile_id": str(uuid.uuid4())}}
    result = cli("subscribe", "sync")
    assert result.exit_code == 0, result.output
    assert f"Stripe has no customer for {learner.email}; there was nothing to sync." in result.output
    assert "trial" in result.output


@pytest.mark.parametrize("email_at_stripe", ["same", "changed"])
def test_sync_with_nothing_stored_finds_a_checkout_paid_elsewhere(
        stripe_fake, engine, learner, email_at_stripe) -> None:  # noqa: F811
    subscription_id = _subscribed(stripe_fake, engine)
    (customer_id,) = stripe_fake.customers
    if email_at_stripe == "changed":  # edited in Stripe's dashboard: only the profile id still matches
        stripe_fake.customers[customer_id]["email"] = "billing@example.org"
    _forget_billing_here(engine)

    result = cli("subscribe", "sync")
    assert result.exit_code == 0, result.output
    found_by = "email" if email_at_stripe == "same" else "profile id"
    assert f"Found your customer {customer_id} at Stripe (by {found_by})." in result.output
    assert f"Subscription {subscription_id} is active at Stripe; 1 invoice(s)." in result.output
    status = json.loads(cli("subscribe", "status", "--json").output)
    assert (status["status"], status["stripe_customer_id"], status["ai_allowed"]) == ("active", customer_id, True)
    assert [method for method, path, _ in stripe_fake.requests if path == "/v1/customers"] == ["POST", "GET"]


# ----- 5. every endpoint in effect, and no made-up checkout pages ------------------------------------


def test_config_show_names_every_endpoint_and_where_it_came_from(home, monkeypatch, tmp_path) -> None:
    from tests.conftest import reset_caches

    monkeypatch.setenv("PATTERNLIFT_STRIPE_API_BASE", "http://127.0.0.1:12111")
    (tmp_path / ".env").write_text("PATTERNLIFT_AI_BASE_URL=http://127.0.0.1:11434/v1\n"
                                   "PATTERNLIFT_SERVER_URL=https://patternlift.example.com\n")
    reset_caches()
    shown = json.loads(cli("config", "show", "--json").output)
    settings, sources = shown["settings"], shown["sources"]
    assert (settings["stripe_api_base"], sources["stripe_api_base"]) == ("http://127.0.0.1:12111", "environment")
    assert (settings["ai_base_url"], sources["ai_base_url"]) == ("http://127.0.0.1:11434/v1", ".env")
    assert (settings["server_url"], sources["server_url"]) == ("https://patternlift.example.com", ".env")
    assert settings["database"].startswith("sqlite:///") and sources["database"] == "default"
    assert (settings["checkout_success_url"], sources["checkout_success_url"]) == (None, "default")
    table = " ".join(cli("config", "show").output.split())
    assert "stripe_api_base http://127.0.0.1:12111 (environment)" in table
    assert "ai_base_url http://127.0.0.1:11434/v1 (.env)" in table
    assert "checkout_cancel_url (not set) (default)" in table


def test_config_show_gives_the_providers_own_addresses_by_default(home) -> None:
    shown = json.loads(cli("config", "show", "--json").output)
    assert shown["settings"]["ai_base_url"] == "https://api.openai.com/v1"
    assert shown["settings"]["stripe_api_base"] == "https://api.stripe.com"
    assert shown["settings"]["server_url"] is None


@pytest.mark.parametrize("missing", ["PATTERNLIFT_CHECKOUT_SUCCESS_URL", "PATTERNLIFT_CHECKOUT_CANCEL_URL"])
def test_checkout_refuses_without_the_return_pages_before_calling_stripe(
        stripe_fake, monkeypatch, missing) -> None:  # noqa: F811
    from tests.conftest import reset_caches

    monkeypatch.delenv(missing)
    reset_caches()
    result = cli("subscribe", "--no-browser")
    assert result.exit_code == 21, result.output
    assert result.output.strip() == (f"Error: Checkout needs {missing}: the pages Stripe sends the browser back to. "
                                     "Set it to your own https:// pages (see .env.example).")
    assert stripe_fake.requests == [] and "Traceback" not in result.output


def test_checkout_sends_the_configured_return_pages(stripe_fake, engine) -> None:  # noqa: F811
    from tests.conftest import signed_in

    signed_in().billing.start_checkout()
    (checkout,) = [params for method, path, params in stripe_fake.requests if path == "/v1/checkout/sessions"]
    assert checkout["success_url"] == "https://learn.example.com/checkout/done"
    assert checkout["cancel_url"] == "https://learn.example.com/checkout/canceled"


# ----- the rule itself, pure -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period_days", "paid_days", "allowed"),
    [(10, 10, True), (10, None, False), (10, -20, False), (10, 40, True), (-1, 10, False), (None, 10, False)],
)
def test_a_canceled_plan_is_entitled_only_through_a_paid_period(period_days, paid_days, allowed) -> None:
    from datetime import UTC, datetime, timedelta

    from patternlift_cli.domain.entitlement import decide_entitlement

    now = datetime(2026, 12, 3, tzinfo=UTC)

    def days(count):
        return None if count is None else now + timedelta(days=count)

    decision = decide_entitlement(status="canceled", trial_ends_at=now - timedelta(days=30),
                                  current_period_end=days(period_days), paid_through=days(paid_days), now=now)
    assert decision.allowed is allowed, decision.reason
    if allowed:
        assert decision.reason == "canceled, paid through 2026-12-13"  # the period's end, not a later invoice's


def test_config_show_in_connected_mode_says_the_server_serves_the_learner(home, monkeypatch) -> None:
    from tests.conftest import reset_caches

    monkeypatch.setenv("PATTERNLIFT_SERVER_URL", "https://patternlift.example.com")
    reset_caches()
    table = " ".join(cli("config", "show").output.split())
    assert "served by https://patternlift.example.com" in table
    monkeypatch.delenv("PATTERNLIFT_SERVER_URL")
    reset_caches()
    assert "served by" not in cli("config", "show").output

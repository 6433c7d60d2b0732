"""Subscriptions through the server (connected mode): real uvicorn replicas on PostgreSQL with the
server's Stripe key, the official SDK reaching the Stripe-shaped fake on 127.0.0.1, and the CLI
run as a learner runs it, with a token and no Stripe key anywhere on their machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from patternlift_cli import errors
from patternlift_cli.remote.billing import RemoteBilling
from patternlift_cli.remote.client import ServerClient
from tests.fakes.stripe_server import PLAN_AMOUNT, FakeStripe, signed_event
from tests.server_support import ROOT, Platform, reset, running_platform, sign_in

WEBHOOK_SECRET = "whsec_server_secret"
SUCCESS_URL = "https://learn.example.com/checkout/done"
CANCEL_URL = "https://learn.example.com/checkout/canceled"


@pytest.fixture(scope="module")
def stripe() -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        yield fake


@pytest.fixture(scope="module")
def billing_servers(stripe: FakeStripe, pg_database_url, mailbox, tmp_path_factory) -> Iterator[Platform]:
    """Two replicas holding the platform's Stripe key, webhook secret, price and checkout pages."""
    with running_platform(
        tmp_path_factory.mktemp("billing-platform"), pg_database_url, mailbox,
        STRIPE_API_KEY="sk_test_server_key", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        OPENAI_API_KEY="sk-server-ai",  # the server's AI key: the tutor is configured there
        PATTERNLIFT_STRIPE_API_BASE=stripe.base_url, PATTERNLIFT_STRIPE_PRICE_ID="price_server_plan",
        PATTERNLIFT_CHECKOUT_SUCCESS_URL=SUCCESS_URL, PATTERNLIFT_CHECKOUT_CANCEL_URL=CANCEL_URL,
    ) as platform:
        yield platform


@pytest.fixture
def servers(billing_servers: Platform, stripe: FakeStripe, home: Path) -> Platform:
    stripe.reset()
    return reset(billing_servers)


# ----- the learner's machine ------------------------------------------------------------------------


def learner_env(machine: Path, server: str, token: str) -> dict[str, str]:
    """A learner's environment: the server and a token; no STRIPE_* or OPENAI_* variable at all."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PATTERNLIFT_", "STRIPE_", "OPENAI_"))}
    env.update({
        "PATTERNLIFT_HOME": str(machine), "NO_COLOR": "1", "COLUMNS": "160", "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(machine / "xdg-data"),
        "PATTERNLIFT_SERVER_URL": server, "PATTERNLIFT_TOKEN": token,
        "PATTERNLIFT_CHECKOUT_POLL_SECONDS": "0.05",
    })
    return env


def patternlift(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "patternlift_cli", *args], check=False, env=env, cwd=env["PATTERNLIFT_HOME"],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture
def machine(tmp_path: Path) -> Path:
    path = tmp_path / "learner-machine"
    path.mkdir()
    return path


def _wait_for_session(stripe: FakeStripe) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if stripe.sessions:
            return next(iter(stripe.sessions))
        time.sleep(0.02)
    raise AssertionError("no checkout session was created at Stripe")


def _wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.02)


def deliver(server: str, event_type: str, obj: dict) -> dict:
    """Stripe delivering a signed event to the server's webhook."""
    payload, signature = signed_event(event_type, obj, WEBHOOK_SECRET)
    response = httpx.post(f"{server}/v1/stripe/webhook", content=payload, timeout=30,
                          headers={"Stripe-Signature": signature, "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()


def _profile(platform: Platform, learner_id: str):
    [row] = platform.sql("SELECT subscription_status, subscription_tier, monthly_ai_usage_limit "
                         "FROM user_profiles WHERE id = :id", id=uuid.UUID(learner_id))
    return row


# ----- the happy path, driven from `patternlift subscribe` ----------------------------------------------


def test_subscribe_in_connected_mode_completes_through_the_webhook(servers: Platform, stripe: FakeStripe,
                                                                   machine: Path) -> None:
    token = sign_in(servers, "payer@example.com")
    env = learner_env(machine, servers.url, token.access_token)
    assert not [key for key in env if key.startswith("STRIPE_")]
    subscribing = subprocess.Popen(
        [sys.executable, "-m", "patternlift_cli", "subscribe", "--no-browser", "--timeout", "60"],
        env=env, cwd=machine, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        session_id = _wait_for_session(stripe)
        # From here on the server cannot look the session up at Stripe: only the webhook can
        # tell it the checkout was paid, and the CLI's polls keep going through the failures.
        lookup = f"/v1/checkout/sessions/{session_id}"
        stripe.fail_next("GET", lookup, status=400, times=100_000, message="session lookups are down")
        subscription = stripe.complete_checkout(session_id)
        _wait_until(lambda: stripe.failures_left("GET", lookup) < 100_000)  # a poll was refused, and went on
        # Stripe delivers to the other replica than the one the CLI polls.
        outcome = deliver(servers.servers[1].url, "checkout.session.completed", stripe.sessions[session_id])
        assert (outcome["outcome"], outcome["detail"]) == ("processed", "")
        out, err = subscribing.communicate(timeout=60)
    finally:
        if subscribing.poll() is None:
            subscribing.kill()
            subscribing.wait()
    assert subscribing.returncode == 0, out + err
    assert stripe.failures_left("GET", lookup) > 0  # nobody learned of the payment from Stripe's session
    assert f"https://checkout.stripe.test/c/pay/{session_id}" in out and "Subscribed. Thank you!" in out
    assert "active (Stripe: active)" in out and "Traceback" not in out + err

    # The server created the checkout with its own price and pages, for the token's learner.
    [checkout] = [params for method, path, params in stripe.requests if (method, path) == ("POST", "/v1/checkout/sessions")]
    assert checkout["client_reference_id"] == token.learner_id and checkout["line_items[0][price]"] == "price_server_plan"
    assert (checkout["success_url"], checkout["cancel_url"]) == (SUCCESS_URL, CANCEL_URL)
    [customer] = stripe.customers.values()
    assert customer["email"] == "payer@example.com" and subscription["customer"] == customer["id"]

    status = json.loads(patternlift(env, "subscribe", "status", "--json").stdout)
    assert (status["status"], status["plan"], status["stripe_subscription_id"]) == ("active", "pro", subscription["id"])
    assert status["ai_allowed"] is True and Decimal(status["ai_limit_usd"]) == Decimal("3.00")  # the AI tutor unlocks
    row = _profile(servers, token.learner_id)
    assert (row.subscription_status, row.subscription_tier) == ("active", "pro")

    # The invoice arrives by webhook too; history, sync and cancel all go through the server.
    [invoice] = stripe.invoices.values()
    assert deliver(servers.url, "invoice.paid", invoice)["outcome"] == "processed"
    [payment] = json.loads(patternlift(env, "subscribe", "history", "--json").stdout)
    assert (payment["invoice"], payment["status"], payment["amount_minor"], payment["currency"]) == (
        invoice["id"], "paid", PLAN_AMOUNT, "usd")
    synced = patternlift(env, "subscribe", "sync")
    assert synced.returncode == 0 and f"Subscription {subscription['id']} is active at Stripe; 1 invoice(s)." in synced.stdout
    canceled = patternlift(env, "subscribe", "cancel", "--yes")
    assert canceled.returncode == 0 and "Canceled. You keep the plan and the AI tutor until" in canceled.stdout
    assert stripe.subscriptions[subscription["id"]]["cancel_at_period_end"] is True
    assert json.loads(patternlift(env, "subscribe", "status", "--json").stdout)["cancel_at_period_end"] is True

    # Nothing Stripe-shaped ever reached the learner's machine.
    keyring_file = list(machine.rglob("keyring_pass.cfg"))
    assert all("stripe" not in path.read_text().lower() for path in keyring_file)
    [events] = servers.sql("SELECT count(*) AS n FROM stripe_webhook_events WHERE outcome = 'processed'")
    assert events.n == 2


def test_a_retried_checkout_request_gets_the_same_session(servers: Platform, stripe: FakeStripe) -> None:
    token = sign_in(servers, "retry@example.com").access_token
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "attempt-1"}
    first = httpx.post(f"{servers.url}/v1/billing/checkout", headers=headers, timeout=30)
    again = httpx.post(f"{servers.servers[1].url}/v1/billing/checkout", headers=headers, timeout=30)
    assert first.status_code == again.status_code == 200
    assert first.json()["session_id"] == again.json()["session_id"] and len(stripe.sessions) == 1
    with ServerClient(servers.url, token=token) as client:
        assert RemoteBilling(client).start_checkout().session_id != first.json()["session_id"]  # a new attempt
    assert len(stripe.customers) == 1  # the customer is reused


# ----- what a learner cannot do -------------------------------------------------------------------------


ROUTES = [("POST", "/v1/billing/checkout"), ("GET", "/v1/billing/subscription"), ("POST", "/v1/billing/cancel"),
          ("POST", "/v1/billing/sync"), ("GET", "/v1/billing/history")]
WISHES = {"status": "active", "subscription_status": "active", "plan": "pro", "subscription_tier": "pro",
          "monthly_ai_usage_limit": "1000000", "ai_limit_usd": "1000000", "ai_allowed": True,
          "user_id": str(uuid.uuid4()), "email": "someone-else@example.com"}


def test_no_billing_endpoint_lets_a_learner_set_their_status_tier_or_limit(servers: Platform) -> None:
    token = sign_in(servers, "tamper@example.com")
    headers = {"Authorization": f"Bearer {token.access_token}"}
    for method, path in ROUTES + [("GET", "/v1/billing/checkout/cs_made_up")]:
        for server in servers.servers:
            response = httpx.request(method, f"{server.url}{path}", json=WISHES, params=WISHES,
                                     headers=headers, timeout=30)
            assert response.status_code < 500, (path, response.text)
    row = _profile(servers, token.learner_id)
    assert (row.subscription_status, row.subscription_tier, Decimal(row.monthly_ai_usage_limit)) == (
        "trial", "basic", Decimal("3.00"))
    assert not servers.sql("SELECT 1 FROM subscriptions WHERE stripe_subscription_id IS NOT NULL")

    # The contract itself: no billing operation takes a body or a query parameter.
    document = httpx.get(f"{servers.url}/openapi.json").json()
    operations = [(path, operation) for path, item in document["paths"].items() if path.startswith("/v1/billing")
                  for operation in item.values()]
    assert len(operations) == 6
    for path, operation in operations:
        assert "requestBody" not in operation, path
        assert [p["name"] for p in operation.get("parameters", [])] in ([], ["session_id"]), path


def test_another_learners_token_sees_only_their_own_plan(servers: Platform, stripe: FakeStripe) -> None:
    payer = sign_in(servers, "ada@example.com").access_token
    other = sign_in(servers, "bob@example.com").access_token
    with ServerClient(servers.url, token=payer) as client:
        ada = RemoteBilling(client)
        start = ada.start_checkout()
        stripe.complete_checkout(start.session_id)
        assert ada.checkout_state(start.session_id) == "complete"  # asked of Stripe, then synced
        assert ada.status().status == "active" and ada.sync().status == "active"
        assert len(ada.history()) == 1
    with ServerClient(servers.servers[1].url, token=other) as client:
        bob = RemoteBilling(client)
        mine = bob.status()
        assert (mine.email, mine.status, mine.plan) == ("bob@example.com", "trial", "basic")
        assert mine.stripe_customer_id is None and mine.stripe_subscription_id is None
        assert bob.history() == []
        with pytest.raises(errors.UsageError, match=f"No checkout {start.session_id} of yours is in progress"):
            bob.checkout_state(start.session_id)
        with pytest.raises(errors.UsageError, match="no live subscription to cancel"):
            bob.cancel()
    with ServerClient(servers.url, token=payer) as client:
        assert RemoteBilling(client).status().cancel_at_period_end is False


# ----- a server without Stripe ----------------------------------------------------------------------------


def test_a_server_without_stripe_says_so_in_one_line(platform: Platform, machine: Path) -> None:
    """The shared test platform holds no Stripe key, price or checkout pages."""
    token = sign_in(platform, "early@example.com")
    env = learner_env(machine, platform.url, token.access_token)
    for args in (["subscribe", "--no-browser"], ["subscribe", "sync"]):
        result = patternlift(env, *args)
        assert result.returncode == 21, result.stdout + result.stderr
        lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: The server is not set up for subscriptions: "), lines
        assert "config set-key" not in lines[0] and "there is nothing to set on your machine" in lines[0]
    status = patternlift(env, "subscribe", "status")  # the plan itself needs no Stripe call
    assert status.returncode == 0 and "trial" in status.stdout
    assert all("Traceback" not in server.output() for server in platform.servers)

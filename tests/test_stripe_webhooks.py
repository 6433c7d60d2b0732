"""Stripe webhooks at the server's `POST /v1/stripe/webhook`, in a real uvicorn process, with
the official SDK re-fetching from the Stripe-shaped server on 127.0.0.1; SQLite and PostgreSQL
(and two replicas on one PostgreSQL for exactly-once across servers)."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from patternlift_cli.ports import problems
from tests.conftest import empty_database, reset_caches
from tests.fakes.stripe_server import FakeStripe, signed_event
from tests.server_support import PEPPER, ServerProcess, start_replicas, start_uvicorn
from tests.test_billing import (
    WEBHOOK_SECRET,
    _row,
    _subscribed,
    cli,
    stripe_environment,
)

PROBLEM_JSON = "application/problem+json"


def server_env(database_url: str, fake: FakeStripe, tmp_path: Path) -> dict[str, str]:
    return {
        "PATTERNLIFT_DATABASE_URL": database_url,
        "PATTERNLIFT_AUTH_PEPPER": PEPPER,
        "PATTERNLIFT_HOME": str(tmp_path / "server-home"),
        "PATTERNLIFT_STRIPE_API_BASE": fake.base_url,
        "STRIPE_API_KEY": "sk_test_fake_key",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }


@pytest.fixture(scope="module")
def shared_stripe() -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        yield fake


@pytest.fixture(scope="module")
def shared_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("webhook-sqlite") / "patternlift.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def database_url(database_url: str, backend: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """conftest's, except that on SQLite the module's tests share one file, emptied before each
    test as the PostgreSQL database is, so that one server process serves them all."""
    if backend == "postgres":
        return database_url
    shared = request.getfixturevalue("shared_sqlite")
    empty_database(shared)
    monkeypatch.setenv("PATTERNLIFT_DATABASE_URL", shared)
    reset_caches()
    return shared


@pytest.fixture(scope="module")
def module_servers(shared_stripe: FakeStripe, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str, str], ServerProcess]]:
    """One server process per backend for the whole module, started when first needed."""
    started: dict[str, ServerProcess] = {}
    folder = tmp_path_factory.mktemp("webhook-servers")

    def server_for(url: str, backend: str) -> ServerProcess:
        if backend not in started:
            (folder / backend).mkdir()
            started[backend] = start_uvicorn(folder / backend, server_env(url, shared_stripe, folder / backend), "webhooks")
        return started[backend]

    yield server_for
    for server in started.values():
        server.stop()


@pytest.fixture
def stripe_fake(learner, shared_stripe: FakeStripe, monkeypatch) -> FakeStripe:
    """test_billing's fake Stripe: the module's, which its shared servers call, reset for each test."""
    shared_stripe.reset()
    stripe_environment(monkeypatch, shared_stripe)
    return shared_stripe


@pytest.fixture
def webhook_server(stripe_fake, engine, database_url, backend, module_servers) -> ServerProcess:
    """The real server on the test's database, in a uvicorn process shared by the module's tests
    of the same backend (their database is the same one, emptied before each test)."""
    return module_servers(database_url, backend)


def webhook(server: ServerProcess) -> str:
    return f"{server.url}/v1/stripe/webhook"


def deliver(url: str, payload: bytes, signature: str) -> tuple[int, dict]:
    response = httpx.post(url, content=payload, timeout=30,
                          headers={"Stripe-Signature": signature, "Content-Type": "application/json"})
    return response.status_code, response.json()


def _events(engine, outcome: str | None = None) -> int:
    from patternlift_cli.db.models import StripeWebhookEvent

    query = sa.select(sa.func.count()).select_from(StripeWebhookEvent)
    if outcome is not None:
        query = query.where(StripeWebhookEvent.outcome == outcome)
    with engine.begin() as connection:
        return connection.execute(query).scalar_one()


def _checked_out(fake: FakeStripe) -> dict:
    """A learner whose checkout Stripe completed, not yet stored here: the session object."""
    from tests.conftest import signed_in

    start = signed_in().billing.start_checkout()
    fake.complete_checkout(start.session_id)
    return fake.sessions[start.session_id]


# ----- what the signature proves --------------------------------------------------------------------


# Signature, framing and shape checks: the same code whatever the database, so these run on the
# server's own backend only (each test starts a server process). The exactly-once and ordering
# tests below run on both.
SERVER_BACKEND = pytest.mark.parametrize("backend", ["postgres"])


@SERVER_BACKEND
def test_forged_stale_and_future_deliveries_are_refused_and_change_nothing(
        stripe_fake, engine, webhook_server) -> None:
    from patternlift_cli.db.models import UserProfile

    session = _checked_out(stripe_fake)
    subscription = stripe_fake.subscriptions[session["subscription"]]
    url = webhook(webhook_server)
    payload, _ = signed_event("customer.subscription.updated", subscription, WEBHOOK_SECRET)
    _, forged = signed_event("customer.subscription.updated", subscription, "whsec_attacker")
    assert deliver(url, payload, forged)[0] == 400
    for offset, says in ((-3600, "Timestamp outside the tolerance zone"), (3600, "more than 300 s in the future")):
        moved, signature = signed_event("customer.subscription.updated", subscription, WEBHOOK_SECRET,
                                        timestamp=int(time.time()) + offset)
        status, body = deliver(url, moved, signature)
        assert (status, body["type"]) == (400, problems.TYPE_PREFIX + "webhook-verification"), body
        assert body["detail"].startswith("Signature rejected") and says in body["detail"]
    assert httpx.post(url, content=payload).status_code == 400  # no signature header at all
    assert _events(engine) == 0 and _row(engine, UserProfile).subscription_status.value == "trial"
    assert "Traceback" not in webhook_server.output()


# ----- signed, but not a usable event -----------------------------------------------------------------


MALFORMED = {
    "a JSON list": (b'[{"id": "evt_1", "type": "invoice.paid"}]', "the event is a JSON list, not an object"),
    "not JSON": (b"{not json", "the body is not JSON"),
    "no id or type": (b'{"object": "event", "created": 1700000000, "data": {"object": {}}}',
                      "missing or invalid: id, type"),
    "no object": (b'{"id": "evt_2", "type": "invoice.paid", "created": 1700000000, "data": {}}',
                  "missing or invalid: data.object"),
    "an object without its id": (
        (b'{"id": "evt_3", "type": "customer.subscription.updated", "created": 1700000000,'
         b' "data": {"object": {"customer": ["cus_1"]}}}'),
        "missing or invalid: data.object.id, data.object.customer"),
}


@SERVER_BACKEND
@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_signed_but_malformed_event_is_a_400_recorded_as_rejected(
        stripe_fake, engine, webhook_server, case) -> None:
    from patternlift_cli.db.models import StripeWebhookEvent

    body, reason = MALFORMED[case]
    timestamp = int(time.time())
    signature = _sign(body, timestamp)
    for _ in range(2):  # Stripe would send it again: the answer and the record stay the same
        response = httpx.post(webhook(webhook_server), content=body, headers={"Stripe-Signature": signature})
        assert response.status_code == 400 and response.headers["content-type"] == PROBLEM_JSON
        problem = response.json()
        assert problem["type"] == problems.TYPE_PREFIX + "webhook-rejected"
        assert reason in problem["detail"] and "\n" not in problem["detail"]
    with engine.begin() as connection:
        (row,) = connection.execute(sa.select(StripeWebhookEvent)).all()
    assert row.outcome == "rejected" and row.id.startswith("rejected:") and reason in row.detail
    log = webhook_server.output()
    assert "Traceback" not in log and "Rejected a signed Stripe delivery" in log


def _sign(body: bytes, timestamp: int) -> str:
    import hashlib
    import hmac

    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def test_webhooks_handle_rejects_a_malformed_saved_event_in_one_line(stripe_fake, engine, tmp_path) -> None:
    body, reason = MALFORMED["a JSON list"]
    saved = tmp_path / "event.json"
    saved.write_bytes(body)
    result = cli("webhooks", "handle", str(saved), "--signature", _sign(body, int(time.time())))
    assert result.exit_code == 22 and reason in result.output and "Traceback" not in result.output
    assert _events(engine, "rejected") == 1


# ----- the HTTP edge ----------------------------------------------------------------------------------


@SERVER_BACKEND
def test_an_oversized_body_is_refused_before_it_is_read(stripe_fake, engine, webhook_server) -> None:
    response = httpx.post(webhook(webhook_server), content=b"x" * (1024 * 1024 + 1),
                          headers={"Stripe-Signature": "t=1,v1=00"})
    assert response.status_code == 413 and response.json()["type"] == problems.TYPE_PREFIX + "content-too-large"
    assert _events(engine) == 0


@SERVER_BACKEND
@pytest.mark.parametrize("length", [b"abc", b"-5"])
def test_a_bad_content_length_is_answered_without_a_traceback(stripe_fake, engine, webhook_server, length) -> None:
    host, port = webhook_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"POST /v1/stripe/webhook HTTP/1.1\r\nHost: test\r\nContent-Length: " + length +
                           b"\r\nStripe-Signature: t=1,v1=00\r\n\r\n{}")
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400")
    assert httpx.get(f"{webhook_server.url}/healthz").status_code == 200  # and the server goes on
    assert "Traceback" not in webhook_server.output()


def test_stripe_unreachable_while_refetching_is_retried_later_not_lost(stripe_fake, engine, webhook_server) -> None:
    from patternlift_cli.db.models import Subscription

    session = _checked_out(stripe_fake)
    payload, signature = signed_event("checkout.session.completed", session, WEBHOOK_SECRET)
    stripe_fake.fail_next("GET", f"/v1/subscriptions/{session['subscription']}", status=500, times=3)
    status, body = deliver(webhook(webhook_server), payload, signature)
    assert status == 502 and body["type"] == problems.TYPE_PREFIX + "billing"
    assert _events(engine) == 0  # nothing recorded: Stripe's retry will be processed
    assert deliver(webhook(webhook_server), payload, signature)[1]["outcome"] == "processed"
    assert _row(engine, Subscription).status.value == "active"


# ----- processing, exactly once, in Stripe's current state -------------------------------------------------


def test_the_same_event_is_processed_once_even_when_delivered_twice_at_once(
        stripe_fake, engine, webhook_server) -> None:
    from patternlift_cli.db.models import Subscription

    url = webhook(webhook_server)
    session = _checked_out(stripe_fake)
    payload, signature = signed_event("checkout.session.completed", session, WEBHOOK_SECRET)
    assert deliver(url, payload, signature) == (200, {
        "outcome": "processed", "event_id": json.loads(payload)["id"], "event_type": "checkout.session.completed",
        "detail": ""})
    assert deliver(url, payload, signature)[1]["outcome"] == "duplicate"
    assert _row(engine, Subscription).status.value == "active"

    payload, signature = signed_event("customer.subscription.updated",
                                      stripe_fake.subscriptions[session["subscription"]], WEBHOOK_SECRET)
    assert sorted(_race([url, url], payload, signature)) == ["duplicate", "processed"]
    assert _events(engine) == 2


def _race(urls: list[str], payload: bytes, signature: str) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(len(urls))

    def one(url: str) -> None:
        barrier.wait()
        outcomes.append(deliver(url, payload, signature)[1]["outcome"])

    threads = [threading.Thread(target=one, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_forty_deliveries_at_once_are_all_answered(stripe_fake, engine, webhook_server) -> None:
    """The old listener's backlog of 5 reset a quarter of 20-40 concurrent deliveries."""
    deliveries = [signed_event("customer.created", {"id": f"cus_{index}"}, WEBHOOK_SECRET) for index in range(40)]
    answers: list[int] = []
    barrier = threading.Barrier(len(deliveries))

    def one(payload: bytes, signature: str) -> None:
        barrier.wait()
        answers.append(deliver(webhook(webhook_server), payload, signature)[0])

    threads = [threading.Thread(target=one, args=delivery) for delivery in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 40 and _events(engine, "ignored") == 40


@pytest.mark.parametrize("backend", ["postgres"])
def test_exactly_once_across_two_replicas(stripe_fake, engine, database_url, tmp_path, backend) -> None:
    servers = start_replicas(tmp_path, server_env(database_url, stripe_fake, tmp_path), 2)
    try:
        session = _checked_out(stripe_fake)
        payload, signature = signed_event("checkout.session.completed", session, WEBHOOK_SECRET)
        outcomes = _race([webhook(servers[index % 2]) for index in range(12)], payload, signature)
        assert sorted(outcomes) == ["duplicate"] * 11 + ["processed"]
        assert _events(engine) == 1
        assert all("Traceback" not in server.output() for server in servers)
    finally:
        for server in servers:
            server.stop()


def test_updated_arriving_before_created_ends_in_stripes_current_state(stripe_fake, engine, webhook_server) -> None:
    from patternlift_cli.db.models import Subscription

    session = _checked_out(stripe_fake)
    subscription = stripe_fake.subscriptions[session["subscription"]]
    created_snapshot = dict(subscription)          # status active, as it was at creation
    stripe_fake.set_status(subscription["id"], "past_due")
    updated_snapshot = dict(stripe_fake.subscriptions[subscription["id"]])

    for event_type, snapshot in (("customer.subscription.updated", updated_snapshot),
                                 ("customer.subscription.created", created_snapshot)):
        payload, signature = signed_event(event_type, snapshot, WEBHOOK_SECRET)
        assert deliver(webhook(webhook_server), payload, signature)[1]["outcome"] == "processed"
    assert _row(engine, Subscription).status.value == "past_due"


def test_invoice_events_record_payments(stripe_fake, engine, webhook_server) -> None:
    from patternlift_cli.db.models import PaymentHistory, StripeWebhookEvent

    subscription_id = _subscribed(stripe_fake, engine)
    invoice = stripe_fake.fail_payment(subscription_id)
    payload, signature = signed_event("invoice.payment_failed", invoice, WEBHOOK_SECRET)
    assert deliver(webhook(webhook_server), payload, signature)[1]["outcome"] == "processed"
    with engine.begin() as connection:
        row = connection.execute(sa.select(PaymentHistory).where(PaymentHistory.stripe_invoice_id == invoice["id"])).one()
    assert row.status == "failed"
    payload, signature = signed_event("customer.created", {"id": "cus_x"}, WEBHOOK_SECRET)
    assert deliver(webhook(webhook_server), payload, signature)[1]["outcome"] == "ignored"
    with engine.begin() as connection:
        ignored = connection.execute(sa.select(StripeWebhookEvent).where(StripeWebhookEvent.event_type == "customer.created")).one()
    assert (ignored.outcome, ignored.detail) == ("ignored", "event type not used")


def test_webhooks_handle_processes_a_saved_event(stripe_fake, engine, tmp_path: Path) -> None:
    session = _checked_out(stripe_fake)
    payload, signature = signed_event("checkout.session.completed", session, WEBHOOK_SECRET)
    event_file = tmp_path / "event.json"
    event_file.write_bytes(payload)
    result = cli("webhooks", "handle", str(event_file), "--signature", signature, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["outcome"] == "processed"
    bad = cli("webhooks", "handle", str(event_file), "--signature", "t=1,v1=deadbeef")
    assert bad.exit_code == 22 and "Signature rejected" in bad.output
    assert cli("webhooks", "serve").exit_code == 2  # gone: Stripe delivers to `patternlift server`

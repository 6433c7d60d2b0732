"""A Stripe-shaped API on 127.0.0.1 for the billing tests, reached by the official SDK.

It keeps customers, checkout sessions, subscriptions and invoices in memory, answers the
endpoints PatternLift calls in Stripe's JSON shapes (2026 API: the period end on the
subscription item, an invoice's subscription under parent.subscription_details), honours
Idempotency-Key, and lets the test play Stripe's part: complete or expire a checkout, fail a
payment, end a billing period. `signed_event` builds webhook deliveries signed like Stripe's.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

PLAN_AMOUNT = 1200  # $12.00 a month, in cents
MONTH = 30 * 86400


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class FakeStripe:
    def __init__(self) -> None:
        self.customers: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._ids = itertools.count(1)
        self._idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self._failures: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
        self._lock = threading.RLock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeStripe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forget every object, request, key and injected failure (a fake shared by a module's tests)."""
        with self._lock:
            for store in (self.customers, self.sessions, self.subscriptions, self.invoices,
                          self._idempotent, self._failures):
                store.clear()
            self.requests.clear()

    def _id(self, prefix: str) -> str:
        return f"{prefix}_test{next(self._ids):04d}"

    # ----- playing Stripe's part -----------------------------------------------------------------

    def complete_checkout(self, session_id: str, *, now: int | None = None, paid: bool = True) -> dict[str, Any]:
        """The learner pays (or, `paid=False`, the first charge is declined: Stripe leaves the
        subscription `incomplete` with one open invoice, and expires it after 23 hours)."""
        with self._lock:
            now = now or int(time.time())
            session = self.sessions[session_id]
            subscription = {
                "id": self._id("sub"), "object": "subscription", "customer": session["customer"],
                "status": "active" if paid else "incomplete", "cancel_at_period_end": False,
                "canceled_at": None, "trial_end": None,
                "created": now,
                "items": {"object": "list", "data": [{
                    "id": self._id("si"), "object": "subscription_item",
                    "price": {"id": session["price"], "object": "price"},
                    "current_period_start": now, "current_period_end": now + MONTH,
                }]},
            }
            self.subscriptions[subscription["id"]] = subscription
            session.update(status="complete", subscription=subscription["id"])
            self.new_invoice(subscription["id"], paid=paid, now=now)
            return subscription

    def fail_next(self, method: str, path: str, *, status: int = 400, times: int = 1,
                  message: str = "Injected failure") -> None:
        """The next `times` calls of METHOD PATH answer this error (before idempotency)."""
        with self._lock:
            error = (status, _error("api_error" if status >= 500 else "invalid_request_error", message))
            self._failures.setdefault((method, path), []).extend([error] * times)

    def failures_left(self, method: str, path: str) -> int:
        """How many injected failures of METHOD PATH have not been answered yet."""
        with self._lock:
            return len(self._failures.get((method, path), []))

    def forget_idempotency_keys(self) -> None:
        """Stripe keeps an Idempotency-Key for 24 hours; this is the next day."""
        with self._lock:
            self._idempotent.clear()

    def expire_checkout(self, session_id: str) -> None:
        with self._lock:
            self.sessions[session_id]["status"] = "expired"

    def new_invoice(self, subscription_id: str, *, paid: bool, now: int | None = None) -> dict[str, Any]:
        with self._lock:
            now = now or int(time.time())
            subscription = self.subscriptions[subscription_id]
            item = subscription["items"]["data"][0]
            invoice = {
                "id": self._id("in"), "object": "invoice", "customer": subscription["customer"],
                "status": "paid" if paid else "open", "paid": paid, "attempt_count": 1,
                "amount_due": PLAN_AMOUNT, "amount_paid": PLAN_AMOUNT if paid else 0, "currency": "usd",
                "created": now, "hosted_invoice_url": f"https://invoice.stripe.test/{now}",
                "status_transitions": {"paid_at": now if paid else None},
                "parent": {"type": "subscription_details", "subscription_details": {"subscription": subscription_id}},
                # Stripe bills in advance: the line's period is the one paid for; the invoice's
                # own period_start/period_end are the previous period (here: the moment).
                "period_start": now, "period_end": now,
                "lines": {"object": "list", "has_more": False, "data": [{
                    "id": self._id("il"), "object": "line_item", "amount": PLAN_AMOUNT, "currency": "usd",
                    "period": {"start": item["current_period_start"], "end": item["current_period_end"]},
                }]},
            }
            self.invoices[invoice["id"]] = invoice
            return invoice

    def fail_payment(self, subscription_id: str) -> dict[str, Any]:
        """The renewal's charge is declined: an open invoice, the subscription past_due."""
        with self._lock:
            self.subscriptions[subscription_id]["status"] = "past_due"
            return self.new_invoice(subscription_id, paid=False)

    def give_up_retrying(self, subscription_id: str) -> None:
        """Smart retries exhausted with the setting 'mark the subscription unpaid'."""
        with self._lock:
            self.subscriptions[subscription_id]["status"] = "unpaid"
            for invoice in self.invoices.values():
                if invoice["status"] == "open":
                    invoice["status"] = "uncollectible"

    def end_period(self, subscription_id: str) -> None:
        with self._lock:
            subscription = self.subscriptions[subscription_id]
            if subscription["cancel_at_period_end"]:
                subscription.update(status="canceled", canceled_at=int(time.time()))

    def set_status(self, subscription_id: str, status: str) -> None:
        with self._lock:
            self.subscriptions[subscription_id]["status"] = status

    # ----- the API -------------------------------------------------------------------------------

    def _route(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        parts = [part for part in path.split("/") if part][1:]  # drop "v1"
        with self._lock:
            if method == "POST" and parts == ["customers"]:
                customer = {"id": self._id("cus"), "object": "customer", "email": params.get("email"),
                            "metadata": {k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")}}
                self.customers[customer["id"]] = customer
                return 200, customer
            if method == "GET" and parts == ["customers"]:  # newest first, as Stripe lists
                data = [c for c in reversed(self.customers.values())
                        if "email" not in params or c["email"] == params["email"]]
                return 200, {"object": "list", "data": data[: int(params.get("limit", 10))], "has_more": False}
            if method == "GET" and parts == ["customers", "search"]:
                match = re.fullmatch(r"(email|metadata\['(\w+)'\]):'([^']*)'", params.get("query", ""))
                if match is None:
                    return 400, _error("invalid_request_error", "this fake searches one email:'..' or metadata['k']:'..'")
                field, key, value = match.groups()
                data = [c for c in reversed(self.customers.values())
                        if (c["metadata"].get(key) if key else c["email"]) == value]
                return 200, {"object": "search_result", "data": data, "has_more": False, "next_page": None}
            if method == "POST" and parts == ["checkout", "sessions"]:
                if params.get("mode") != "subscription" or params.get("customer") not in self.customers:
                    return 400, _error("invalid_request_error", "mode must be subscription with a known customer")
                session_id = self._id("cs")
                session = {"id": session_id, "object": "checkout.session", "mode": "subscription",
                           "status": "open", "customer": params["customer"],
                           "client_reference_id": params.get("client_reference_id"),
                           "price": params.get("line_items[0][price]"), "subscription": None,
                           "url": f"https://checkout.stripe.test/c/pay/{session_id}"}
                self.sessions[session_id] = session
                return 200, session
            if method == "GET" and parts[:2] == ["checkout", "sessions"] and len(parts) == 3:
                return self._get(self.sessions, parts[2])
            if parts and parts[0] == "subscriptions":
                if method == "GET" and len(parts) == 1:
                    # Stripe lists newest first.
                    data = [s for s in reversed(self.subscriptions.values()) if s["customer"] == params.get("customer")]
                    return 200, {"object": "list", "data": data[: int(params.get("limit", 10))], "has_more": False}
                if method == "GET" and len(parts) == 2:
                    return self._get(self.subscriptions, parts[1])
                if method == "POST" and len(parts) == 2 and parts[1] in self.subscriptions:
                    subscription = self.subscriptions[parts[1]]
                    if "cancel_at_period_end" in params:
                        subscription["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
                    return 200, subscription
            if parts and parts[0] == "invoices":
                if method == "GET" and len(parts) == 1:
                    data = [i for i in reversed(self.invoices.values()) if i["customer"] == params.get("customer")]
                    return 200, {"object": "list", "data": data, "has_more": False}
                if method == "GET" and len(parts) == 2:
                    return self._get(self.invoices, parts[1])
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method} {path})")

    @staticmethod
    def _get(store: dict[str, dict[str, Any]], key: str) -> tuple[int, dict[str, Any]]:
        if key in store:
            return 200, store[key]
        return 404, _error("invalid_request_error", f"No such object: '{key}'", code="resource_missing")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self, method: str) -> None:
                url = urlsplit(self.path)
                params = dict(parse_qsl(url.query))
                if method == "POST":
                    length = int(self.headers.get("Content-Length") or 0)
                    params.update(parse_qsl(self.rfile.read(length).decode()))
                fake.requests.append((method, url.path, params))
                if not self.headers.get("Authorization", "").startswith("Bearer sk_test_"):
                    status, body = 401, _error("invalid_request_error", "Invalid API Key provided")
                else:
                    key = self.headers.get("Idempotency-Key") if method == "POST" else None
                    with fake._lock:
                        failures = fake._failures.get((method, url.path))
                        if failures:
                            status, body = failures.pop(0)
                        elif key and key in fake._idempotent:
                            status, body = fake._idempotent[key]
                        else:
                            status, body = fake._route(method, url.path, params)
                            if key:
                                fake._idempotent[key] = (status, body)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_fake")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

        return Handler


def _error(kind: str, message: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, **({"code": code} if code else {})}}


def signed_event(event_type: str, obj: dict[str, Any], secret: str, *, timestamp: int | None = None,
                 event_id: str | None = None) -> tuple[bytes, str]:
    """A webhook delivery as Stripe sends it: the raw body and its Stripe-Signature header."""
    timestamp = timestamp or int(time.time())
    event = {"id": event_id or f"evt_{uuid.uuid4().hex[:20]}",
             "object": "event", "type": event_type, "created": timestamp, "livemode": False,
             "api_version": "2026-10-28.endive", "data": {"object": obj}}
    payload = json.dumps(event).encode()
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={timestamp},v1={digest}"

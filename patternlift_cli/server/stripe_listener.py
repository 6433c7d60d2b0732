"""`webhooks serve`'s HTTP endpoint: POST the raw event with its Stripe-Signature header.

A thin transport over services.webhooks.handle_webhook (the server's route replaces it).
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from patternlift_cli.db.unit import Database
from patternlift_cli.errors import BillingError, WebhookVerificationError

MAX_BODY_BYTES = 1 << 20


def make_server(db: Database, host: str, port: int) -> ThreadingHTTPServer:
    """A small HTTP endpoint: POST the raw event with its Stripe-Signature header."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            import sys

            sys.stderr.write(f"{self.address_string()} {format % args}\n")

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                return self._reply(413, {"error": "payload too large"})
            payload = self.rfile.read(length)
            from patternlift_cli.services.webhooks import handle_webhook

            try:
                result = handle_webhook(db, payload, self.headers.get("Stripe-Signature"))
            except WebhookVerificationError as error:
                return self._reply(400, {"error": error.message})
            except BillingError as error:  # Stripe unreachable, misconfigured: let Stripe retry later
                return self._reply(500, {"error": error.message})
            except Exception as error:  # noqa: BLE001 - a 500 makes Stripe retry; nothing was stored
                return self._reply(500, {"error": type(error).__name__})
            self._reply(result.status_code, result.to_dict())

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server

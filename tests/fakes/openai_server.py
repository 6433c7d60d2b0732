"""An OpenAI-compatible Chat Completions server on 127.0.0.1 for the tutor tests.

It speaks the streaming wire format the official SDK reads (server-sent events, a final usage
chunk when `stream_options.include_usage` is set) and can be told, request by request, to
misbehave: 400, 429 with Retry-After, 500, a slow start past the client's timeout, a stream cut
before its usage chunk, a malformed chunk, a stream that hangs until the client is killed, a
usage report of zero, or one far past the request's `max_completion_tokens` ("overrun").
Otherwise replies never exceed `max_completion_tokens`, as a real provider's don't.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPLY_WORDS = "Look at what your loop does when the two pointers meet in the middle .".split()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the concurrency tests open 64 connections at once

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that gave up is not news
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class FakeOpenAI:
    def __init__(self, *, chunk_delay: float = 0.0) -> None:
        self.behaviours: deque[str] = deque()
        self.default = "ok"
        self.chunk_delay = chunk_delay
        self.requests: list[dict[str, Any]] = []
        self.authorizations: list[str] = []  # each request's Authorization header: whose key paid
        self.started = threading.Event()  # set when a "hang" stream has begun
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *behaviours: str) -> None:
        self.behaviours.extend(behaviours)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any]) -> str:
        with self._lock:
            self.requests.append(body)
            return self.behaviours.popleft() if self.behaviours else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/v1/chat/completions" or not self.headers.get("Authorization", "").startswith("Bearer "):
                    return self._json(404, {"error": {"message": "not found"}})
                fake.authorizations.append(self.headers.get("Authorization", ""))
                behaviour = fake._next(body)
                if behaviour == "429":
                    return self._json(429, {"error": {"message": "Rate limit reached", "type": "rate_limit"}},
                                      {"Retry-After": "0"})
                if behaviour == "400":  # a request the provider will never accept, however often sent
                    return self._json(400, {"error": {"message": "Unsupported value: 'temperature'",
                                                      "type": "invalid_request_error"}})
                if behaviour == "500":
                    return self._json(500, {"error": {"message": "upstream failure", "type": "server_error"}})
                if behaviour == "slow":
                    time.sleep(3)
                    return self._json(500, {"error": {"message": "too late"}})
                try:
                    self._stream(body, behaviour)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away mid-stream, as some tests make it do

            def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _event(self, payload: dict[str, Any] | str) -> None:
                data = payload if isinstance(payload, str) else json.dumps(payload)
                self.wfile.write(f"data: {data}\n\n".encode())
                self.wfile.flush()

            def _stream(self, body: dict[str, Any], behaviour: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                limit = int(body.get("max_completion_tokens") or 16)
                words = REPLY_WORDS[: max(1, min(len(REPLY_WORDS), limit))]
                base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": body.get("model", "?")}
                if behaviour == "malformed":
                    self._event("{this is not json")
                    return
                for index, word in enumerate(words):
                    if behaviour == "cut" and index == 3:
                        return  # the connection closes before any usage chunk
                    if behaviour == "hang" and index == 1:
                        fake.started.set()
                        time.sleep(60)
                        return
                    text = word if index == 0 else " " + word
                    self._event({**base, "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]})
                    if fake.chunk_delay:
                        time.sleep(fake.chunk_delay)
                self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                if (body.get("stream_options") or {}).get("include_usage"):
                    prompt_bytes = sum(len(str(m.get("content", "")).encode()) for m in body.get("messages", []))
                    usage = {"prompt_tokens": prompt_bytes // 4 + 7, "completion_tokens": len(words),
                             "total_tokens": prompt_bytes // 4 + 7 + len(words)}
                    if behaviour == "overrun":  # a server that ignores max_completion_tokens
                        usage["completion_tokens"] = limit * 50
                    if behaviour == "zero-usage":
                        usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
                    self._event({**base, "choices": [], "usage": usage})
                self._event("[DONE]")

        return Handler

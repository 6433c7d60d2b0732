"""Bad input gets a problem object from the server and one line from the client.

Server side against the running uvicorn replicas; client side also against small local HTTP
servers that misbehave on purpose (HTML pages, 503s, nothing listening).
"""

from __future__ import annotations

import json
import select
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from patternlift_cli import errors
from patternlift_cli.ports import problems
from patternlift_cli.remote import auth
from patternlift_cli.remote.client import ServerClient, raise_for_problem
from tests.server_support import Platform, free_port

PROBLEM_JSON = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["type"] == problems.TYPE_PREFIX + slug and body["status"] == status
    assert body["title"] and body["detail"] and "\n" not in body["detail"]
    return body


# ----- the server answers every bad request with a problem object ------------------------------


def test_malformed_json_is_a_400_problem(platform: Platform) -> None:
    response = httpx.post(
        f"{platform.url}/v1/auth/token", content=b'{"email": "a@b.co", "code": ', headers={"Content-Type": "application/json"}
    )
    body = assert_problem(response, 400, "invalid-json")
    assert "not valid JSON" in body["detail"]
    with pytest.raises(errors.UsageError, match="not valid JSON"):
        raise_for_problem(response)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": 42, "code": "123456"}, "email"),
        ({"email": "a@b.co"}, "code"),
        ({"email": "a@b.co", "code": "1", "is_admin": True}, "is_admin"),
        (["a@b.co", "123456"], "body"),
    ],
)
def test_wrong_types_are_a_422_problem_naming_the_field(platform: Platform, payload: object, field: str) -> None:
    response = httpx.post(f"{platform.url}/v1/auth/token", json=payload)
    body = assert_problem(response, 422, "invalid-request")
    assert body["detail"].startswith(f"{field}: ") and body["errors"][0]["field"] == field


def test_a_body_that_is_not_json_is_a_422_problem(platform: Platform) -> None:
    response = httpx.post(f"{platform.url}/v1/auth/token", content=b"email=a@b.co", headers={"Content-Type": "text/plain"})
    assert_problem(response, 422, "invalid-request")


def test_unknown_routes_and_wrong_methods_are_problems(platform: Platform) -> None:
    body = assert_problem(httpx.get(f"{platform.url}/v1/nothing-here"), 404, "not-found")
    assert body["detail"] == "No such endpoint: GET /v1/nothing-here"
    response = httpx.put(f"{platform.url}/v1/auth/email-code", json={})
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "POST"


def test_a_declared_oversized_body_is_refused_before_it_is_read(platform: Platform) -> None:
    response = httpx.post(
        f"{platform.url}/v1/auth/email-code", content=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "application/json"}
    )
    body = assert_problem(response, 413, "content-too-large")
    assert "1048576 bytes" in body["detail"]


def test_a_streamed_oversized_body_is_refused_while_it_streams(platform: Platform) -> None:
    """A chunked body with no length that never ends: a server that read the whole body before
    judging it would never answer. This one answers 413 once the limit is passed."""
    host, port = platform.url.removeprefix("http://").split(":")
    chunk = b"x" * 65536
    sent, most = 0, 64 * 1024 * 1024
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /v1/auth/email-code HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        while sent < most and not select.select([connection], [], [], 0)[0]:
            try:
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        # The terminating chunk is never sent: the body has not ended when the answer comes.
        answer = b""
        while not answer.rstrip().endswith(b"}"):
            data = connection.recv(65536)
            if not data:
                break
            answer += data
    head, _, content = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert json.loads(content[content.index(b"{"):])["type"] == problems.TYPE_PREFIX + "content-too-large"
    assert sent < most


@pytest.mark.parametrize(
    ("header", "rfc6750_error"),
    [
        (None, None),
        ("Basic YWxpY2U6c2VjcmV0", "invalid_request"),
        ("Bearer", "invalid_request"),
        ("Bearer two words", "invalid_request"),
        ("Bearer plt_not-a-real-token", "invalid_token"),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "invalid_token"),
    ],
)
def test_missing_or_malformed_authorization_is_a_401_with_a_challenge(
    platform: Platform, header: str | None, rfc6750_error: str | None
) -> None:
    response = httpx.get(f"{platform.url}/v1/me", headers={"Authorization": header} if header else {})
    assert_problem(response, 401, "not-signed-in")
    expected = 'Bearer realm="patternlift"' + (f', error="{rfc6750_error}"' if rfc6750_error else "")
    assert response.headers["www-authenticate"] == expected
    with pytest.raises(errors.NotLoggedInError) as refused:
        raise_for_problem(response)
    assert refused.value.exit_code == 5


@pytest.mark.parametrize("kind", problems.ERROR_KINDS, ids=lambda kind: kind.error.__name__)
def test_every_error_comes_back_as_the_same_exception(platform: Platform, kind: problems.ProblemKind) -> None:
    name = kind.error.__name__
    response = httpx.post(f"{platform.url}/test/raise/{name}")
    assert_problem(response, kind.status, kind.slug)
    with pytest.raises(kind.error) as raised:
        raise_for_problem(response)
    error = raised.value
    assert type(error) is kind.error
    if kind.error is errors.UnknownPatternError:
        expected = errors.UnknownPatternError("two-pointer", ["two-pointers"])
        assert error.suggestions == ["two-pointers"]
    elif kind.error is errors.RateLimitedError:
        expected = errors.RateLimitedError("Slow down.", hint="Try again in 2 minutes.", retry_after_seconds=90)
        assert error.retry_after_seconds == 90 and response.headers["retry-after"] == "90"
    else:
        expected = kind.error(f"{name} raised on purpose.", hint="A hint line.")
    assert (str(error), error.exit_code) == (str(expected), expected.exit_code)


# ----- the client: one line for a server that is not (our) server -------------------------------


@pytest.mark.parametrize("url", ["ftp://example.com", "localhost:8000", "example.com", "", "file:///etc/passwd"])
def test_a_server_url_that_is_not_http_is_a_config_error(home, url: str) -> None:
    with pytest.raises(errors.ConfigError, match="is not a server address: it must be an http") as refused:
        auth.me(url, "plt_token")
    assert refused.value.exit_code == 3 and "\n" not in str(refused.value).split("\n")[0]


class Scripted:
    """A local HTTP server that answers from a script and records what it was sent."""

    def __init__(self, answers: list[tuple[int, str, bytes]]) -> None:
        self.answers = answers
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                scripted.requests.append((self.command, self.path, dict(self.headers)))
                status, media, body = scripted.answers[min(len(scripted.requests), len(scripted.answers)) - 1]
                self.send_response(status)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _answer  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()


@pytest.fixture
def scripted(home) -> Iterator[callable]:
    started: list[Scripted] = []

    def start(*answers: tuple[int, str, bytes]) -> Scripted:
        server = Scripted(list(answers))
        started.append(server)
        return server

    yield start
    for server in started:
        server.http.shutdown()
        server.http.server_close()


HTML = (200, "text/html; charset=utf-8", b"<!doctype html><html><body>Welcome to nginx!</body></html>")
BUSY = (503, "text/html", b"<html>503 Service Temporarily Unavailable</html>")
ME = {
    "id": "00000000-0000-0000-0000-000000000001", "email": "a@b.co", "full_name": None, "signed_in_via": "email-code",
    "token_expires_at": None, "plan": "basic", "status": "trial", "trial_ends_at": None, "trial_days_left": 14,
    "ai_limit_usd": "3.00", "ai_spent_this_month_usd": "0.000000", "ai_allowed": True, "ai_access": "trial",
}
OK_ME = (200, "application/json", json.dumps(ME).encode())


def test_a_server_that_answers_html_is_one_line_naming_it(scripted) -> None:
    server = scripted(HTML)
    with pytest.raises(errors.BadServerResponseError) as refused:
        auth.me(server.url, "plt_token")
    assert refused.value.message == (
        f"The server at {server.url} answered HTTP 200 with an HTML page, not the PatternLift API."
    )
    assert refused.value.exit_code == 8


def test_an_unreachable_server_is_one_line_naming_it(home) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(errors.ServerUnreachableError, match=f"Cannot reach the PatternLift server at {url}") as refused:
        auth.me(url, "plt_token")
    assert refused.value.exit_code == 8 and "\n" not in refused.value.message


def test_reads_are_retried_through_503s_and_writes_are_not(scripted) -> None:
    server = scripted(BUSY, BUSY, OK_ME)
    assert auth.me(server.url, "plt_token").email == "a@b.co"
    assert [request[0] for request in server.requests] == ["GET"] * 3

    once = scripted(BUSY, OK_ME)
    with pytest.raises(errors.BadServerResponseError, match="HTTP 503"):
        auth.request_code(once.url, "a@b.co")
    assert len(once.requests) == 1  # a second request would mail a second code


def test_every_write_carries_one_idempotency_key_across_its_retries(scripted) -> None:
    server = scripted(BUSY, BUSY, (204, "application/json", b""))
    auth.revoke(server.url, "plt_token")
    keys = [headers.get("Idempotency-Key") for _, _, headers in server.requests]
    assert len(keys) == 3 and keys[0] and len(set(keys)) == 1
    assert all(headers["Authorization"] == "Bearer plt_token" for _, _, headers in server.requests)

    with ServerClient(server.url, max_attempts=1) as client:
        first = client.request("POST", "/x", json={}, idempotent=False)
        second = client.request("POST", "/x", json={}, idempotent=False, idempotency_key="answer-17")
    assert first.status_code == second.status_code == 204
    new_keys = [headers.get("Idempotency-Key") for _, _, headers in server.requests[3:]]
    assert new_keys[0] not in keys and new_keys[1] == "answer-17"


def test_json_the_client_does_not_understand_says_to_upgrade(scripted) -> None:
    server = scripted((200, "application/json", b'{"id": 1}'))
    with pytest.raises(errors.BadServerResponseError, match="one of the two needs upgrading"):
        auth.me(server.url, "plt_token")

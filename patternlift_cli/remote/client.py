"""The HTTP client every connected-mode call goes through.

- The server URL must be http(s): anything else is a ConfigError, one line.
- Timeouts on every request (PATTERNLIFT_SERVER_TIMEOUT_SECONDS).
- Retries (PATTERNLIFT_SERVER_MAX_ATTEMPTS, with backoff) only for requests that are safe to
  repeat: GET/HEAD/OPTIONS/PUT/DELETE, and writes the caller marks `idempotent=True` because
  the route honours Idempotency-Key. Retried: no connection, a timeout, 502/503/504, and 409
  "still in progress" for a key.
- Every write (POST/PUT/PATCH/DELETE) carries an Idempotency-Key, the same one on each retry;
  pass `idempotency_key=` to reuse a key across runs (an answer kept locally and resent).
- A problem object becomes the PatternLiftError the server raised (`raise_for_problem`); a
  server that cannot be reached, or answers HTML or anything else that is not our API, is one
  line naming the server.
"""

from __future__ import annotations

import time
import uuid
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from patternlift_cli import __version__
from patternlift_cli.errors import BadServerResponseError, ServerUnreachableError
from patternlift_cli.ports import problems
from patternlift_cli.remote.address import normalize_server_url

ModelT = TypeVar("ModelT", bound=BaseModel)

SAFE_TO_REPEAT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES = frozenset({502, 503, 504})
IN_PROGRESS = problems.http_kind("idempotency-in-progress").type
MAX_BACKOFF_SECONDS = 4.0


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _is_json(response: httpx.Response) -> bool:
    media = _media_type(response)
    return media == "application/json" or media.endswith("+json")


def _not_our_api(response: httpx.Response) -> BadServerResponseError:
    server = f"{response.request.url.scheme}://{response.request.url.netloc.decode()}"
    media = _media_type(response) or "no content type"
    what = "an HTML page" if "html" in media else f"'{media}'"
    return BadServerResponseError(
        f"The server at {server} answered HTTP {response.status_code} with {what}, not the PatternLift API.",
        hint="Check the address (PATTERNLIFT_SERVER_URL or `patternlift login --server`).",
    )


def raise_for_problem(response: httpx.Response) -> None:
    """Raise the PatternLiftError a failed response stands for; do nothing on success."""
    if response.is_success:
        return
    if not _is_json(response):
        raise _not_our_api(response)
    try:
        body = response.json()
    except ValueError:
        raise _not_our_api(response) from None
    if not isinstance(body, dict) or "type" not in body:
        raise _not_our_api(response)
    raise problems.error_from_problem(body, status=response.status_code)


class ServerClient:
    """One server, one optional bearer token; use as a context manager or call `close()`."""

    def __init__(
        self,
        server_url: str,
        *,
        token: str | None = None,
        timeout_seconds: float | None = None,
        max_attempts: int | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if timeout_seconds is None or max_attempts is None:
            from patternlift_cli.config import get_settings

            settings = get_settings()
            timeout_seconds = timeout_seconds or settings.server_timeout_seconds
            max_attempts = max_attempts or settings.server_max_attempts
        self.server_url = normalize_server_url(server_url)
        self.max_attempts = max_attempts
        self.timeout_seconds = timeout_seconds
        headers = {"User-Agent": f"patternlift/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.server_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 10.0)),
            transport=transport,
            follow_redirects=False,
        )

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ----- requests ------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        idempotent: bool | None = None,
        idempotency_key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send with retries where safe; returns a successful response or raises the problem."""
        method = method.upper()
        sent_headers = dict(headers or {})
        if method in WRITES:
            sent_headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        repeatable = method in SAFE_TO_REPEAT if idempotent is None else idempotent
        attempts = self.max_attempts if repeatable else 1
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                response = self._http.request(method, path, json=json, headers=sent_headers)
            except httpx.TimeoutException as error:
                if last:
                    raise ServerUnreachableError(
                        f"The PatternLift server at {self.server_url} did not answer within "
                        f"{self.timeout_seconds:g} s.",
                        hint="Try again later, or raise PATTERNLIFT_SERVER_TIMEOUT_SECONDS.",
                    ) from error
                self._pause(attempt, None)
                continue
            except httpx.TransportError as error:
                if last:
                    reason = str(error).strip() or type(error).__name__
                    raise ServerUnreachableError(
                        f"Cannot reach the PatternLift server at {self.server_url}: {reason}",
                        hint="Is it up? Check PATTERNLIFT_SERVER_URL or `patternlift login --server`.",
                    ) from error
                self._pause(attempt, None)
                continue
            if not last and self._worth_retrying(response):
                self._pause(attempt, response.headers.get("retry-after"))
                continue
            raise_for_problem(response)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def stream_once(self, method: str, path: str, *, json: Any = None,
                    headers: dict[str, str] | None = None) -> AbstractContextManager[httpx.Response]:
        """A streamed response, sent exactly once: for requests whose every attempt may be billed."""
        return self._http.stream(method.upper(), path, json=json, headers=headers)

    @staticmethod
    def _worth_retrying(response: httpx.Response) -> bool:
        if response.status_code in RETRY_STATUSES:
            return True
        if response.status_code == 409 and _is_json(response):
            try:
                return response.json().get("type") == IN_PROGRESS
            except (ValueError, AttributeError):
                return False
        return False

    @staticmethod
    def _pause(attempt: int, retry_after: str | None) -> None:
        delay = min(MAX_BACKOFF_SECONDS, 0.25 * 2 ** (attempt - 1))
        if retry_after and retry_after.strip().isdigit():
            delay = min(MAX_BACKOFF_SECONDS, max(delay, float(retry_after)))
        time.sleep(delay)

    def call(self, method: str, path: str, model: type[ModelT], **options: Any) -> ModelT:
        """A request whose JSON answer is parsed into `model` (the shared pydantic model)."""
        response = self.request(method, path, **options)
        if not _is_json(response):
            raise _not_our_api(response)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as error:
            raise BadServerResponseError(
                f"The server at {self.server_url} answered {method} {path} with data this client does "
                "not understand; one of the two needs upgrading.",
                hint=str(error.errors()[0].get("msg", "")) or None,
            ) from error

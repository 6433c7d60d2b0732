"""Every error the server answers is a problem object (RFC 9457), whatever raised it.

The table of types lives in `patternlift_cli.ports.problems`, shared with the client; this module
installs the handlers that render PatternLiftErrors, FastAPI's validation errors, Starlette's
404/405, and anything unexpected (a 500 that shows no internals).
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from patternlift_cli.errors import NotLoggedInError, PatternLiftError, RateLimitedError, TemporarilyUnavailableError
from patternlift_cli.ports import problems as catalogue

logger = logging.getLogger("patternlift.server")

BEARER_CHALLENGE = 'Bearer realm="patternlift"'
SIGN_IN_HINT = "Sign in with `patternlift login --server URL --email you@example.com`."

_STATUS_SLUGS = {
    404: "not-found",
    405: "method-not-allowed",
    413: "content-too-large",
    415: "unsupported-media-type",
}


class HTTPProblem(StarletteHTTPException):
    """An HTTP-level problem (not a use case's error): 409, 413, 422 ... with its own type.

    A Starlette HTTPException, so FastAPI passes it through untouched when it is raised while
    the body is being read (the body limit does that).
    """

    def __init__(
        self,
        slug: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        kind = catalogue.http_kind(slug)
        super().__init__(status_code=kind.status, detail=detail, headers=headers)
        self.slug = slug
        self.extensions = extensions


def unauthorized(message: str, *, error: str | None = None, hint: str = SIGN_IN_HINT) -> NotLoggedInError:
    """A 401 whose WWW-Authenticate names the RFC 6750 error (invalid_request, invalid_token)."""
    refusal = NotLoggedInError(message, hint=hint)
    refusal._challenge = BEARER_CHALLENGE + (f', error="{error}"' if error else "")  # type: ignore[attr-defined]
    return refusal


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
    return Response(
        content, status_code=int(body["status"]), headers=headers, media_type=catalogue.MEDIA_TYPE
    )


def error_response(error: PatternLiftError) -> Response:
    """The response a use case's error becomes (also stored by the idempotency layer)."""
    body = catalogue.problem_for_error(error)
    headers: dict[str, str] = {}
    if isinstance(error, NotLoggedInError) and body["status"] == 401:
        headers["WWW-Authenticate"] = getattr(error, "_challenge", None) or BEARER_CHALLENGE
    retry_after = getattr(error, "retry_after_seconds", None)
    if isinstance(error, RateLimitedError | TemporarilyUnavailableError) and retry_after is not None:
        headers["Retry-After"] = str(max(1, int(retry_after)))
    return problem_response(body, headers)


def internal_error_response() -> Response:
    return problem_response(
        catalogue.problem("internal", "The server failed on this request; the failure is logged.")
    )


def _describe_validation(errors: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    items = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        items.append({"field": location, "message": str(error.get("msg", "invalid"))})
    first = items[0] if items else {"field": "body", "message": "invalid"}
    more = f" (and {len(items) - 1} more)" if len(items) > 1 else ""
    return f"{first['field']}: {first['message']}{more}", items


async def _on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = list(error.errors())
    if any(item.get("type") == "json_invalid" for item in errors):
        reason = next(item for item in errors if item.get("type") == "json_invalid")
        position = reason.get("loc", ("body", "?"))[-1]
        cause = (reason.get("ctx") or {}).get("error", "JSON decode error")
        return problem_response(
            catalogue.problem("invalid-json", f"The body is not valid JSON ({cause} at character {position}).")
        )
    detail, items = _describe_validation(errors)
    return problem_response(catalogue.problem("invalid-request", detail, errors=items))


async def _on_problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPProblem)
    body = catalogue.problem(error.slug, str(error.detail), **error.extensions)
    return problem_response(body, error.headers)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP error"


async def _on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code
    if status == 404:
        detail = f"No such endpoint: {request.method} {request.url.path}"
    elif status == 405:
        allowed = (error.headers or {}).get("Allow", "")
        detail = f"{request.method} is not allowed on {request.url.path}" + (f" (allowed: {allowed})" if allowed else "")
    else:
        detail = str(error.detail or _phrase(status))
    slug = _STATUS_SLUGS.get(status)
    body = catalogue.problem(slug or "http", detail)
    if slug is None:
        body.update(status=status, title=_phrase(status))
    return problem_response(body, error.headers)


async def _on_patternlift_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, PatternLiftError)
    response = error_response(error)
    if response.status_code >= 500:
        logger.error("%s %s failed: %s", request.method, request.url.path, error.message)
    return response


async def _on_unexpected(request: Request, error: Exception) -> Response:
    logger.exception("%s %s raised", request.method, request.url.path, exc_info=error)
    return internal_error_response()


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPProblem, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(PatternLiftError, _on_patternlift_error)
    app.add_exception_handler(Exception, _on_unexpected)

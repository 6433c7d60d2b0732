"""Problem objects (RFC 9457): one table that maps every PatternLiftError to HTTP and back.

The server renders an error as ``{"type", "title", "status", "detail", ...}``; the client reads
the ``type`` and raises the very class the server raised, with the same message, hint and exit
code, so a learner sees the same one line in connected mode as in solo mode. Extra attributes of
an error (``retry_after_seconds``, an unknown pattern's ``suggestions``) travel as extension
members.

Problem types are URNs: stable identifiers that never pretend to be a web page to fetch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from patternlift_cli.domain import errors as e

TYPE_PREFIX = "urn:patternlift:problem:"
MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An error (RFC 9457); `type` names the PatternLift error it stands for (for OpenAPI)."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    hint: str | None = None


@dataclass(frozen=True)
class ProblemKind:
    slug: str
    status: int
    title: str
    error: type[e.PatternLiftError]

    @property
    def type(self) -> str:
        return TYPE_PREFIX + self.slug


# Every exception class has exactly one kind; a subclass not listed uses its nearest listed base.
ERROR_KINDS: tuple[ProblemKind, ...] = (
    ProblemKind("error", 400, "Request failed", e.PatternLiftError),
    ProblemKind("usage", 400, "Bad request", e.UsageError),
    ProblemKind("unknown-pattern", 404, "Unknown pattern", e.UnknownPatternError),
    ProblemKind("rate-limited", 429, "Too many attempts", e.RateLimitedError),
    ProblemKind("server-misconfigured", 503, "Server misconfigured", e.ConfigError),
    ProblemKind("storage", 503, "Storage unavailable", e.StorageError),
    ProblemKind("database-unreachable", 503, "Database unreachable", e.DatabaseUnreachableError),
    ProblemKind("database-file", 503, "Database file unusable", e.DatabaseFileError),
    ProblemKind("schema-out-of-date", 503, "Schema out of date", e.SchemaOutOfDateError),
    ProblemKind("not-signed-in", 401, "Not signed in", e.NotLoggedInError),
    ProblemKind("sign-in-code", 400, "Sign-in code refused", e.SignInCodeError),
    ProblemKind("content", 500, "Curriculum error", e.ContentError),
    ProblemKind("content-version", 409, "Curriculum versions differ", e.ContentVersionError),
    ProblemKind("refused", 409, "Refused by a learning rule", e.RefusedError),
    ProblemKind("stage-transition", 409, "Not in this stage", e.StageTransitionError),
    ProblemKind("server", 502, "Server failed", e.ServerError),
    ProblemKind("server-unreachable", 502, "Upstream server unreachable", e.ServerUnreachableError),
    ProblemKind("bad-server-response", 502, "Bad upstream response", e.BadServerResponseError),
    ProblemKind("temporarily-unavailable", 503, "Temporarily unavailable", e.TemporarilyUnavailableError),
    ProblemKind("ai", 502, "AI tutor failed", e.AIError),
    ProblemKind("ai-not-configured", 503, "AI tutor not configured", e.AINotConfiguredError),
    ProblemKind("budget-exceeded", 402, "Monthly AI budget reached", e.BudgetExceededError),
    ProblemKind("not-entitled", 402, "Plan does not include this", e.NotEntitledError),
    ProblemKind("unknown-model-price", 503, "Model price unknown", e.UnknownModelPriceError),
    ProblemKind("provider", 502, "AI provider failed", e.ProviderError),
    ProblemKind("billing", 502, "Billing failed", e.BillingError),
    ProblemKind("billing-not-configured", 503, "Billing not configured", e.BillingNotConfiguredError),
    ProblemKind("webhook-verification", 400, "Webhook not verified", e.WebhookVerificationError),
    ProblemKind("webhook-rejected", 400, "Webhook event rejected", e.WebhookRejectedError),
    ProblemKind("judge", 503, "Judge unavailable", e.JudgeError),
)

# Problems the HTTP layer raises before any use case runs; each reads back as a plain class.
HTTP_KINDS: tuple[ProblemKind, ...] = (
    ProblemKind("invalid-json", 400, "Malformed JSON", e.UsageError),
    ProblemKind("invalid-request", 422, "Invalid request", e.UsageError),
    ProblemKind("not-found", 404, "Not found", e.UsageError),
    ProblemKind("method-not-allowed", 405, "Method not allowed", e.UsageError),
    ProblemKind("content-too-large", 413, "Content too large", e.UsageError),
    ProblemKind("unsupported-media-type", 415, "Unsupported media type", e.UsageError),
    ProblemKind("idempotency-key-reused", 422, "Idempotency key reused", e.UsageError),
    ProblemKind("idempotency-in-progress", 409, "Request still in progress", e.UsageError),
    ProblemKind("http", 400, "HTTP error", e.UsageError),
    ProblemKind("internal", 500, "Internal server error", e.BadServerResponseError),
)

_BY_CLASS = {kind.error: kind for kind in ERROR_KINDS}
_BY_TYPE = {kind.type: kind for kind in ERROR_KINDS + HTTP_KINDS}
_BY_SLUG = {kind.slug: kind for kind in HTTP_KINDS}
_RESERVED = {"type", "title", "status", "detail", "instance", "hint"}


def kind_for_error(error: e.PatternLiftError) -> ProblemKind:
    for cls in type(error).__mro__:
        kind = _BY_CLASS.get(cls)  # type: ignore[arg-type]
        if kind is not None:
            return kind
    raise AssertionError("PatternLiftError itself has a kind")  # pragma: no cover


def http_kind(slug: str) -> ProblemKind:
    return _BY_SLUG[slug]


def kind_for_type(type_uri: str) -> ProblemKind | None:
    return _BY_TYPE.get(type_uri)


def _extensions(error: e.PatternLiftError) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for name, value in vars(error).items():
        if name.startswith("_") or name in _RESERVED or name == "message":
            continue
        if value is None or isinstance(value, str | int | float | bool) or (
            isinstance(value, list | tuple) and all(isinstance(item, str | int) for item in value)
        ):
            extra[name] = list(value) if isinstance(value, tuple) else value
    return extra


def problem_for_error(error: e.PatternLiftError) -> dict[str, Any]:
    kind = kind_for_error(error)
    body: dict[str, Any] = {
        "type": kind.type,
        "title": kind.title,
        "status": kind.status,
        "detail": error.message,
    }
    if error.hint:
        body["hint"] = error.hint
    body.update(_extensions(error))
    return body


def problem(slug: str, detail: str, **extensions: Any) -> dict[str, Any]:
    kind = http_kind(slug)
    return {"type": kind.type, "title": kind.title, "status": kind.status, "detail": detail, **extensions}


def error_from_problem(body: dict[str, Any], *, status: int) -> e.PatternLiftError:
    """The exception a problem object stands for; unknown types fall back on the status."""
    kind = kind_for_type(str(body.get("type", "")))
    detail = body.get("detail")
    message = detail if isinstance(detail, str) and detail else str(body.get("title") or f"HTTP {status}")
    hint = body.get("hint") if isinstance(body.get("hint"), str) else None
    if kind is None:
        cls: type[e.PatternLiftError] = e.BadServerResponseError if status >= 500 else e.UsageError
        if status == 401:
            cls = e.NotLoggedInError
    else:
        cls = kind.error
    # Rebuild without calling a subclass's own __init__ (UnknownPatternError composes its
    # message from parts): the server already did, and the text must come back unchanged.
    error = cls.__new__(cls)
    e.PatternLiftError.__init__(error, message, hint=hint)
    if kind is not None and kind in ERROR_KINDS:
        for name, value in body.items():
            if name not in _RESERVED and name.isidentifier():
                setattr(error, name, value)
    return error


"""One streamed Chat Completions attempt through the official OpenAI SDK.

The SDK's own retries are off (`max_retries=0`): every attempt can be billed, so the tutor
service reserves budget for each one and retries here are its decision, not the SDK's.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openai import OpenAI


@dataclass(frozen=True)
class StreamResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int


class AttemptFailed(Exception):
    """An attempt that ended without a usage report.

    `started` says whether the provider accepted the request (HTTP 200, stream open): from then
    on tokens may be billed, so the caller settles on a conservative estimate; before it, the
    call cost nothing and the caller releases the reservation.
    """

    def __init__(self, reason: str, *, retryable: bool, started: bool, text: str = "",
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.started = started
        self.text = text
        self.retry_after = retry_after


@functools.lru_cache(maxsize=8)
def make_client(*, api_key: str, base_url: str | None, timeout_seconds: float) -> OpenAI:
    """One client per process for each key, endpoint and timeout. Each new one loads the CA bundle
    into a new TLS context (~20-60 ms of CPU), and the server makes a reply per request; a client
    is safe to share between threads and keeps its connections open for the next reply."""
    from openai import OpenAI, Timeout

    return OpenAI(
        api_key=api_key,
        base_url=base_url,
        max_retries=0,
        timeout=Timeout(timeout_seconds, connect=min(timeout_seconds, 10.0)),
    )


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                return None
    return None


@dataclass
class AttemptState:
    """Shared with the caller, so it knows whether billing may have begun whatever ends the
    attempt (a provider error, Ctrl-C, a closed pipe)."""

    started: bool = False


class OutputFailed(Exception):
    """Writing the reply out failed (a closed pipe, an unencodable character): not the provider's fault."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


def stream_chat(
    client: OpenAI,
    *,
    model: str,
    messages: list[dict[str, str]],
    max_completion_tokens: int,
    on_text: Callable[[str], None] | None,
    deadline: float,
    state: AttemptState,
) -> StreamResult:
    """Stream one reply, passing text to `on_text` as it arrives; raise AttemptFailed otherwise.

    `deadline` (time.monotonic()) ends the stream early enough that, even after one more
    read timeout, it is over before its reservation expires.
    """
    import openai

    pieces: list[str] = []
    usage: Any = None
    try:
        stream = client.chat.completions.create(
            model=model,
            messages=messages,  # type: ignore[arg-type]
            max_completion_tokens=max_completion_tokens,
            stream=True,
            stream_options={"include_usage": True},
        )
        state.started = True
        with stream:
            for chunk in stream:
                if chunk.usage is not None:
                    usage = chunk.usage
                for choice in chunk.choices or ():
                    text = choice.delta.content if choice.delta is not None else None
                    if text:
                        pieces.append(text)
                        if on_text is not None:
                            try:
                                on_text(text)
                            except Exception as error:
                                raise OutputFailed(error) from error
                if time.monotonic() > deadline:
                    raise AttemptFailed("the reply took longer than its reservation allows",
                                        retryable=False, started=True, text="".join(pieces))
    except (AttemptFailed, OutputFailed):
        raise
    except openai.APIStatusError as error:
        status = error.status_code
        raise AttemptFailed(f"HTTP {status}: {_provider_message(error)}", retryable=status == 429 or status >= 500,
                            started=state.started, text="".join(pieces),
                            retry_after=_retry_after(error.response)) from error
    except openai.APITimeoutError as error:
        raise AttemptFailed("the endpoint timed out", retryable=not state.started, started=state.started,
                            text="".join(pieces)) from error
    except openai.APIConnectionError as error:
        raise AttemptFailed(f"could not reach the endpoint ({_short(error)})", retryable=not state.started,
                            started=state.started, text="".join(pieces)) from error
    except (openai.OpenAIError, ValueError, KeyError, TypeError, AttributeError) as error:
        # Malformed JSON or an unexpected shape after the provider accepted the request.
        raise AttemptFailed(f"malformed response ({_short(error)})", retryable=False, started=state.started,
                            text="".join(pieces)) from error
    if usage is None:
        raise AttemptFailed("the stream ended before its usage report", retryable=False, started=True,
                            text="".join(pieces))
    prompt_tokens = int(usage.prompt_tokens or 0)
    completion_tokens = int(usage.completion_tokens or 0)
    if prompt_tokens <= 0 or completion_tokens < 0:
        # A reply is never free to produce; a zero count is a broken report, not a discount.
        raise AttemptFailed("the usage report is implausible (no prompt tokens)", retryable=False, started=True,
                            text="".join(pieces))
    details = getattr(usage, "prompt_tokens_details", None)
    return StreamResult(
        text="".join(pieces),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        cached_tokens=int(getattr(details, "cached_tokens", 0) or 0),
    )


def _provider_message(error: Any) -> str:
    """The provider's own words ("Unsupported value: ..."), without the SDK's "Error code: 400 - "."""
    body = getattr(error, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, str) and message.strip():
        return message.strip().splitlines()[0][:200]
    return _short(error)


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]

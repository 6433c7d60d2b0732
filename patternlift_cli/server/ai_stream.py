"""One tutor reply run for a request, in a thread the request cannot cancel, as server-sent events.

The reply (reserve, provider call, settle: services.tutor.tutor_reply) runs in its own
non-daemon thread. The request only listens to it: when the client goes away (Ctrl-C, kill -9,
a dropped network) Starlette cancels the response, not the thread, so the provider call still
ends and is recorded as the budget protocol says; a graceful shutdown of the replica waits for
the thread too. Only a killed replica leaves a reservation behind, and that is charged at its
worst case when it expires.

Events, in order:

    event: delta   data: {"text": "..."}                  (any number)
    event: done    data: ports.ai.ChatDone                 (money as 6-decimal strings)
    event: error   data: a problem object (RFC 9457)       (instead of done)

and `: keepalive` comments while the provider is silent, so the client's read timeout measures
a dead server, not a slow model.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from patternlift_cli.errors import PatternLiftError, ProviderError
from patternlift_cli.ports import problems as catalogue
from patternlift_cli.ports.ai import ChatDone

logger = logging.getLogger("patternlift.server")

# How long the response waits for the reply's first event before it starts streaming. A refusal
# (budget, entitlement, price, a provider that fails every attempt quickly) comes back within it
# as a plain problem response; anything later arrives as an `error` event.
FIRST_EVENT_WAIT_SECONDS = 5.0
KEEPALIVE_SECONDS = 5.0
MICRO = Decimal("0.000001")


@dataclass(frozen=True)
class Event:
    kind: str  # "delta", "done" or "error"
    data: Any  # the text, a ChatDone, or a PatternLiftError / None (an unexpected failure)


class ReplyChannel:
    """Events from the worker thread to the request's event loop; putting never raises."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.queue: asyncio.Queue[Event] = asyncio.Queue()

    def put(self, event: Event) -> None:
        # Called from the reply's streaming callback: an exception here would abort the provider
        # call, so a closed loop (the server is gone) only means nobody is listening any more.
        try:
            self._loop.call_soon_threadsafe(self.queue.put_nowait, event)
        except RuntimeError:
            pass


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(MICRO)


# Replies still running in this process, which a replica shutting down waits for.
_running: set[threading.Thread] = set()
_running_lock = threading.Lock()


def run_in_background(work: Callable[[Callable[[str], None]], ChatDone], channel: ReplyChannel) -> threading.Thread:
    """Start `work(on_text)` in a thread of its own; its text, result or error go to `channel`."""

    def run() -> None:
        try:
            done = work(lambda text: channel.put(Event("delta", text)))
        except PatternLiftError as error:
            channel.put(Event("error", error))
        except BaseException:  # a bug: logged here, a one-line 500 problem for the client
            logger.exception("POST /v1/ai/chat failed")
            channel.put(Event("error", None))
        else:
            channel.put(Event("done", done))
        finally:
            with _running_lock:
                _running.discard(threading.current_thread())

    thread = threading.Thread(target=run, name="ai-chat", daemon=False)
    with _running_lock:
        _running.add(thread)
    thread.start()
    return thread


def wait_for_replies(timeout: float) -> int:
    """Wait (at most `timeout` seconds) for every reply still running; returns how many there were.

    uvicorn ends a process by re-raising the SIGTERM it caught once the app has shut down, which
    does not wait for threads: the app's shutdown has to, or those replies would end unsettled
    (and be charged at their worst case on expiry).
    """
    deadline = time.monotonic() + timeout
    with _running_lock:
        running = list(_running)
    if running:
        logger.warning("waiting for %d AI replies to finish and settle before shutting down", len(running))
    for thread in running:
        thread.join(max(0.0, deadline - time.monotonic()))
    return len(running)


async def first_event(channel: ReplyChannel) -> Event | None:
    """The reply's first event, or None when it takes longer than FIRST_EVENT_WAIT_SECONDS."""
    try:
        return await asyncio.wait_for(channel.queue.get(), FIRST_EVENT_WAIT_SECONDS)
    except TimeoutError:
        return None


def problem_body(error: PatternLiftError | None) -> dict[str, Any]:
    if error is None:
        return catalogue.problem("internal", "The server failed on this request; the failure is logged.")
    return catalogue.problem_for_error(error)


def _sse(kind: str, data: dict[str, Any]) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"event: {kind}\ndata: {payload}\n\n".encode()


def encode(event: Event) -> bytes:
    if event.kind == "delta":
        return _sse("delta", {"text": event.data})
    if event.kind == "done":
        return _sse("done", event.data.model_dump(mode="json"))
    return _sse("error", problem_body(event.data))


async def event_stream(channel: ReplyChannel, first: Event | None, *, give_up_after: float) -> AsyncIterator[bytes]:
    """The response body: `first` (if any), then every event until done or error.

    The reply ends itself before its reservation expires; `give_up_after` (that expiry) only
    keeps a reply stuck in a bug from holding the client forever with keepalives.
    """
    if first is not None:
        yield encode(first)
        if first.kind != "delta":
            return
    give_up_at = time.monotonic() + give_up_after
    while True:
        try:
            event = await asyncio.wait_for(channel.queue.get(), KEEPALIVE_SECONDS)
        except TimeoutError:
            if time.monotonic() > give_up_at:
                logger.error("an AI reply outlived its reservation; the stream to the client is closed")
                yield encode(Event("error", ProviderError(
                    "The AI reply took longer than its reservation allows.",
                    hint="Whatever it used is recorded (see `patternlift usage`).")))
                return
            yield b": keepalive\n\n"
            continue
        yield encode(event)
        if event.kind != "delta":
            return

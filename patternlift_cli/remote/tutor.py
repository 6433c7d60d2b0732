"""`ports.ai.Tutor` in connected mode: the server asks its provider, within the learner's cap.

This machine holds no provider key and no price table: it sends the request and reads the
reply as server-sent events (`delta` text, then `done` with the cost, or `error` with a
problem object), calling `on_text` as each piece arrives. Whatever ends the stream on this
side (Ctrl-C, a closed pipe, a dropped network), the server finishes the call and records it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import httpx

from patternlift_cli.errors import BadServerResponseError, ServerUnreachableError
from patternlift_cli.ports import problems
from patternlift_cli.ports.ai import AIStatus, ChatDone, ChatRequest, Rating, TutorReply
from patternlift_cli.remote.client import ServerClient, raise_for_problem

T = TypeVar("T")


def server_sent_events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event, data) for each event in a text/event-stream; comments (keepalives) skipped."""
    kind, data = "message", []
    for line in lines:
        if not line:
            if data:
                yield kind, "\n".join(data)
            kind, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                kind = value
            elif field == "data":
                data.append(value)
    if data:
        yield kind, "\n".join(data)


def _understood(server: str, parse: Callable[[str], T], data: str) -> T:
    try:
        return parse(data)
    except (ValueError, KeyError, TypeError) as error:
        raise BadServerResponseError(
            f"The server at {server} sent an AI reply this client does not understand; "
            "one of the two needs upgrading.") from error


class RemoteTutor:
    def __init__(self, client: ServerClient) -> None:
        self.client = client

    def status(self) -> AIStatus:
        return self.client.call("GET", "/v1/ai/status", AIStatus)

    def reply(self, kind: str, *, pattern_id: str, session_id: uuid.UUID | None = None,
              question: str | None = None, problem_id: str | None = None, code: str | None = None,
              failing_case: Mapping[str, Any] | None = None,
              on_text: Callable[[str], None] | None = None) -> TutorReply:
        body = ChatRequest(
            kind=kind, pattern_id=pattern_id, session_id=session_id, question=question, problem_id=problem_id,
            code=code, failing_case=dict(failing_case) if failing_case is not None else None,
        ).model_dump(mode="json", exclude_none=True)
        server = self.client.server_url
        pieces: list[str] = []
        try:
            # Sent once, never retried: each attempt can be billed (the server retries the provider).
            with self.client.stream_once("POST", "/v1/ai/chat", json=body,
                                         headers={"Accept": "text/event-stream"}) as response:
                if not response.is_success:
                    response.read()
                    raise_for_problem(response)
                media = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if media != "text/event-stream":
                    raise BadServerResponseError(
                        f"The server at {server} answered the AI request with '{media or 'no content type'}', "
                        "not a stream of events; one of the two needs upgrading.")
                for event, data in server_sent_events(response.iter_lines()):
                    if event == "delta":
                        text = _understood(server, lambda raw: str(json.loads(raw)["text"]), data)
                        pieces.append(text)
                        if on_text is not None:
                            on_text(text)
                    elif event == "done":
                        done = _understood(server, ChatDone.model_validate_json, data)
                        return TutorReply(text="".join(pieces), **done.model_dump())
                    elif event == "error":
                        problem = _understood(server, lambda raw: dict(json.loads(raw)), data)
                        raise problems.error_from_problem(problem, status=int(problem.get("status") or 502))
        except httpx.TimeoutException as error:
            raise ServerUnreachableError(
                f"The PatternLift server at {server} went silent during the AI reply.",
                hint="The server still records what the reply cost: see `patternlift usage`.",
            ) from error
        except httpx.TransportError as error:
            reason = str(error).strip() or type(error).__name__
            raise ServerUnreachableError(
                f"The connection to the PatternLift server at {server} broke during the AI reply: {reason}",
                hint="The server still records what the reply cost: see `patternlift usage`.",
            ) from error
        raise ServerUnreachableError(
            f"The AI reply from the server at {server} ended before its cost was reported.",
            hint="The server still records what the reply cost: see `patternlift usage`.",
        )

    def rate(self, interaction_id: uuid.UUID, rating: int) -> None:
        # Setting a rating twice sets it once: safe to retry.
        self.client.request("POST", f"/v1/ai/interactions/{interaction_id}/rating",
                            json=Rating(rating=rating).model_dump(), idempotent=True)

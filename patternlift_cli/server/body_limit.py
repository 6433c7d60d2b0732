"""A request body limit enforced as the body streams in, answered with a problem object.

A declared Content-Length over the limit is refused before a byte is read; a chunked body is
counted chunk by chunk and refused the moment it passes the limit, so a client cannot make the
server buffer more than the limit. (FastAPI's own `max_body_size` answers in plain text from
outside the exception handlers, which would make this the one error that is not a problem
object.)
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from patternlift_cli.ports import problems as catalogue
from patternlift_cli.server.problems import HTTPProblem, problem_response


def _too_large(limit: int) -> str:
    return f"The request body is larger than this server accepts ({limit} bytes)."


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_bytes:
            response = problem_response(catalogue.problem("content-too-large", _too_large(self.max_bytes)))
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPProblem(
                        "content-too-large", _too_large(self.max_bytes), headers={"Connection": "close"}
                    )
            return message

        await self.app(scope, limited_receive, send)

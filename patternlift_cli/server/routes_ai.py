"""`/v1/ai/...`: the AI tutor on the platform's provider key, inside the learner's monthly cap.

The server holds the provider key (its environment or keyring, `config.get_secret("openai")`)
and the price table (genai-prices, PATTERNLIFT_AI_PRICE_OVERRIDES in its own settings); the
learner's machine sends only what it asks. The budget protocol runs for the learner the token
names, on the owner's connection (the learner role may not write spend), always filtered by
that learner's id; a hint's pending score is written as the learner, under row-level security.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from patternlift_cli.domain.budget import parse_month
from patternlift_cli.errors import (
    AINotConfiguredError,
    UnknownModelPriceError,
)
from patternlift_cli.ports.ai import (
    AIStatus,
    ChatDone,
    ChatRequest,
    Rating,
    UsageSummary,
)
from patternlift_cli.ports.problems import Problem
from patternlift_cli.server import ai_stream
from patternlift_cli.server.database import LearnerDatabase, RequestDatabase
from patternlift_cli.server.deps import CurrentLearner, LearnerDB, Now, OwnerDB
from patternlift_cli.server.problems import error_response, internal_error_response

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 401, 402, 409, 413, 422, 502, 503)
}
SERVER_TURN_ON = (
    "The AI tutor is off on this server: it has no AI provider key.",
    ("The server's operator sets one (OPENAI_API_KEY, or `patternlift config set-key openai` where "
     "the server runs). Learning without AI goes on."),
)

OPERATOR_PRICES = ("The price is set where the server runs, by its operator, not on your machine. "
                   "Learning without AI goes on.")

@asynccontextmanager
async def _finish_replies(app: FastAPI) -> AsyncIterator[None]:
    """On shutdown, replies still running are finished and settled before the process ends
    (each ends before its reservation expires, so that bounds the wait)."""
    yield
    await run_in_threadpool(ai_stream.wait_for_replies, app.state.settings.ai_reservation_ttl_seconds)


router = APIRouter(prefix="/v1/ai", tags=["ai"], responses=PROBLEMS, lifespan=_finish_replies)


def _require_provider() -> None:
    from patternlift_cli.services.tutor import ai_configured

    if not ai_configured():
        message, hint = SERVER_TURN_ON
        raise AINotConfiguredError(message, hint=hint)


@router.get("/status", response_model=AIStatus)
def status(learner: CurrentLearner, db: LearnerDB) -> AIStatus:
    """Whether the tutor answers this learner now (a provider key here, and a plan or trial)."""
    from patternlift_cli.services.tutor import LocalTutor, ai_configured

    if not ai_configured():
        return AIStatus(ready=False, message=SERVER_TURN_ON[0])
    return LocalTutor(db, learner.id, learning=None).status()


def _reply(body: ChatRequest, owner: RequestDatabase, learner_db: LearnerDatabase, clock: Any):  # type: ignore[no-untyped-def]
    """The work the background thread does: the reply, then a hint's pending score."""
    from patternlift_cli.services.learning import LocalLearning
    from patternlift_cli.services.tutor import tutor_reply

    learner_id = learner_db.learner.id

    def work(on_text):  # type: ignore[no-untyped-def]
        try:
            reply = tutor_reply(
                owner.engine, learner_id, body.kind, pattern_id=body.pattern_id, session_id=body.session_id,
                question=body.question, problem_id=body.problem_id, code=body.code, failing_case=body.failing_case,
                on_text=on_text, clock=clock,
            )
        except UnknownModelPriceError as refusal:
            # The price is the server's setting: the learner is told whose move it is (it is logged).
            ai_stream.logger.warning("AI call refused for want of a price: %s", refusal.message)
            raise UnknownModelPriceError(refusal.message, hint=OPERATOR_PRICES) from refusal
        if body.kind == "hint" and body.session_id is not None and body.problem_id is not None:
            # Scored by the learner's next run of this problem, as in solo mode.
            try:
                LocalLearning(learner_db, learner_id, clock=clock).await_hint_outcome(
                    body.session_id, body.problem_id, reply.interaction_id)
            except Exception:  # noqa: BLE001 -- the reply is paid for and recorded: deliver it all the same
                ai_stream.logger.exception("the AI hint %s could not be kept for scoring", reply.interaction_id)
        return ChatDone(
            interaction_id=reply.interaction_id, prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens, cost_usd=ai_stream.money(reply.cost_usd),
            month_total_usd=ai_stream.money(reply.month_total_usd), limit_usd=ai_stream.money(reply.limit_usd),
        )

    return work


@router.post(
    "/chat",
    response_class=StreamingResponse,
    responses={200: {"description": "Server-sent events: delta*, then done or error.",
                     "content": {"text/event-stream": {}}}},
)
async def chat(
    body: ChatRequest, request: Request, learner: CurrentLearner, owner: OwnerDB, learner_db: LearnerDB,
) -> Response:
    """One tutor reply (explain, hint, review, question), streamed as server-sent events.

    Refusals known before the reply starts (budget reached, no plan, no provider key, unknown
    price) are plain problem responses, with the same one line and exit code as solo mode. The
    reply is settled even if the client disconnects mid-stream.
    """
    _require_provider()
    channel = ai_stream.ReplyChannel(asyncio.get_running_loop())
    ai_stream.run_in_background(_reply(body, owner, learner_db, request.app.state.clock), channel)
    first = await ai_stream.first_event(channel)
    if first is not None and first.kind == "error":
        return internal_error_response() if first.data is None else error_response(first.data)
    return StreamingResponse(
        ai_stream.event_stream(channel, first, give_up_after=request.app.state.settings.ai_reservation_ttl_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/usage", response_model=UsageSummary)
def usage(
    learner: CurrentLearner,
    owner: OwnerDB,
    now: Now,
    month: str | None = Query(None, description="A past month, YYYY-MM; this month when left out."),
    last: int = Query(10, ge=0, le=200, description="How many recent calls to list."),
) -> UsageSummary:
    """The month's AI spend against the limit, open reservations, breakdowns and recent calls."""
    from patternlift_cli.services.ai_usage import usage_summary

    return UsageSummary.model_validate(usage_summary(owner.engine, learner.id, month=parse_month(month), now=now, last=last))


@router.post("/interactions/{interaction_id}/rating", status_code=204, response_class=Response)
def rate(interaction_id: uuid.UUID, body: Rating, learner: CurrentLearner, owner: OwnerDB) -> Response:
    """The learner's 1-5 rating of one of their replies (another learner's id changes nothing)."""
    from patternlift_cli.services.tutor import rate_reply

    rate_reply(owner.engine, learner.id, interaction_id, body.rating)
    return Response(status_code=204)

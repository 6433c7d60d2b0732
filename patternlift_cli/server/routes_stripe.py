"""`POST /v1/stripe/webhook`: Stripe's deliveries, verified and processed exactly once.

The body is read raw (the signature is over its exact bytes) under the app's body limit, and
handed to the use case (services/webhooks.py), which verifies the Stripe-Signature header with
the SDK (a timestamp too old or too far in the future is refused), records the event id and
re-fetches the objects from Stripe before storing them. What Stripe sees:

- 200 with the outcome (processed, duplicate, ignored): done, do not send it again;
- 400 `webhook-verification`: the signature or its timestamp failed; nothing was recorded;
- 400 `webhook-rejected`: signed, but not a usable event; recorded as rejected;
- 502 `billing` / 503: Stripe could not be asked, or the server lacks a key; nothing was
  recorded, so Stripe's retry will process it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from patternlift_cli.errors import WebhookRejectedError
from patternlift_cli.ports.problems import Problem
from patternlift_cli.server.deps import PlatformDB

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 413, 502, 503)
}

router = APIRouter(prefix="/v1/stripe", tags=["stripe"], responses=PROBLEMS)


class WebhookOutcome(BaseModel):
    outcome: str  # processed | duplicate | ignored
    event_id: str | None
    event_type: str | None
    detail: str = ""


@router.post("/webhook", response_model=WebhookOutcome)
async def stripe_webhook(request: Request, db: PlatformDB) -> WebhookOutcome:
    """A Stripe event delivery: the raw body with its `Stripe-Signature` header."""
    from patternlift_cli.services.webhooks import handle_webhook

    payload = await request.body()
    now = request.app.state.clock()
    result = await run_in_threadpool(handle_webhook, db, payload, request.headers.get("stripe-signature"), now=now)
    if result.outcome == "rejected":
        raise WebhookRejectedError(
            f"Rejected a signed delivery that is not a usable Stripe event: {result.detail}.",
            hint="It is recorded as rejected; sending it again changes nothing.",
        )
    return WebhookOutcome(**result.to_dict())

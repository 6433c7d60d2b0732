"""`/v1/auth/...` and `/v1/me`: sign in by emailed code, sign out, who am I."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from patternlift_cli.ports.auth import AccessToken, EmailCodeRequest, EmailCodeSent, Me, TokenRequest
from patternlift_cli.ports.problems import Problem
from patternlift_cli.server import sign_in, tokens
from patternlift_cli.server.deps import ClientAddress, CurrentLearner, LearnerDB, Now, PlatformDB, bearer_token

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 401, 413, 422, 429, 503)
}

router = APIRouter(prefix="/v1", tags=["auth"], responses=PROBLEMS)


@router.post("/auth/email-code", status_code=202, response_model=EmailCodeSent)
def request_email_code(body: EmailCodeRequest, request: Request, db: PlatformDB, now: Now, address: ClientAddress) -> EmailCodeSent:
    """Mail a 6-digit sign-in code. The answer is the same whether or not the address is known."""
    state = request.app.state
    sign_in.request_code(db, state.settings, state.mailer, body.email, address, now)
    return EmailCodeSent()


@router.post("/auth/token", response_model=AccessToken)
def exchange_code(body: TokenRequest, request: Request, db: PlatformDB, now: Now, address: ClientAddress) -> AccessToken:
    """Exchange the emailed code for a bearer access token (the first sign-in creates the learner)."""
    issued = sign_in.exchange(db, request.app.state.settings, body.email, body.code, address, now)
    return AccessToken(
        access_token=issued.token,
        expires_at=issued.expires_at,
        learner_id=str(issued.learner_id),
        email=issued.email,
        created=issued.created,
    )


@router.delete("/auth/token", status_code=204, response_class=Response)
def revoke_token(request: Request, db: PlatformDB) -> Response:
    """Revoke the token this request carries. Idempotent: an already revoked token answers 204 too.

    A Supabase token cannot be revoked here (sign out of Supabase for that); it answers 204.
    """
    token = bearer_token(request)
    if tokens.looks_like_ours(token):
        with db.connection(write=True) as connection:
            tokens.revoke(connection, token)
    return Response(status_code=204)


@router.get("/me", response_model=Me)
def me(learner: CurrentLearner, db: LearnerDB) -> Me:
    """The signed-in learner: plan, trial, this month's AI spend against the limit."""
    from patternlift_cli.services.accounts import LocalAccount
    from patternlift_cli.services.tutor import ai_configured

    # Read through the learner's own role: row-level security shows them their profile only.
    summary = LocalAccount(db, learner.id, mode="connected", ai_configured=ai_configured()).whoami()
    return Me(**summary.model_dump(), signed_in_via=learner.via, token_expires_at=learner.token_expires_at)

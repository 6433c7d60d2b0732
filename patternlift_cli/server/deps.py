"""FastAPI dependencies the /v1 routers build on.

    from patternlift_cli.server.deps import CurrentLearner, LearnerDB, OwnerDB, Now

    @router.post("/v1/sessions/{pattern_id}/answers")
    def answer(pattern_id: str, body: Answer, learner: CurrentLearner, db: LearnerDB, now: Now) -> View:
        return learning.answer(db, pattern_id, body.choice, now=now)

- `CurrentLearner`: the signed-in `Learner` (id, email) from the bearer token; 401 problem
  with WWW-Authenticate when the header is missing, malformed, unknown, expired or revoked.
- `LearnerDB`: a `LearnerDatabase` for this request: every transaction runs as that learner
  under row-level security. The learning use cases take this one.
- `OwnerDB`: the owner's `RequestDatabase` for this request, for budget and billing writes that
  the learner role may not make; always filter by `learner.id` yourself.
- `Now`: the app's clock (tests move it); `ClientAddress`: the caller's address for limits.

Both databases claim the request's Idempotency-Key when the route uses `IdempotentRoute`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request, Security
from fastapi.security import HTTPBearer
from sqlalchemy.engine import Engine

from patternlift_cli.db.engine import database_errors
from patternlift_cli.db.unit import Database
from patternlift_cli.server import learners, tokens
from patternlift_cli.server.database import Learner, LearnerDatabase, RequestDatabase
from patternlift_cli.server.idempotency import request_claim
from patternlift_cli.server.problems import unauthorized
from patternlift_cli.server.request_transaction import DriverStatement, HeldTransaction
from patternlift_cli.server.supabase_auth import SupabaseVerifier

# Declared for the OpenAPI document (a bearer security scheme); the header is parsed below so
# each failure gets its own one-line reason.
bearer_scheme = HTTPBearer(auto_error=False, description="An access token from POST /v1/auth/token.")
_BEARER = re.compile(r"^Bearer +([A-Za-z0-9\-._~+/]+=*) *$", re.IGNORECASE)
_LEARNER_FOR = DriverStatement(tokens.LEARNER_FOR)


# The dependencies that only build an object are coroutines: FastAPI runs a plain function
# dependency in the thread pool, a hop (and two thread switches) each, per request.


async def platform_database(request: Request) -> Database:
    """The owner's database with no learner attached (health checks, sign-in, webhooks)."""
    return Database(request.app.state.engine)


async def now(request: Request) -> datetime:
    return request.app.state.clock()


async def client_address(request: Request) -> str | None:
    # With uvicorn's --forwarded-allow-ips set to the proxy, this is X-Forwarded-For's client.
    return request.client.host if request.client else None


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if header is None or not header.strip():
        raise unauthorized("This request needs an access token, and none was sent.")
    match = _BEARER.match(header)
    if match is None:
        raise unauthorized(
            "The Authorization header is malformed; it must be `Bearer <access token>`.",
            error="invalid_request",
        )
    return match.group(1)


def current_learner(
    request: Request,
    _scheme: Annotated[object, Security(bearer_scheme)] = None,
) -> Learner:
    token = bearer_token(request)
    state = request.app.state
    at = state.clock()
    db = Database(state.engine)
    learner: Learner | None = None
    claim = request_claim(request)
    if tokens.looks_like_ours(token) and claim is not None and claim.hold and db.dialect == "postgresql":
        pipelined = state.settings.db_prepared_statements
        claim.held, learner = _learner_in_held_transaction(state.engine, token, at, pipelined=pipelined)
    elif tokens.looks_like_ours(token):
        with db.connection() as connection:
            learner = tokens.learner_for(connection, token, at)
    else:
        verifier: SupabaseVerifier = state.supabase
        if verifier.enabled and token.count(".") == 2:
            learner_id, email, expires_at = verifier.verify(token)
            with db.connection() as connection:
                known = learners.has_profile(connection, learner_id)
            if not known:  # the first request of a Supabase user: make their profile
                with db.connection(write=True) as connection:
                    learners.ensure_profile(connection, learner_id, email)
            learner = Learner(id=learner_id, email=email, via="supabase", token_expires_at=expires_at)
    if learner is None:
        raise unauthorized(
            "The access token is not valid: it is unknown, expired or revoked.",
            error="invalid_token",
            hint="Sign in again with `patternlift login`.",
        )
    if claim is not None:
        claim.user_id = learner.id
    request.state.learner = learner
    return learner


def _learner_in_held_transaction(
    engine: Engine, token: str, at: datetime, *, pipelined: bool
) -> tuple[HeldTransaction | None, Learner | None]:
    """The token checked as the first statement of the request's held transaction. The server's
    pool pings only idle connections, so a connection cut since (a database restart) fails
    here, before anything was done: the pool has discarded it, and one retry gets a fresh one."""
    for retry in (False, True):
        held = HeldTransaction(engine, pipelined=pipelined)
        try:
            with database_errors(engine):
                try:
                    if held.pipelined:  # the transaction's BEGIN and the look-up in one round trip
                        [row] = held.run_pipelined([(_LEARNER_FOR, tokens.learner_for_params(token, at))])
                        learner = tokens.learner_from_row(row)
                    else:
                        learner = tokens.learner_for(held.connection, token, at)
                except sa.exc.DBAPIError as error:
                    held.close()
                    if retry or not error.connection_invalidated:
                        raise
                    continue
        except BaseException:
            held.close()
            raise
        if learner is None:
            held.close()
            return None, None
        return held, learner
    raise AssertionError("unreachable")


async def learner_database(request: Request, learner: Annotated[Learner, Depends(current_learner)]) -> LearnerDatabase:
    return LearnerDatabase(request.app.state.engine, learner, request_claim(request))


async def owner_database(request: Request, learner: Annotated[Learner, Depends(current_learner)]) -> RequestDatabase:
    return RequestDatabase(request.app.state.engine, request_claim(request))


CurrentLearner = Annotated[Learner, Depends(current_learner)]
LearnerDB = Annotated[LearnerDatabase, Depends(learner_database)]
OwnerDB = Annotated[RequestDatabase, Depends(owner_database)]
PlatformDB = Annotated[Database, Depends(platform_database)]
Now = Annotated[datetime, Depends(now)]
ClientAddress = Annotated[str | None, Depends(client_address)]

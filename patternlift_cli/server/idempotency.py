"""Idempotency-Key for writes: a retried write is applied once, across replicas.

Use it by giving a router (or one route) the route class::

    router = APIRouter(route_class=IdempotentRoute)

and taking the database from `deps.LearnerDB` / `deps.OwnerDB` in the handler. A write request
that carries ``Idempotency-Key: <1-255 visible characters>`` then works like this:

1. The key is *claimed* inside the handler's first write transaction, before anything else in
   it: ``INSERT INTO idempotency_keys ... ON CONFLICT DO NOTHING``. The claim commits or rolls
   back with the write itself, so "applied" and "claimed" can never disagree. A concurrent
   duplicate blocks on the key until the first one commits or rolls back.
2. If the key was already claimed, nothing runs again: a stored response is replayed (with
   ``Idempotent-Replayed: true``); a claim without a response yet answers 409
   (``idempotency-in-progress``, retry shortly); the same key on a different method, path or
   body answers 422 (``idempotency-key-reused``).
3. After the handler returns, its response (status, media type, body) is stored on the key. An
   error raised after the claim committed is stored too, so a retry sees the same error
   instead of applying the write twice.

With `HeldTransactionRoute` (the learning routes), steps 1 and 3 share one transaction with
the token check and the write: see request_transaction.py.

Keys live 24 hours per learner. Streaming responses are not replayable (only the status is
stored); the routes that stream must not take an Idempotency-Key.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.routing import APIRoute
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from patternlift_cli.db.platform_models import IdempotencyKey
from patternlift_cli.errors import PatternLiftError, UsageError
from patternlift_cli.server.problems import HTTPProblem, error_response, internal_error_response
from patternlift_cli.server.request_transaction import DriverStatement, HeldTransaction

logger = logging.getLogger("patternlift.server")

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
KEY_LIFETIME = timedelta(hours=24)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_keys = IdempotencyKey.__table__


class IdempotentReplay(Exception):
    """Raised from inside the claiming transaction: the write was applied before."""

    def __init__(self, status_code: int, media_type: str | None, body: str | None) -> None:
        super().__init__(status_code)
        self.status_code = status_code
        self.media_type = media_type
        self.body = body

    def response(self) -> Response:
        return Response(
            (self.body or "").encode("utf-8"),
            status_code=self.status_code,
            media_type=self.media_type,
            headers={"Idempotent-Replayed": "true"},
        )


@dataclass
class IdempotencyClaim:
    """One request's key; `user_id` is bound by the dependency that signs the learner in."""

    key: str
    method: str
    path: str
    request_hash: str
    clock: Callable[[], datetime]
    user_id: uuid.UUID | None = None
    committed: bool = field(default=False)
    hold: bool = False  # the route lets the token check open a transaction for the write (HeldTransactionRoute)
    held: HeldTransaction | None = None

    @property
    def applied(self) -> bool:
        """The claim and the write are committed, or will be with the response."""
        return self.committed or (self.held is not None and self.held.written and not self.held.closed)

    def held_for(self, write: bool) -> HeldTransaction | None:
        """The held transaction, when this is the request's first write; otherwise it ends first."""
        held = self.held
        if held is None or held.closed:
            return None
        if write and not held.written and not self.committed:
            return held
        self.end_held()
        return None

    def end_held(self) -> None:
        """Commit a written held transaction (the response is stored later, on its own), or drop
        one that only checked the token."""
        held, self.held = self.held, None
        if held is None or held.closed:
            return
        if held.written:
            held.commit()
            self.committed = True
        else:
            held.close()

    def release(self) -> None:
        """At the end of the request: whatever is still held was not applied; roll it back."""
        held, self.held = self.held, None
        if held is not None:
            held.close()

    def finish(self, engine: Engine, response: Response) -> None:
        """Store the response on the key: in the held transaction, committing the write with it,
        or in a transaction of its own when the write committed already."""
        held = self.held
        if held is not None and held.written and not held.closed:
            self.held = None
            held.commit(self._stored(response))
            self.committed = True
        elif self.committed:
            self.store(engine, response)

    def claim(self, connection: sa.Connection) -> None:
        if connection.dialect.name == "postgresql":
            # The learner's expired keys go in the same statement: one round trip per claim.
            claimed = connection.execute(_CLAIM.statement, self.claim_params()).first()
        else:
            now = self.clock()
            connection.execute(self._expired(now - KEY_LIFETIME))
            claimed = connection.execute(self._insert(connection, now)).first()
        if claimed is None:
            self.after_conflict(connection)

    def pipelined_claim(self) -> tuple[DriverStatement, dict[str, Any]]:
        """The PostgreSQL claim for a pipeline (request_transaction.HeldTransaction.run_pipelined):
        it returns a row when this request claimed the key; otherwise call `after_conflict`."""
        return _CLAIM, self.claim_params()

    def claim_params(self) -> dict[str, Any]:
        if self.user_id is None:
            raise AssertionError("an idempotency claim needs the signed-in learner")
        now = self.clock()
        return {"user_id": self.user_id, "key": self.key, "method": self.method, "path": self.path,
                "request_hash": self.request_hash, "created_at": now, "owner": self.user_id,
                "cutoff": now - KEY_LIFETIME}

    def _expired(self, cutoff: datetime) -> sa.Delete:
        return sa.delete(_keys).where(_keys.c.user_id == self.user_id, _keys.c.created_at < cutoff)

    def _insert(self, connection: sa.Connection, now: datetime):  # type: ignore[no-untyped-def]
        values = {"user_id": self.user_id, "key": self.key, "method": self.method, "path": self.path,
                  "request_hash": self.request_hash, "created_at": now}
        # RETURNING, not rowcount: the driver reports -1 for INSERT ... ON CONFLICT DO NOTHING.
        return _insert(connection).values(**values).on_conflict_do_nothing().returning(_keys.c.key)

    def after_conflict(self, connection: sa.Connection) -> None:
        """The key was claimed before (as the owner): replay, refuse, or claim an expired one."""
        now = self.clock()
        cutoff = now - KEY_LIFETIME
        this_key = sa.select(_keys).where(_keys.c.user_id == self.user_id, _keys.c.key == self.key)
        row = connection.execute(this_key).first()
        if row is None or _utc(row.created_at) < cutoff:
            # This very key had expired: the statement above met it before its DELETE took it.
            connection.execute(self._expired(cutoff))
            claimed = connection.execute(self._insert(connection, now)).first()
            if claimed is not None:
                return
            row = connection.execute(this_key).one()
        if (row.method, row.path, row.request_hash) != (self.method, self.path, self.request_hash):
            raise HTTPProblem(
                "idempotency-key-reused",
                f"This {HEADER} was used for a different request ({row.method} {row.path}); "
                "use a new key for a new request.",
            )
        if row.status_code is None:
            raise HTTPProblem(
                "idempotency-in-progress",
                f"A request with this {HEADER} is still being processed; retry in a moment.",
                headers={"Retry-After": "1"},
            )
        raise IdempotentReplay(row.status_code, row.media_type, row.response_body)

    def store(self, engine: Engine, response: Response) -> None:
        with engine.begin() as connection:
            connection.execute(_STORE.statement, self._stored(response)[1])

    def _stored(self, response: Response) -> tuple[DriverStatement, dict[str, Any]]:
        body = getattr(response, "body", None)
        text = bytes(body).decode("utf-8", errors="replace") if body is not None else None
        return _STORE, {
            "owner": self.user_id,
            "stored_key": self.key,
            "status": response.status_code,
            "stored_type": response.media_type or response.headers.get("content-type"),
            "stored_body": text,
            "completed": self.clock(),
        }


def _postgresql_claim() -> DriverStatement:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING key, with the learner's expired keys deleted
    in a CTE of the same statement; built once (every keyed write runs it)."""
    from sqlalchemy.dialects.postgresql import insert

    expired = sa.delete(_keys).where(_keys.c.user_id == sa.bindparam("owner"), _keys.c.created_at < sa.bindparam("cutoff"))
    claim = (
        insert(_keys)
        .values({name: sa.bindparam(name) for name in ("user_id", "key", "method", "path", "request_hash", "created_at")})
        .on_conflict_do_nothing()
        .returning(_keys.c.key)
    )
    return DriverStatement(claim.add_cte(expired.returning(_keys.c.key).cte("expired")))


_CLAIM = _postgresql_claim()
# The response stored on the key, built once (every keyed write runs it).
_STORE = DriverStatement(
    sa.update(_keys)
    .where(_keys.c.user_id == sa.bindparam("owner"), _keys.c.key == sa.bindparam("stored_key"))
    .values(status_code=sa.bindparam("status"), media_type=sa.bindparam("stored_type"),
            response_body=sa.bindparam("stored_body"), completed_at=sa.bindparam("completed"))
)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def _insert(connection: sa.Connection):  # type: ignore[no-untyped-def]
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(_keys)


def request_claim(request: Request) -> IdempotencyClaim | None:
    """The claim IdempotentRoute put on this request, if the request carries a key."""
    return getattr(request.state, "idempotency", None)


def end_held_transaction(request: Request) -> None:
    """For a handler that works between transactions (judging, the catalogue sync): commit or
    drop the held transaction now, so nothing stays open meanwhile."""
    claim = request_claim(request)
    if claim is not None:
        claim.end_held()


async def _new_claim(request: Request) -> IdempotencyClaim | None:
    key = request.headers.get(HEADER)
    if key is None or request.method in SAFE_METHODS:
        return None
    if not KEY_PATTERN.match(key):
        raise UsageError(f"{HEADER} must be 1-255 visible ASCII characters.")
    body = await request.body()  # Starlette caches it: the handler reads the same bytes
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), request.url.query.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return IdempotencyClaim(
        key=key,
        method=request.method,
        path=request.url.path,
        request_hash=digest.hexdigest(),
        clock=request.app.state.clock,
    )


class IdempotentRoute(APIRoute):
    """An APIRoute whose write requests honour Idempotency-Key (see the module docstring)."""

    hold_transaction = False

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handle = super().get_route_handler()

        async def handle_once(request: Request) -> Response:
            claim = await _new_claim(request)
            if claim is None:
                return await handle(request)
            claim.hold = self.hold_transaction
            request.state.idempotency = claim
            engine = request.app.state.engine
            try:
                try:
                    response = await handle(request)
                except IdempotentReplay as replay:
                    return replay.response()
                except PatternLiftError as error:
                    if not claim.applied:
                        raise
                    response = error_response(error)
                except Exception:
                    if claim.applied:
                        await run_in_threadpool(claim.finish, engine, internal_error_response())
                    raise
                if claim.applied:
                    await run_in_threadpool(claim.finish, engine, response)
                return response
            finally:
                if claim.held is not None:
                    await run_in_threadpool(claim.release)

        return handle_once


class HeldTransactionRoute(IdempotentRoute):
    """For handlers that are one use-case call: on PostgreSQL the token check, the claim, the
    write and the stored response are one transaction (request_transaction.py)."""

    hold_transaction = True

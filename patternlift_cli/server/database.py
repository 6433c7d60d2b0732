"""Transactions for one request: as the signed-in learner (row-level security) or as the owner.

`LearnerDatabase` is what the learning use cases get on the server. Each of its transactions
starts the way Supabase's PostgREST starts one for a signed-in user::

    SELECT set_config('role', 'authenticated', true),
           set_config('request.jwt.claim.sub', '<learner id>', true),
           set_config('request.jwt.claims', '{"sub": ..., "role": "authenticated", ...}', true)

(`set_config('role', ..., true)` is `SET LOCAL ROLE`.) Everything after that runs under the
seed's policies and the learner role's column privileges, so a query that forgets its user
filter still sees only the caller's rows, and the AI limit or subscription status cannot be
written at all. The settings are transaction-local: a pooled connection carries nothing over.

`RequestDatabase` is the owner's connection for the same request, for budget and billing writes
that must change what the learner may not (always with an explicit user filter). Both claim
the request's Idempotency-Key, if any, inside their first write transaction (see idempotency.py).

On SQLite (a one-machine trial) there are no roles: the learner database is the plain one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from patternlift_cli.db.unit import Database
from patternlift_cli.server.request_transaction import BACK_TO_OWNER, DriverStatement

if TYPE_CHECKING:
    from patternlift_cli.server.idempotency import IdempotencyClaim
    from patternlift_cli.server.request_transaction import HeldTransaction

LEARNER_ROLE = "authenticated"

_AS_LEARNER = sa.text(
    "SELECT set_config('role', :role, true), set_config('request.jwt.claim.sub', :sub, true), "
    "set_config('request.jwt.claims', :claims, true)"
)


_AS_LEARNER_ON_DRIVER = DriverStatement(_AS_LEARNER)


@dataclass(frozen=True)
class Learner:
    """Who is signed in, as the access token says."""

    id: uuid.UUID
    email: str
    via: str  # "email-code" or "supabase"
    token_expires_at: datetime | None = None


class RequestDatabase(Database):
    """The owner's transactions for one request, claiming its Idempotency-Key on first write."""

    def __init__(self, engine: Engine, idempotency: IdempotencyClaim | None = None) -> None:
        super().__init__(engine)
        self.idempotency = idempotency
        self._claim_in_this_transaction = False

    @contextmanager
    def _write_scope(self, write: bool) -> Iterator[None]:
        claim = self.idempotency
        claiming = bool(write and claim is not None and not claim.committed)
        self._claim_in_this_transaction = claiming
        try:
            yield
        finally:
            self._claim_in_this_transaction = False
        if claiming and claim is not None:  # reached only when the transaction committed
            claim.committed = True

    def prepare(self, connection: sa.Connection) -> None:
        if self._claim_in_this_transaction and self.idempotency is not None:
            self.idempotency.claim(connection)

    def _held(self, write: bool) -> HeldTransaction | None:
        return self.idempotency.held_for(write) if self.idempotency is not None else None

    @contextmanager
    def _in_held(self, held: HeldTransaction) -> Iterator[sa.Connection]:
        """The request's first write, in the transaction the token check opened: claimed and
        prepared as usual, committed later with the response (request_transaction.py)."""
        with held.writing() as connection:
            self._claim_in_this_transaction = True
            try:
                self.prepare_held(held, connection)
            finally:
                self._claim_in_this_transaction = False
            yield connection

    def prepare_held(self, held: HeldTransaction, connection: sa.Connection) -> None:
        """`prepare` for the held transaction's write; the learner's pipelines it."""
        self.prepare(connection)

    @contextmanager
    def connection(self, *, write: bool = False) -> Iterator[sa.Connection]:
        held = self._held(write)
        if held is not None:
            with self._in_held(held) as connection:
                yield connection
            return
        with self._write_scope(write), super().connection(write=write) as connection:
            yield connection

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        held = self._held(write)
        if held is not None:
            # rollback_only: the session's commit flushes and leaves the transaction to the request.
            with self._in_held(held) as connection, Session(
                connection, expire_on_commit=False, join_transaction_mode="rollback_only"
            ) as session:
                yield session
                session.commit()
            return
        with self._write_scope(write), super().session(write=write) as session:
            yield session


class LearnerDatabase(RequestDatabase):
    """Every transaction runs as the learner: role `authenticated` and their JWT claims."""

    def __init__(
        self, engine: Engine, learner: Learner, idempotency: IdempotencyClaim | None = None
    ) -> None:
        super().__init__(engine, idempotency)
        self.learner = learner
        self._claims = json.dumps(
            {"sub": str(learner.id), "role": LEARNER_ROLE, "aud": LEARNER_ROLE, "email": learner.email}
        )

    def prepare(self, connection: sa.Connection) -> None:
        super().prepare(connection)  # the idempotency claim is the owner's, before the switch
        if self.dialect == "postgresql":
            connection.execute(_AS_LEARNER, self._role_params())

    def prepare_held(self, held: HeldTransaction, connection: sa.Connection) -> None:
        """The claim and the role switch in one round trip: the claim's result matters only when
        the key was claimed before (a repeat), which the owner then settles."""
        claim = self.idempotency
        if not (held.pipelined and claim is not None and self.dialect == "postgresql"):
            self.prepare(connection)
            return
        claimed, _ = held.run_pipelined([claim.pipelined_claim(), (_AS_LEARNER_ON_DRIVER, self._role_params())])
        if claimed is None:
            connection.execute(BACK_TO_OWNER)  # the key's row is not the learner's to read
            claim.after_conflict(connection)  # raises (a replay, a refusal), or claimed an expired key
            connection.execute(_AS_LEARNER, self._role_params())

    def _role_params(self) -> dict[str, str]:
        return {"role": LEARNER_ROLE, "sub": str(self.learner.id), "claims": self._claims}

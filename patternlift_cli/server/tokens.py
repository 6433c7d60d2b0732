"""Access tokens: 256 random bits, stored only as their SHA-256, expiring, revoked by deletion.

A slow hash would add nothing: the token has full entropy, so a leaked table of SHA-256 digests
cannot be reversed, and every request can afford one hash. The `plt_` prefix lets secret
scanners spot a leaked token and keeps it apart from a Supabase JWT.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from patternlift_cli.db.models import UserProfile
from patternlift_cli.db.platform_models import AuthAccessToken
from patternlift_cli.server.database import Learner

PREFIX = "plt_"
_tokens = AuthAccessToken.__table__
_profiles = UserProfile.__table__


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_ours(token: str) -> bool:
    return token.startswith(PREFIX)


def issue(connection: sa.Connection, learner_id: uuid.UUID, now: datetime, ttl_seconds: int) -> tuple[str, datetime]:
    token = PREFIX + secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=ttl_seconds)
    connection.execute(sa.delete(_tokens).where(_tokens.c.user_id == learner_id, _tokens.c.expires_at <= now))
    connection.execute(
        sa.insert(_tokens).values(token_hash=digest(token), user_id=learner_id, expires_at=expires_at, created_at=now)
    )
    return token, expires_at


# Built once: every authenticated request runs it (bench/server_learn.py).
LEARNER_FOR = (
    sa.select(_tokens.c.user_id, _tokens.c.expires_at, _profiles.c.email)
    .join(_profiles, _profiles.c.id == _tokens.c.user_id)
    .where(_tokens.c.token_hash == sa.bindparam("token_hash"), _tokens.c.expires_at > sa.bindparam("now"))
)


def learner_for_params(token: str, now: datetime) -> dict[str, object]:
    return {"token_hash": digest(token), "now": now}


def learner_from_row(row: Sequence[Any] | None) -> Learner | None:
    """The learner of a LEARNER_FOR row (user_id, expires_at, email), or None for no row."""
    if row is None:
        return None
    user_id, expires_at, email = row
    return Learner(id=user_id, email=email, via="email-code", token_expires_at=expires_at)


def learner_for(connection: sa.Connection, token: str, now: datetime) -> Learner | None:
    return learner_from_row(connection.execute(LEARNER_FOR, learner_for_params(token, now)).first())


def revoke(connection: sa.Connection, token: str) -> bool:
    return connection.execute(sa.delete(_tokens).where(_tokens.c.token_hash == digest(token))).rowcount > 0

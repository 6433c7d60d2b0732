"""The server's platform tables (docs/SERVER.md, docs/SCHEMA.md): written only by the server's
own connection, never granted to the learner role. Mirrors migration 20261202000012.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from patternlift_cli.db.columns import TableModel
from patternlift_cli.db.types import UTCDateTime

NOW = sa.func.now()


def _created_at() -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), server_default=NOW))


def _user_fk(*, primary_key: bool = False) -> Any:
    column = sa.Column(
        sa.Uuid(), sa.ForeignKey("user_profiles.id", ondelete="CASCADE"), nullable=False, primary_key=primary_key
    )
    return Field(sa_column=column)


class AuthEmailCode(TableModel, table=True):
    """The one live sign-in code per email, as an HMAC; a new request replaces it."""

    __tablename__ = "auth_email_codes"

    email: str = Field(sa_column=sa.Column(sa.Text(), primary_key=True))
    code_hash: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    failed_attempts: int = Field(
        default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0")
    )
    expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    created_at: datetime | None = _created_at()

    __table_args__ = (
        sa.CheckConstraint("failed_attempts >= 0", name="auth_email_codes_failed_attempts_check"),
    )


class AuthAccessToken(TableModel, table=True):
    """A bearer token, stored only as its SHA-256; revoking deletes the row."""

    __tablename__ = "auth_access_tokens"

    token_hash: str = Field(sa_column=sa.Column(sa.Text(), primary_key=True))
    user_id: uuid.UUID = _user_fk()
    expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    created_at: datetime | None = _created_at()

    __table_args__ = (sa.Index("idx_auth_access_tokens_user_expires", "user_id", "expires_at"),)


class AuthRateLimit(TableModel, table=True):
    """Hits per bucket (e.g. `code-request:email:...`) in one fixed time window."""

    __tablename__ = "auth_rate_limits"

    bucket: str = Field(sa_column=sa.Column(sa.Text(), primary_key=True))
    window_start: datetime = Field(sa_column=sa.Column(UTCDateTime(), primary_key=True))
    hits: int = Field(default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0"))

    __table_args__ = (
        sa.CheckConstraint("hits >= 0", name="auth_rate_limits_hits_check"),
        sa.Index("idx_auth_rate_limits_window_start", "window_start"),
    )


class IdempotencyKey(TableModel, table=True):
    """A write's Idempotency-Key, claimed in the write's own transaction, with its response."""

    __tablename__ = "idempotency_keys"

    user_id: uuid.UUID = _user_fk(primary_key=True)
    key: str = Field(sa_column=sa.Column(sa.Text(), primary_key=True))
    method: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    path: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    request_hash: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    status_code: int | None = Field(default=None, sa_column=sa.Column(sa.Integer()))
    media_type: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    response_body: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    created_at: datetime | None = _created_at()
    completed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))

    __table_args__ = (sa.Index("idx_idempotency_keys_created", "created_at"),)


PLATFORM_TABLES = ("auth_email_codes", "auth_access_tokens", "auth_rate_limits", "idempotency_keys")

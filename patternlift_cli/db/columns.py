"""Column helpers every table module shares (the same defaults on both backends)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from patternlift_cli.db.types import UTCDateTime

NOW = sa.func.now()


def uuid_pk() -> Any:
    return Field(default_factory=uuid.uuid4, sa_column=sa.Column(sa.Uuid(), primary_key=True))


def created_at_field() -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), server_default=NOW))


def updated_at_field() -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), server_default=NOW))


def user_fk(nullable: bool = True) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=sa.Column(sa.Uuid(), sa.ForeignKey("user_profiles.id", ondelete="CASCADE"), nullable=nullable),
    )

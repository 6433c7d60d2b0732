"""Request and response bodies of sign-in (`/v1/auth/...`) and `/v1/me`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from patternlift_cli.ports.account import ProfileSummary

CODE_LENGTH = 6
CODE_TTL_SECONDS = 600
CODE_MAX_WRONG_TRIES = 5


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmailCodeRequest(_Strict):
    email: str = Field(min_length=3, max_length=320, examples=["you@example.com"])


class EmailCodeSent(BaseModel):
    """The same answer whether or not the address belongs to a learner (no enumeration)."""

    sent: bool = True
    expires_in_seconds: int = CODE_TTL_SECONDS
    detail: str = "If the address can receive mail, a 6-digit code is on its way."


class TokenRequest(_Strict):
    email: str = Field(min_length=3, max_length=320)
    code: str = Field(min_length=1, max_length=32, examples=["123456"])


class AccessToken(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    learner_id: str
    email: str
    created: bool = Field(description="True when this sign-in created the learner.")


class Me(ProfileSummary):
    """`whoami` in connected mode: the account summary, and how this token signed in."""

    signed_in_via: str = Field(description="'email-code' or 'supabase'")
    token_expires_at: datetime | None = None

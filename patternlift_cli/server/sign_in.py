"""Sign-in without passwords: a 6-digit code by email, exchanged once for an access token.

Codes are stored as HMAC-SHA256(pepper, email NUL code). A million possible codes make any
unkeyed hash, however slow, reversible from a copy of the table in minutes; keyed with a
pepper that lives in the server's settings and never in the database, a leaked table reveals
nothing. It is also cheap, so the endpoint offers no CPU to exhaust. Binding the email in
means one code's hash says nothing about another address.

One live code per email: asking again replaces it (and resets its tries). A code is refused
when it is wrong, used, older than 10 minutes, or after 5 wrong tries; every refusal reads the
same, so an answer never tells whether the address has an account or a pending code. A code
request answers the same whether or not the address is known (it is not even looked up).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from patternlift_cli.config import Settings
from patternlift_cli.db.platform_models import AuthEmailCode
from patternlift_cli.db.unit import Database
from patternlift_cli.errors import ConfigError, SignInCodeError
from patternlift_cli.ports.auth import CODE_LENGTH, CODE_MAX_WRONG_TRIES, CODE_TTL_SECONDS
from patternlift_cli.server import learners, rate_limits, tokens
from patternlift_cli.server.mailer import Mailer
from patternlift_cli.services.accounts import normalize_email

_codes = AuthEmailCode.__table__
REQUEST_WINDOW_SECONDS = 3600
TRY_WINDOW_SECONDS = 900


@dataclass(frozen=True)
class IssuedToken:
    token: str
    learner_id: uuid.UUID
    email: str
    expires_at: datetime
    created: bool


def code_digest(pepper: str, email: str, code: str) -> str:
    return hmac.new(pepper.encode(), f"{email}\x00{code}".encode(), hashlib.sha256).hexdigest()


def _pepper(settings: Settings) -> str:
    if settings.auth_pepper is None:
        raise ConfigError("PATTERNLIFT_AUTH_PEPPER is not set on the server.")
    return settings.auth_pepper.get_secret_value()


def _upsert_code(connection: sa.Connection, values: dict[str, object]):  # type: ignore[no-untyped-def]
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(_codes).values(**values)
    return statement.on_conflict_do_update(
        index_elements=[_codes.c.email],
        set_={name: statement.excluded[name] for name in values if name != "email"},
    )


def request_code(
    db: Database, settings: Settings, mailer: Mailer | None, raw_email: str, address: str | None, now: datetime
) -> None:
    email = normalize_email(raw_email)
    if mailer is None:
        raise ConfigError(
            "This server does not send sign-in codes (PATTERNLIFT_SMTP_URL is not set on it).",
            hint="Ask its operator, or sign in with the server's Supabase project.",
        )
    pepper = _pepper(settings)
    rate_limits.hit(
        db,
        [
            rate_limits.Limit(f"code-request:email:{email}", settings.auth_code_requests_per_email, REQUEST_WINDOW_SECONDS),
            rate_limits.Limit(
                f"code-request:address:{rate_limits.client_bucket(address)}",
                settings.auth_code_requests_per_address,
                REQUEST_WINDOW_SECONDS,
            ),
        ],
        now,
        message="Too many sign-in codes were asked for.",
        purge=True,
    )
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    values = {
        "email": email,
        "code_hash": code_digest(pepper, email, code),
        "failed_attempts": 0,
        "expires_at": now + timedelta(seconds=CODE_TTL_SECONDS),
        "used_at": None,
        "created_at": now,
    }
    with db.connection(write=True) as connection:
        connection.execute(_upsert_code(connection, values))
    minutes = CODE_TTL_SECONDS // 60
    mailer.send(
        email,
        "Your PatternLift sign-in code",
        f"Your PatternLift sign-in code is {code}\n\n"
        f"It works once, for {minutes} minutes. If you did not ask for it, ignore this mail:\n"
        "nobody can sign in without the code.\n",
    )


REFUSED = "That sign-in code is wrong, used or expired."
REFUSED_HINT = "Ask for a new code and type the newest one (it works once, for 10 minutes)."


def _normalized_code(raw: str) -> str:
    return "".join(character for character in raw if character not in " -")


def exchange(
    db: Database, settings: Settings, raw_email: str, raw_code: str, address: str | None, now: datetime
) -> IssuedToken:
    email = normalize_email(raw_email)
    pepper = _pepper(settings)
    rate_limits.hit(
        db,
        [
            rate_limits.Limit(f"code-try:email:{email}", settings.auth_code_tries_per_email, TRY_WINDOW_SECONDS),
            rate_limits.Limit(
                f"code-try:address:{rate_limits.client_bucket(address)}",
                settings.auth_code_tries_per_address,
                TRY_WINDOW_SECONDS,
            ),
        ],
        now,
        message="Too many sign-in code tries.",
    )
    candidate = code_digest(pepper, email, _normalized_code(raw_code))
    issued: IssuedToken | None = None
    with db.connection(write=True) as connection:
        row = connection.execute(sa.select(_codes).where(_codes.c.email == email).with_for_update()).first()
        live = (
            row is not None
            and row.used_at is None
            and row.expires_at > now
            and row.failed_attempts < CODE_MAX_WRONG_TRIES
        )
        if live and hmac.compare_digest(row.code_hash, candidate):
            connection.execute(sa.update(_codes).where(_codes.c.email == email).values(used_at=now))
            learner_id = learners.profile_id_for_email(connection, email)
            created = learner_id is None
            if learner_id is None:
                learner_id = learners.create_learner(connection, email)
            token, expires_at = tokens.issue(connection, learner_id, now, settings.auth_token_ttl_seconds)
            issued = IssuedToken(token, learner_id, email, expires_at, created)
        elif live:
            # Counted in this transaction, which commits before the refusal is raised below.
            connection.execute(
                sa.update(_codes)
                .where(_codes.c.email == email)
                .values(failed_attempts=_codes.c.failed_attempts + 1)
            )
    if issued is None:
        raise SignInCodeError(REFUSED, hint=REFUSED_HINT)
    return issued

"""Supabase Auth access tokens, accepted when the server is told how to verify them.

HS256 with the project's JWT secret (PATTERNLIFT_SUPABASE_JWT_SECRET), or the project's signing
keys from its JWKS endpoint (PATTERNLIFT_SUPABASE_JWKS_URL, RS256/ES256; PyJWT caches the keys).
A token must be unexpired, carry the configured audience ("authenticated") and, when set, the
issuer, name a UUID `sub`, and have role `authenticated`: Supabase's anon and service-role keys
are JWTs too, and neither is a learner.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import jwt

from patternlift_cli.config import Settings
from patternlift_cli.errors import TemporarilyUnavailableError
from patternlift_cli.server.problems import unauthorized

ASYMMETRIC = ["RS256", "ES256", "EdDSA"]
LEEWAY_SECONDS = 30


class SupabaseVerifier:
    def __init__(self, settings: Settings) -> None:
        secret = settings.supabase_jwt_secret
        self._secret = secret.get_secret_value() if secret is not None else None
        self._jwks = jwt.PyJWKClient(settings.supabase_jwks_url, cache_keys=True, timeout=5) if settings.supabase_jwks_url else None
        self._audience = settings.supabase_jwt_audience
        self._issuer = settings.supabase_jwt_issuer

    @property
    def enabled(self) -> bool:
        return self._secret is not None or self._jwks is not None

    def _key(self, token: str) -> tuple[Any, list[str]]:
        algorithm = jwt.get_unverified_header(token).get("alg")
        if algorithm == "HS256" and self._secret is not None:
            return self._secret, ["HS256"]
        if algorithm in ASYMMETRIC and self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key, ASYMMETRIC
        raise jwt.InvalidAlgorithmError(f"tokens signed with {algorithm} are not accepted here")

    def verify(self, token: str) -> tuple[uuid.UUID, str, datetime]:
        """(learner id, email, expiry) from a valid token; NotLoggedInError for anything else."""
        try:
            key, algorithms = self._key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "sub", "aud"], "verify_iss": self._issuer is not None},
            )
        except jwt.PyJWKClientConnectionError as error:
            raise TemporarilyUnavailableError(
                "The server could not fetch Supabase's signing keys to check the token.",
                hint="Try again in a minute.",
            ) from error
        except jwt.PyJWTError as error:
            raise _invalid(f"The Supabase token was refused: {error}.") from error
        if claims.get("role", "authenticated") != "authenticated":
            raise _invalid(f"A Supabase '{claims.get('role')}' token does not sign a learner in.")
        try:
            learner_id = uuid.UUID(str(claims["sub"]))
        except ValueError as error:
            raise _invalid("The Supabase token's subject is not a user id.") from error
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise _invalid("The Supabase token carries no email address.")
        return learner_id, email.strip().lower(), datetime.fromtimestamp(int(claims["exp"]), UTC)


def _invalid(message: str) -> Exception:
    return unauthorized(message, error="invalid_token", hint="Sign in again.")

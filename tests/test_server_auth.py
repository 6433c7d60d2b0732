"""Sign-in against real uvicorn processes on PostgreSQL, with a real SMTP server for the mail."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import jwt
import pytest

from patternlift_cli.errors import NotLoggedInError, RateLimitedError, SignInCodeError
from patternlift_cli.remote import auth
from patternlift_cli.server.sign_in import REQUEST_WINDOW_SECONDS, TRY_WINDOW_SECONDS
from tests.server_support import ISSUER, SUPABASE_SECRET, Jwks, Platform, sign_in

# ----- the happy path -----------------------------------------------------------------------


def test_sign_in_end_to_end_creates_the_learner_once(platform: Platform) -> None:
    sent = auth.request_code(platform.url, "Ada@Example.com ")
    assert sent.sent and sent.expires_in_seconds == 600
    code = platform.mailbox.code_for("ada@example.com")
    token = auth.exchange(platform.url, "ada@example.com", code)
    assert token.created and token.email == "ada@example.com"
    assert token.access_token.startswith("plt_") and len(token.access_token) >= 4 + 43

    me = auth.me(platform.url, token.access_token)
    assert (me.email, me.signed_in_via, me.status, me.plan) == ("ada@example.com", "email-code", "trial", "basic")
    assert me.ai_limit_usd == Decimal("3.00") and me.ai_spent_this_month_usd == Decimal(0) and me.mode == "connected"
    # The trial entitles the learner; this server holds no AI key yet, so the tutor is off, and
    # it says whose key is missing: a connected learner has none to add.
    assert me.trial_days_left == 14 and not me.ai_allowed
    assert me.ai_access.startswith("the server has no AI provider (trial")

    # The seed's foreign key: auth.users first, then the profile with the schema's defaults.
    [row] = platform.sql(
        "SELECT u.email AS identity, p.monthly_ai_usage_limit, p.trial_ends_at FROM auth.users u "
        "JOIN user_profiles p ON p.id = u.id WHERE u.id = :id",
        id=uuid.UUID(token.learner_id),
    )
    assert row.identity == "ada@example.com" and Decimal(row.monthly_ai_usage_limit) == Decimal("3.00")
    assert timedelta(days=13, hours=23) < row.trial_ends_at - datetime.now(UTC) <= timedelta(days=14)

    # The token is stored only as a hash; the code only as an HMAC, and it is used up.
    [stored] = platform.sql("SELECT token_hash FROM auth_access_tokens")
    assert token.access_token not in stored.token_hash and len(stored.token_hash) == 64
    [code_row] = platform.sql("SELECT code_hash, used_at FROM auth_email_codes")
    assert code not in code_row.code_hash and code_row.used_at is not None

    again = sign_in(platform, "ada@example.com", platform.servers[1].url)  # another replica
    assert not again.created and again.learner_id == token.learner_id
    assert again.access_token != token.access_token


def test_a_code_request_answers_the_same_for_known_and_unknown_addresses(platform: Platform) -> None:
    sign_in(platform, "known@example.com")
    answers = [
        httpx.post(f"{platform.url}/v1/auth/email-code", json={"email": email})
        for email in ("known@example.com", "nobody@example.com")
    ]
    assert [answer.status_code for answer in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    assert platform.mailbox.count_for("nobody@example.com") == 1  # a first sign-in is a sign-up


def test_revoked_token_is_refused(platform: Platform) -> None:
    token = sign_in(platform, "bob@example.com").access_token
    auth.revoke(platform.url, token)
    auth.revoke(platform.servers[1].url, token)  # idempotent, on any replica
    with pytest.raises(NotLoggedInError, match="unknown, expired or revoked") as refused:
        auth.me(platform.servers[1].url, token)
    assert refused.value.exit_code == 5
    response = httpx.get(f"{platform.url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="patternlift", error="invalid_token"'


def test_token_expires(platform: Platform) -> None:
    token = sign_in(platform, "tess@example.com").access_token
    platform.clock.set(30 * 86400 + 1)
    with pytest.raises(NotLoggedInError):
        auth.me(platform.url, token)


# ----- codes that must not work ---------------------------------------------------------------


def test_a_wrong_code_is_refused_and_the_right_one_still_works(platform: Platform) -> None:
    auth.request_code(platform.url, "cy@example.com")
    code = platform.mailbox.code_for("cy@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(SignInCodeError, match="wrong, used or expired") as refused:
        auth.exchange(platform.url, "cy@example.com", wrong)
    assert refused.value.exit_code == 5
    assert auth.exchange(platform.url, "cy@example.com", f"{code[:3]} {code[3:]}").email == "cy@example.com"


def test_an_expired_code_is_refused(platform: Platform) -> None:
    auth.request_code(platform.url, "old@example.com")
    code = platform.mailbox.code_for("old@example.com")
    platform.clock.set(601)
    with pytest.raises(SignInCodeError):
        auth.exchange(platform.url, "old@example.com", code)


def test_a_code_works_once(platform: Platform) -> None:
    auth.request_code(platform.url, "once@example.com")
    code = platform.mailbox.code_for("once@example.com")
    auth.exchange(platform.url, "once@example.com", code)
    with pytest.raises(SignInCodeError):
        auth.exchange(platform.servers[1].url, "once@example.com", code)


def test_five_wrong_tries_lock_the_code(platform: Platform) -> None:
    auth.request_code(platform.url, "lock@example.com")
    code = platform.mailbox.code_for("lock@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for attempt in range(5):
        with pytest.raises(SignInCodeError):
            auth.exchange(platform.servers[attempt % 2].url, "lock@example.com", wrong)
    with pytest.raises(SignInCodeError):
        auth.exchange(platform.url, "lock@example.com", code)  # the right code, too late
    platform.mailbox.clear()
    assert sign_in(platform, "lock@example.com").email == "lock@example.com"  # a new code works


# ----- rate limits, counted in the database across replicas -----------------------------------


def test_code_requests_are_limited_per_email_across_replicas(platform: Platform) -> None:
    start = platform.clock.at_window_start(REQUEST_WINDOW_SECONDS)
    for attempt in range(5):
        auth.request_code(platform.servers[attempt % 2].url, "spam@example.com")
    with pytest.raises(RateLimitedError, match="Too many sign-in codes") as limited:
        auth.request_code(platform.servers[1].url, "spam@example.com")
    assert limited.value.exit_code == 2 and 0 < limited.value.retry_after_seconds <= 3600
    assert "Try again in" in str(limited.value)
    assert platform.mailbox.count_for("spam@example.com") == 5
    auth.request_code(platform.url, "other@example.com")  # another address is not affected
    platform.clock.set(start + REQUEST_WINDOW_SECONDS)
    auth.request_code(platform.url, "spam@example.com")  # the next window


def test_code_requests_are_limited_per_client_address(platform: Platform) -> None:
    platform.clock.at_window_start(REQUEST_WINDOW_SECONDS)
    for index in range(12):
        auth.request_code(platform.servers[index % 2].url, f"learner{index}@example.com")
    response = httpx.post(f"{platform.url}/v1/auth/email-code", json={"email": "one-more@example.com"})
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert response.json()["type"] == "urn:patternlift:problem:rate-limited"


def test_code_tries_are_limited_per_email_across_replicas(platform: Platform) -> None:
    platform.clock.at_window_start(TRY_WINDOW_SECONDS)
    for attempt in range(10):
        with pytest.raises(SignInCodeError):
            auth.exchange(platform.servers[attempt % 2].url, "guess@example.com", f"{attempt:06d}")
    with pytest.raises(RateLimitedError, match="Too many sign-in code tries"):
        auth.exchange(platform.url, "guess@example.com", "000000")


def test_limits_hold_under_concurrent_requests_on_two_replicas(platform: Platform) -> None:
    platform.clock.at_window_start(REQUEST_WINDOW_SECONDS)

    def ask(index: int) -> int:
        server = platform.servers[index % 2].url
        return httpx.post(f"{server}/v1/auth/email-code", json={"email": "race@example.com"}, timeout=20).status_code

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(ask, range(16)))
    assert statuses.count(202) == 5 and statuses.count(429) == 11
    assert platform.mailbox.count_for("race@example.com") == 5


# ----- Supabase Auth tokens -------------------------------------------------------------------


def supabase_token(key: object, algorithm: str = "HS256", **overrides: object) -> str:
    now = int(time.time())
    claims = {
        "sub": str(uuid.uuid4()),
        "email": "supa@example.com",
        "aud": "authenticated",
        "role": "authenticated",
        "iss": ISSUER,
        "iat": now,
        "exp": now + 3600,
        **overrides,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    headers = {"kid": "test-key"} if algorithm != "HS256" else None
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


def test_a_supabase_hs256_token_signs_the_learner_in(platform: Platform) -> None:
    learner_id = uuid.uuid4()
    token = supabase_token(SUPABASE_SECRET, sub=str(learner_id))
    me = auth.me(platform.url, token)
    assert (me.id, me.email, me.signed_in_via, me.status) == (str(learner_id), "supa@example.com", "supabase", "trial")
    assert auth.me(platform.servers[1].url, token).id == str(learner_id)  # the profile is made once
    assert len(platform.sql("SELECT 1 FROM user_profiles WHERE id = :id", id=learner_id)) == 1


def test_a_supabase_token_from_the_projects_jwks_is_accepted(platform: Platform, jwks: Jwks) -> None:
    token = supabase_token(jwks.private_key, "RS256", email="rsa@example.com")
    assert auth.me(platform.url, token).email == "rsa@example.com"


@pytest.mark.parametrize(
    ("case", "overrides"),
    [
        ("wrong secret", {"key": "another-secret-that-is-also-32-characters-long"}),
        ("expired", {"exp": int(time.time()) - 120}),
        ("other audience", {"aud": "somebody-else"}),
        ("other issuer", {"iss": "https://evil.example/auth/v1"}),
        ("anon key", {"role": "anon"}),
        ("service role", {"role": "service_role"}),
        ("no subject", {"sub": None}),
        ("no expiry", {"exp": None}),
    ],
)
def test_bad_supabase_tokens_are_refused(platform: Platform, case: str, overrides: dict[str, object]) -> None:
    key = overrides.pop("key", SUPABASE_SECRET)
    token = supabase_token(key, **overrides)
    response = httpx.get(f"{platform.url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, case
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert platform.sql("SELECT 1 FROM user_profiles") == []

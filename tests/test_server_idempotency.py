"""Idempotency-Key on writes: a retried write is applied once, on any replica, even when the
retry races the original."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from patternlift_cli import errors
from patternlift_cli.remote.client import ServerClient
from tests.server_support import Platform, sign_in


@pytest.fixture
def alice(platform: Platform) -> dict[str, str]:
    token = sign_in(platform, "alice@example.com")
    return {"Authorization": f"Bearer {token.access_token}", "id": token.learner_id}


@pytest.fixture(params=["/test/notes", "/test/held/notes"], ids=["own-transactions", "held-transaction"])
def notes_path(request: pytest.FixtureRequest) -> str:
    """Each test runs on both route classes: IdempotentRoute, and HeldTransactionRoute (the
    learning routes), whose token check, claim, write and stored response are one transaction."""
    return request.param


def headers(learner: dict[str, str], key: str | None) -> dict[str, str]:
    sent = {"Authorization": learner["Authorization"]}
    if key is not None:
        sent["Idempotency-Key"] = key
    return sent


def notes(platform: Platform) -> int:
    return len(platform.sql("SELECT 1 FROM user_achievements"))


def test_a_retried_write_is_applied_once_across_replicas(platform: Platform, alice, notes_path: str) -> None:
    key = str(uuid.uuid4())
    first = httpx.post(f"{platform.servers[0].url}{notes_path}", json={"text": "hi"}, headers=headers(alice, key))
    retry = httpx.post(f"{platform.servers[1].url}{notes_path}", json={"text": "hi"}, headers=headers(alice, key))
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert notes(platform) == 1


def test_writes_without_a_key_are_each_applied(platform: Platform, alice, notes_path: str) -> None:
    for _ in range(2):
        assert httpx.post(f"{platform.url}{notes_path}", json={"text": "hi"}, headers=headers(alice, None)).status_code == 201
    assert notes(platform) == 2


def test_a_key_reused_for_another_request_is_refused(platform: Platform, alice, notes_path: str) -> None:
    key = "reused-key"
    httpx.post(f"{platform.url}{notes_path}", json={"text": "one"}, headers=headers(alice, key))
    other = httpx.post(f"{platform.url}{notes_path}", json={"text": "two"}, headers=headers(alice, key))
    assert other.status_code == 422 and other.json()["type"] == "urn:patternlift:problem:idempotency-key-reused"
    assert notes(platform) == 1


def test_keys_belong_to_their_learner(platform: Platform, alice, notes_path: str) -> None:
    bob_token = sign_in(platform, "bob@example.com")
    bob = {"Authorization": f"Bearer {bob_token.access_token}"}
    for learner in (alice, bob):
        response = httpx.post(f"{platform.url}{notes_path}", json={"text": "hi"}, headers=headers(learner, "same-key"))
        assert response.status_code == 201 and "idempotent-replayed" not in response.headers
    assert notes(platform) == 2


def test_a_write_that_rolled_back_claims_nothing(platform: Platform, alice, notes_path: str) -> None:
    key = "failing-write"
    for _ in range(2):  # runs again each time: nothing was applied, so nothing is replayed
        response = httpx.post(f"{platform.url}{notes_path}", json={"text": "x", "fail": True}, headers=headers(alice, key))
        assert response.status_code == 400 and "idempotent-replayed" not in response.headers
    assert notes(platform) == 0 and platform.sql("SELECT 1 FROM idempotency_keys") == []


def test_a_duplicate_racing_the_original_on_another_replica_waits_and_replays(platform: Platform, alice, notes_path: str) -> None:
    key = str(uuid.uuid4())
    token = alice["Authorization"].removeprefix("Bearer ")

    def send(server: str, delay: float) -> dict[str, str]:
        time.sleep(delay)
        with ServerClient(server, token=token, max_attempts=10) as client:
            response = client.request(
                "POST", notes_path, json={"text": "race", "hold_seconds": 0.8}, idempotent=True, idempotency_key=key
            )
        return response.json()

    with ThreadPoolExecutor(max_workers=2) as pool:
        original = pool.submit(send, platform.servers[0].url, 0.0)
        duplicate = pool.submit(send, platform.servers[1].url, 0.3)
        assert original.result(timeout=30) == duplicate.result(timeout=30)
    assert notes(platform) == 1


def test_keys_expire_after_a_day(platform: Platform, alice, notes_path: str) -> None:
    key = "yesterday"
    httpx.post(f"{platform.url}{notes_path}", json={"text": "hi"}, headers=headers(alice, key))
    platform.clock.set(25 * 3600)
    again = httpx.post(f"{platform.url}{notes_path}", json={"text": "hi"}, headers=headers(alice, key))
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert notes(platform) == 2


@pytest.mark.parametrize("key", ["has space", "x" * 256, "tab\tkey"])
def test_a_malformed_key_is_a_400_problem(platform: Platform, alice, key: str, notes_path: str) -> None:
    response = httpx.post(f"{platform.url}{notes_path}", json={"text": "hi"}, headers=headers(alice, key))
    assert response.status_code == 400 and response.json()["type"] == "urn:patternlift:problem:usage"
    with pytest.raises(errors.UsageError, match="Idempotency-Key must be"):
        from patternlift_cli.remote.client import raise_for_problem

        raise_for_problem(response)
    assert notes(platform) == 0


def test_a_revoked_token_claims_nothing(platform: Platform, alice, notes_path: str) -> None:
    platform.sql("DELETE FROM auth_access_tokens WHERE user_id = CAST(:id AS uuid)", id=alice["id"])
    response = httpx.post(f"{platform.url}{notes_path}", json={"text": "hi"}, headers=headers(alice, "after-logout"))
    assert response.status_code == 401
    assert notes(platform) == 0 and platform.sql("SELECT 1 FROM idempotency_keys") == []

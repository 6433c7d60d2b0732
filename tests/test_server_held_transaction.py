"""The learning routes' one transaction per write (server/request_transaction.py), in process
on the test PostgreSQL: an answer is one pooled checkout and one commit, and behind a
transaction pooler (no pipeline) a retried write is still applied once and replayed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import event

from patternlift_cli.config import Settings
from patternlift_cli.content.version import content_version
from patternlift_cli.ports.learning_requests import CONTENT_HEADER
from tests.server_support import PEPPER, MailBox, Platform, sign_in


@contextmanager
def in_process(platform: Platform, mailbox: MailBox, **overrides: object) -> Iterator[TestClient]:
    from patternlift_cli.server import create_app
    from patternlift_cli.server.idempotency import HeldTransactionRoute
    from tests.fakes.server_app import _test_router

    settings = Settings(
        database_url=platform.database_url, auth_pepper=SecretStr(PEPPER),
        smtp_url=SecretStr(f"smtp://{mailbox.host}:{mailbox.port}"), smtp_from="no-reply@patternlift.test",
        **overrides,
    )
    app = create_app(settings)
    app.include_router(_test_router("/test/held", HeldTransactionRoute))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def learner(platform: Platform) -> dict[str, str]:
    token = sign_in(platform, "held@example.com")
    return {"Authorization": f"Bearer {token.access_token}", CONTENT_HEADER: content_version()}


def test_an_answer_is_one_checkout_and_one_commit(platform: Platform, mailbox: MailBox, learner) -> None:
    with in_process(platform, mailbox) as client:
        def post(path: str, body: dict | None = None) -> dict:
            response = client.post(path, json=body, headers={**learner, "Idempotency-Key": str(uuid.uuid4())})
            assert response.status_code < 400, response.text
            return response.json()

        base = f"/v1/learning/sessions/{post('/v1/learning/sessions', {'pattern_id': 'two-pointers'})['session_id']}"
        post(f"{base}/calibration", {"responses": None})
        post(f"{base}/lesson/complete")
        question = post(f"{base}/knowledge-check")["questions"][0]
        seen: list[str] = []
        engine = client.app.state.engine  # type: ignore[attr-defined]
        event.listen(engine, "checkout", lambda *_: seen.append("checkout"))
        event.listen(engine, "commit", lambda *_: seen.append("commit"))
        key = str(uuid.uuid4())
        answer = {"question_id": question["id"], "response": (question["choices"] or ["O(n)"])[0], "seconds": 4.0}
        first = client.post(f"{base}/answers", json=answer, headers={**learner, "Idempotency-Key": key})
        assert first.status_code == 200 and seen == ["checkout", "commit"]
        retry = client.post(f"{base}/answers", json=answer, headers={**learner, "Idempotency-Key": key})
        assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"
        attempts = platform.sql("SELECT 1 FROM learning_attempts WHERE session_id = CAST(:id AS uuid)", id=base.rsplit("/", 1)[1])
        assert len(attempts) == 1


def test_behind_a_transaction_pooler_a_retry_is_replayed(platform: Platform, mailbox: MailBox, learner) -> None:
    with in_process(platform, mailbox, db_prepared_statements=False) as client:
        sent = {"Authorization": learner["Authorization"], "Idempotency-Key": "pooled"}
        first = client.post("/test/held/notes", json={"text": "hi"}, headers=sent)
        retry = client.post("/test/held/notes", json={"text": "hi"}, headers=sent)
        assert first.status_code == retry.status_code == 201
        assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"
        assert len(platform.sql("SELECT 1 FROM user_achievements WHERE achievement_id LIKE 'note-%'")) == 1


def test_a_token_check_that_wrote_nothing_rolls_nothing_back(platform: Platform, mailbox: MailBox, learner) -> None:
    """Opening a session ends the token check's transaction before its own (the catalogue sync
    runs between them): with COMMIT, since a ROLLBACK makes psycopg forget every statement it
    had prepared on the pooled connection, which the next requests there then plan again."""
    with in_process(platform, mailbox) as client:
        seen: list[str] = []
        engine = client.app.state.engine  # type: ignore[attr-defined]
        event.listen(engine, "rollback", lambda *_: seen.append("rollback"))
        response = client.post("/v1/learning/sessions", json={"pattern_id": "two-pointers"},
                               headers={**learner, "Idempotency-Key": str(uuid.uuid4())})
        assert response.status_code == 200, response.text
        assert seen == []

"""The same app in-process (Starlette's TestClient) on SQLite, the one-machine trial: every
dialect branch of sign-in, rate limits and idempotency runs there too."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from patternlift_cli.config import Settings
from patternlift_cli.errors import SchemaOutOfDateError
from tests.server_support import PEPPER, MailBox


def trial_settings(database: Path, mailbox: MailBox, **overrides: object) -> Settings:
    return Settings(
        database_url=f"sqlite:///{database}",
        auth_pepper=SecretStr(PEPPER),
        smtp_url=SecretStr(f"smtp://{mailbox.host}:{mailbox.port}"),
        smtp_from="no-reply@patternlift.test",
        **overrides,
    )


@pytest.fixture
def client(sqlite_template: Path, tmp_path: Path, mailbox: MailBox, home: Path) -> Iterator[TestClient]:
    from patternlift_cli.server import create_app
    from tests.fakes.server_app import _test_router

    database = tmp_path / "trial.db"
    shutil.copyfile(sqlite_template, database)
    mailbox.clear()
    app = create_app(trial_settings(database, mailbox, auth_code_requests_per_email=2))
    app.include_router(_test_router())
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


def sign_in(client: TestClient, mailbox: MailBox, email: str) -> dict[str, str]:
    assert client.post("/v1/auth/email-code", json={"email": email}).status_code == 202
    token = client.post("/v1/auth/token", json={"email": email, "code": mailbox.code_for(email)}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_sign_in_and_sign_out_on_sqlite(client: TestClient, mailbox: MailBox) -> None:
    headers = sign_in(client, mailbox, "trial@example.com")
    me = client.get("/v1/me", headers=headers).json()
    assert (me["email"], me["ai_limit_usd"], me["status"]) == ("trial@example.com", "3.000000", "trial")
    assert client.get("/readyz").json()["database"] == "sqlite"
    assert client.delete("/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/v1/me", headers=headers).status_code == 401


def test_rate_limits_and_idempotency_on_sqlite(client: TestClient, mailbox: MailBox) -> None:
    headers = sign_in(client, mailbox, "trial@example.com")
    assert client.post("/v1/auth/email-code", json={"email": "trial@example.com"}).status_code == 202
    assert client.post("/v1/auth/email-code", json={"email": "trial@example.com"}).status_code == 429
    keyed = {**headers, "Idempotency-Key": "k-1"}
    first = client.post("/test/notes", json={"text": "hi"}, headers=keyed)
    again = client.post("/test/notes", json={"text": "hi"}, headers=keyed)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(client.get("/test/profiles", headers=headers).json()) == 1


def test_the_app_will_not_start_on_a_database_without_its_schema(tmp_path: Path, mailbox: MailBox, home: Path) -> None:
    from patternlift_cli.server import create_app

    app = create_app(trial_settings(tmp_path / "empty.db", mailbox))
    with pytest.raises(SchemaOutOfDateError, match="has no PatternLift schema"):
        with TestClient(app):
            pass
    app.state.engine.dispose()

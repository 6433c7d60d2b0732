"""`/v1/ai/...` in-process (Starlette's TestClient) on SQLite, the one-machine trial: the wire
format of a streamed reply, and a server that has no provider key."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.fakes.openai_server import REPLY_WORDS, FakeOpenAI
from tests.server_support import MailBox
from tests.test_server_inprocess import sign_in, trial_settings

ASK = {"kind": "question", "pattern_id": "two-pointers", "question": "Why sorted input?"}


@pytest.fixture
def trial_server(sqlite_template: Path, tmp_path: Path, mailbox: MailBox, home: Path) -> Iterator[TestClient]:
    from patternlift_cli.server import create_app

    database = tmp_path / "trial.db"
    shutil.copyfile(sqlite_template, database)
    mailbox.clear()
    app = create_app(trial_settings(database, mailbox))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch, home: Path) -> Iterator[FakeOpenAI]:
    """The server process's provider settings (the server reads them from its own environment)."""
    from tests.conftest import reset_caches

    with FakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-platform-test")
        monkeypatch.setenv("PATTERNLIFT_AI_BASE_URL", fake.base_url)
        monkeypatch.setenv("PATTERNLIFT_AI_MODEL", "tutor-test")
        monkeypatch.setenv("PATTERNLIFT_AI_PRICE_OVERRIDES", '{"tutor-test": {"input": "1", "output": "2"}}')
        monkeypatch.setenv("PATTERNLIFT_AI_TIMEOUT_SECONDS", "1")
        reset_caches()
        yield fake


def events(body: str) -> list[tuple[str, dict]]:
    parsed = []
    for block in body.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith(":")]
        if lines:
            kind = lines[0].removeprefix("event: ")
            parsed.append((kind, json.loads(lines[1].removeprefix("data: "))))
    return parsed


def test_a_reply_streams_as_deltas_then_one_done_event_with_exact_money(provider, trial_server, mailbox) -> None:
    headers = sign_in(trial_server, mailbox, "trial@example.com")
    response = trial_server.post("/v1/ai/chat", json=ASK, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    received = events(response.text)
    deltas = [data["text"] for kind, data in received if kind == "delta"]
    assert "".join(deltas) == " ".join(REPLY_WORDS) and len(deltas) == len(REPLY_WORDS)
    kind, done = received[-1]
    assert kind == "done" and [kind for kind, _ in received].count("done") == 1
    assert set(done) == {"interaction_id", "prompt_tokens", "completion_tokens", "cost_usd", "month_total_usd",
                         "limit_usd"}
    assert done["limit_usd"] == "3.000000" and done["completion_tokens"] == len(REPLY_WORDS)
    cost = (Decimal(done["prompt_tokens"]) + 2 * Decimal(done["completion_tokens"])) / Decimal(1_000_000)
    assert done["cost_usd"] == str(cost.quantize(Decimal("0.000001"), rounding="ROUND_CEILING"))
    assert done["month_total_usd"] == done["cost_usd"] and len(done["cost_usd"].split(".")[1]) == 6

    usage = trial_server.get("/v1/ai/usage?last=5", headers=headers).json()
    assert usage["spent_usd"] == done["cost_usd"] and usage["recent"][0]["id"] == done["interaction_id"]
    assert trial_server.get("/v1/ai/usage?month=January", headers=headers).status_code == 400
    rated = trial_server.post(f"/v1/ai/interactions/{done['interaction_id']}/rating", json={"rating": 9},
                              headers=headers)
    assert rated.status_code == 422  # 1-5 only


def test_a_server_without_a_provider_key_says_so_without_telling_the_learner_to_set_one(
    trial_server, mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import reset_caches

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    reset_caches()
    headers = sign_in(trial_server, mailbox, "trial@example.com")
    status = trial_server.get("/v1/ai/status", headers=headers).json()
    assert status == {"ready": False, "message": "The AI tutor is off on this server: it has no AI provider key."}
    refused = trial_server.post("/v1/ai/chat", json=ASK, headers=headers)
    assert refused.status_code == 503 and refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"].endswith(":ai-not-configured") and "server's operator" in problem["hint"]
    assert "config set-key" not in problem["detail"]
    assert trial_server.post("/v1/ai/chat", json=ASK).status_code == 401

"""The AI tutor through the server: real uvicorn replicas on PostgreSQL, the fake OpenAI-compatible
provider behind them, and the CLI (or RemoteTutor) on a machine with no provider key.

The server holds the key and the prices; the learner's machine holds a token. What is
recorded is checked in the server's database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from patternlift_cli.domain.budget import next_reset
from patternlift_cli.errors import BudgetExceededError, NotEntitledError, ProviderError, ServerUnreachableError
from tests.fakes.openai_server import REPLY_WORDS, FakeOpenAI
from tests.server_support import Platform, reset, running_platform, sign_in

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_KEY = "sk-platform-only-" + "k" * 16
PRICES = '{"tutor-test": {"input": "1", "output": "2"}}'  # $1 / $2 per million tokens
EMAIL = "ada@example.com"

# One worker runs them all: they share the module's replicas and the fake provider.
pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("server-ai")]


def ai_settings(provider: FakeOpenAI, **extra: str) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": PLATFORM_KEY,
        "PATTERNLIFT_AI_BASE_URL": provider.base_url,
        "PATTERNLIFT_AI_MODEL": "tutor-test",
        "PATTERNLIFT_AI_PRICE_OVERRIDES": PRICES,
        "PATTERNLIFT_AI_TIMEOUT_SECONDS": "1",
        "PATTERNLIFT_AI_PROMPT_MAX_CHARS": "2000",
        **extra,
    }


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture(scope="module")
def ai_platform(pg_database_url, mailbox, provider, tmp_path_factory) -> Iterator[Platform]:
    with running_platform(tmp_path_factory.mktemp("ai-platform"), pg_database_url, mailbox,
                          **ai_settings(provider)) as platform:
        yield platform


@pytest.fixture
def ai(ai_platform: Platform, provider: FakeOpenAI, home: Path) -> Platform:
    """The replicas with an empty database and the provider back to answering well."""
    provider.behaviours.clear()
    provider.requests.clear()
    provider.authorizations.clear()
    provider.default, provider.chunk_delay = "ok", 0.0
    provider.started.clear()
    return reset(ai_platform)


def learner_token(platform: Platform) -> str:
    return sign_in(platform, EMAIL).access_token


def remote_tutor(url: str, token: str):  # -> RemoteTutor
    from patternlift_cli.remote.client import ServerClient
    from patternlift_cli.remote.tutor import RemoteTutor

    return RemoteTutor(ServerClient(url, token=token, timeout_seconds=15, max_attempts=1))


def cli_env(home: Path, server_url: str, token: str, **extra: str) -> dict[str, str]:
    """The learner's machine: a server and a token, no provider key anywhere."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PATTERNLIFT_") and key != "OPENAI_API_KEY"}
    env.update(PATTERNLIFT_HOME=str(home / "learner-machine"), PATTERNLIFT_SERVER_URL=server_url,
               PATTERNLIFT_TOKEN=token, PYTHONPATH=str(ROOT), COLUMNS="120", NO_COLOR="1", **extra)
    return env


def cli(env: dict[str, str], *args: str, **options) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "patternlift_cli", *args], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **options)


def run_cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = cli(env, *args)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def interactions(platform: Platform) -> list:
    return platform.sql("SELECT id, interaction_type, model_used, prompt_tokens, completion_tokens, cost_usd, "
                        "user_feedback FROM ai_interactions ORDER BY created_at")


def profile(platform: Platform):
    (row,) = platform.sql("SELECT current_month_ai_cost, current_month_ai_reserved FROM user_profiles")
    return row


def open_reservations(platform: Platform) -> list:
    return platform.sql("SELECT id, amount_usd, prompt_token_bound, max_completion_tokens, expires_at "
                        "FROM ai_budget_reservations")


def wait_for(condition, what: str, timeout: float = 60.0):  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def month_start() -> datetime:
    return datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


# ----- the CLI in connected mode -----------------------------------------------------------------


def test_connected_ask_streams_the_reply_with_its_cost_and_usage_shows_it(ai: Platform, provider, home) -> None:
    env = cli_env(home, ai.url, learner_token(ai))
    code, out, err = run_cli(env, "ask", "two-pointers", "Why must the input be sorted?")
    assert code == 0, err
    assert out.startswith("Look at what your loop does")
    assert "AI cost $" in err and "of $3.00" in err and "AI cost" not in out
    assert "Why must the input be sorted?" in provider.requests[-1]["messages"][-1]["content"]

    (row,) = interactions(ai)
    assert (row.interaction_type, row.model_used, row.completion_tokens) == ("question", "tutor-test", len(REPLY_WORDS))
    expected = (Decimal(row.prompt_tokens) + 2 * Decimal(row.completion_tokens)) / Decimal(1_000_000)
    assert row.cost_usd == expected.quantize(Decimal("0.000001"), rounding="ROUND_CEILING") > 0
    assert profile(ai).current_month_ai_cost == row.cost_usd and open_reservations(ai) == []

    code, out, err = run_cli(env, "usage", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["spent_usd"] == str(row.cost_usd) and summary["calls"] == 1
    assert summary["limit_usd"] == "3.000000" and summary["open_reservations"] == 0
    assert summary["recent"][0]["id"] == str(row.id) and summary["by_model"][0]["name"] == "tutor-test"

    code, out, err = run_cli(env, "usage")
    assert code == 0 and "AI usage" in out and "resets" in out, err


def test_the_learners_machine_needs_no_provider_key_and_cannot_set_the_price(ai: Platform, provider, home) -> None:
    """No OPENAI_API_KEY, an empty keyring, and a price table of its own that says "free":
    the reply is paid with the platform's key at the platform's price."""
    env = cli_env(home, ai.url, learner_token(ai),
                  PATTERNLIFT_AI_PRICE_OVERRIDES='{"tutor-test": {"input": "0", "output": "0"}}',
                  PATTERNLIFT_AI_MODEL="tutor-test")
    code, out, _ = run_cli(env, "config", "show", "--json")
    assert code == 0 and json.loads(out)["keys"]["openai"]["source"] is None

    code, out, err = run_cli(env, "ask", "two-pointers", "Anything?", "--json")
    assert code == 0, err
    reply = json.loads(out)
    assert Decimal(reply["cost_usd"]) > 0 and reply["text"].startswith("Look at what")
    assert provider.authorizations == [f"Bearer {PLATFORM_KEY}"]
    (row,) = interactions(ai)
    assert str(row.id) == reply["interaction_id"] and row.cost_usd == Decimal(reply["cost_usd"])
    assert reply["prompt_tokens"] == row.prompt_tokens and reply["completion_tokens"] == row.completion_tokens


def test_refusals_before_the_reply_are_problems_with_the_solo_message_and_exit_code(ai: Platform, provider, home) -> None:
    token = learner_token(ai)
    ai.sql("UPDATE user_profiles SET current_month_ai_cost = 3.00, ai_cost_month = :month", month=month_start().date())
    response = httpx.post(f"{ai.url}/v1/ai/chat", json={"kind": "question", "pattern_id": "two-pointers",
                                                        "question": "Anything?"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 402 and response.headers["content-type"] == "application/problem+json"
    reset_day = f"{next_reset(datetime.now(UTC)):%Y-%m-%d}"
    assert response.json()["detail"] == (
        f"AI budget reached: $3.00 of $3.00 spent this month (resets {reset_day} 00:00 UTC).")

    code, _, err = run_cli(cli_env(home, ai.url, token), "ask", "two-pointers", "Anything?")
    assert code == 12 and "AI budget reached: $3.00 of $3.00" in err and "Traceback" not in err

    ai.sql("UPDATE user_profiles SET current_month_ai_cost = 0, subscription_status = 'unpaid'")
    with pytest.raises(NotEntitledError, match="patternlift subscribe|active plan"):
        remote_tutor(ai.url, token).reply("question", pattern_id="two-pointers", question="Anything?")
    assert provider.requests == [] and interactions(ai) == [] and open_reservations(ai) == []


def test_status_rating_and_a_hint_through_the_server(ai: Platform, provider, home) -> None:
    tutor = remote_tutor(ai.url, learner_token(ai))
    status = tutor.status()
    assert status.ready and "tutor-test" in status.message
    streamed: list[str] = []
    reply = tutor.reply("explain", pattern_id="two-pointers", on_text=streamed.append)
    assert reply.text == "".join(streamed) and len(streamed) == len(REPLY_WORDS)
    tutor.rate(reply.interaction_id, 4)
    (row,) = interactions(ai)
    assert (row.id, row.interaction_type, row.user_feedback) == (reply.interaction_id, "explain", 4)
    assert reply.month_total_usd == reply.cost_usd == row.cost_usd and reply.limit_usd == Decimal("3.00")

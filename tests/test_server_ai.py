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
from patternlift_cli.errors import (
    NotEntitledError,
    ProviderError,
    ServerUnreachableError,
)
from tests.fakes.openai_server import REPLY_WORDS, FakeOpenAI
from tests.server_support import Platform, reset, running_platform, sign_in

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_KEY = "sk-platform-only-" + "k" * 16
PRICES = '{"tutor-test": {"input": "1", "output": "2"}}'  # $1 / $2 per million tokens
EMAIL = "ada@example.com"

# Each xdist worker that runs some of these starts its own replicas and fake provider (module
# fixtures); keeping them all on one worker made them the suite's longest tail.
pytestmark = [pytest.mark.postgres]


def ai_settings(provider: FakeOpenAI, **extra: str) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": PLATFORM_KEY,
        "PATTERNLIFT_AI_BASE_URL": provider.base_url,
        "PATTERNLIFT_AI_MODEL": "tutor-test",
        "PATTERNLIFT_AI_PRICE_OVERRIDES": PRICES,
        "PATTERNLIFT_AI_TIMEOUT_SECONDS": "2",  # the fake's "slow" answers after 3 s
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
           if not key.startswith("PATTERNLIFT_") and key not in ("OPENAI_API_KEY", "PYTHONDONTWRITEBYTECODE")}
    # Bytecode is kept, as an installed CLI's is, in the suite's shared cache (conftest): a cache
    # of the test's own would compile every library again in each test (~3 s more CPU for its first process).
    env.update(PATTERNLIFT_HOME=str(home / "learner-machine"), PATTERNLIFT_SERVER_URL=server_url,
               PATTERNLIFT_TOKEN=token, PYTHONPATH=str(ROOT), COLUMNS="120", NO_COLOR="1", **extra)
    return env


def warm_up(env: dict[str, str]) -> None:
    """What an installed CLI has after its first run: bytecode and the parsed curriculum, so 64
    processes started at once do not each compile and parse it all over again."""
    warm = ("import patternlift_cli.cli.app, patternlift_cli.cli.commands.ask, patternlift_cli.remote.learner, "
            "patternlift_cli.remote.tutor; from patternlift_cli.content.loader import get_pattern; "
            "get_pattern('two-pointers')")
    subprocess.run([sys.executable, "-c", warm], cwd=ROOT, env=env, check=True, timeout=120)
    code, _, err = run_cli(env, "usage", "--json")  # and the rest of a connected command's imports
    assert code == 0, err


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


def wait_for(condition, what: str, timeout: float = 60.0):
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


# ----- the provider misbehaving behind the server --------------------------------------------


def ask_remote(platform: Platform, token: str, **kwargs):
    return remote_tutor(platform.url, token).reply("question", pattern_id="two-pointers", question="Why?", **kwargs)


def test_a_stream_cut_before_usage_reaches_the_learner_as_its_worst_case(ai: Platform, provider, home) -> None:
    provider.script("cut")
    streamed: list[str] = []
    with pytest.raises(ProviderError, match="broke off.*worst-case cost"):
        ask_remote(ai, learner_token(ai), on_text=streamed.append)
    assert "".join(streamed) == " ".join(REPLY_WORDS[:3])  # the text came through before the cut
    (row,) = interactions(ai)
    assert row.completion_tokens == 700 and row.cost_usd > Decimal("0.0014")  # never zero
    assert profile(ai).current_month_ai_cost == row.cost_usd and open_reservations(ai) == []
    assert len(provider.requests) == 1  # a billed attempt is not silently retried


def test_a_429_then_success_and_a_timeout_then_success_charge_only_the_reply(ai: Platform, provider, home) -> None:
    token = learner_token(ai)
    provider.script("429")
    first = ask_remote(ai, token)
    assert len(provider.requests) == 2
    provider.script("slow")  # past the server's 2 s provider timeout, before any token
    second = ask_remote(ai, token)
    assert len(provider.requests) == 4
    rows = interactions(ai)
    assert [row.id for row in rows] == [first.interaction_id, second.interaction_id]
    assert profile(ai).current_month_ai_cost == first.cost_usd + second.cost_usd == second.month_total_usd
    assert open_reservations(ai) == []


def test_500s_on_every_attempt_cost_nothing(ai: Platform, provider, home) -> None:
    provider.script("500", "500", "500")
    with pytest.raises(ProviderError, match="failed after 3 attempts: HTTP 500") as refused:
        ask_remote(ai, learner_token(ai))
    assert refused.value.exit_code == 15 and "Nothing was charged" in (refused.value.hint or "")
    assert interactions(ai) == [] and open_reservations(ai) == []
    assert profile(ai).current_month_ai_cost in (None, Decimal(0)) and profile(ai).current_month_ai_reserved == 0


def test_a_provider_that_bills_past_the_worst_case_is_recorded_as_billed_and_its_model_refused(
    ai: Platform, provider, home
) -> None:
    token = learner_token(ai)
    provider.script("overrun")  # reports 50 times the completion tokens it was allowed
    reply = ask_remote(ai, token)
    (row,) = interactions(ai)
    assert row.completion_tokens == 700 * 50 and row.cost_usd == reply.cost_usd  # as the provider billed
    (trust,) = ai.sql("SELECT model_used, billed_usd, reserved_usd FROM ai_model_trust")
    assert trust.model_used == "tutor-test" and trust.billed_usd == row.cost_usd > trust.reserved_usd

    # Every replica refuses the model now, and tells the learner it is the operator's to fix.
    code, _, err = run_cli(cli_env(home, ai.servers[1].url, token), "ask", "two-pointers", "Again?")
    assert code == 14 and "PATTERNLIFT_AI_PRICE_OVERRIDES" in err and "operator" in err
    assert len(provider.requests) == 1 and open_reservations(ai) == []


# ----- the client or the replica going away -------------------------------------------------------


def test_a_cli_killed_mid_stream_still_gets_its_reply_recorded(ai: Platform, provider, home) -> None:
    provider.chunk_delay = 0.2  # ~3 s of streaming: the kill lands in the middle
    process = cli(cli_env(home, ai.url, learner_token(ai)), "ask", "two-pointers", "Why?")
    assert process.stdout.read(4) == "Look"  # the reply is streaming to the terminal
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    (row,) = wait_for(lambda: interactions(ai), "the reply recorded after the client died")
    # The server finished the provider call: the real usage, not a guess.
    assert row.completion_tokens == len(REPLY_WORDS) and row.cost_usd > 0
    assert profile(ai).current_month_ai_cost == row.cost_usd and open_reservations(ai) == []


def test_a_replica_killed_mid_call_leaves_a_hold_charged_at_its_worst_case_on_expiry(
    ai: Platform, provider, home, mailbox, tmp_path
) -> None:
    """A killed call is never free: its hold blocks its money until it expires, then the next
    call of that learner, on any replica, records it at its worst case."""
    token = learner_token(ai)
    # A replica of its own, so killing it leaves the module's replicas running; a provider
    # timeout long enough that the replica is still waiting when it dies.
    with running_platform(tmp_path, ai.database_url, mailbox, replicas=1,
                          **ai_settings(provider, PATTERNLIFT_AI_TIMEOUT_SECONDS="20",
                                        PATTERNLIFT_AI_RESERVATION_TTL_SECONDS="60")) as doomed:
        provider.script("hang")
        failures: list[BaseException] = []

        def call() -> None:
            try:
                ask_remote(doomed, token)
            except BaseException as error:  # noqa: BLE001 -- reported below
                failures.append(error)

        caller = threading.Thread(target=call)
        caller.start()
        assert provider.started.wait(timeout=60), "the replica never reached the provider"
        os.killpg(doomed.servers[0].process.pid, signal.SIGKILL)
        caller.join(timeout=60)
    assert len(failures) == 1 and isinstance(failures[0], ServerUnreachableError)

    (held,) = open_reservations(ai)
    assert held.amount_usd > 0 and interactions(ai) == []
    assert profile(ai).current_month_ai_reserved == held.amount_usd  # still counts against the limit

    ai.clock.set(120)  # past the hold's 60 s
    reply = ask_remote(ai, token)
    assert open_reservations(ai) == []
    charged = {row.id: row for row in interactions(ai)}[held.id]
    assert (charged.prompt_tokens, charged.completion_tokens, charged.cost_usd) == (
        held.prompt_token_bound, held.max_completion_tokens, held.amount_usd)
    assert profile(ai).current_month_ai_cost == held.amount_usd + reply.cost_usd == reply.month_total_usd
    assert profile(ai).current_month_ai_reserved == 0


def test_a_replica_shut_down_mid_stream_finishes_the_reply_before_it_exits(
    ai: Platform, provider, home, mailbox, tmp_path
) -> None:
    """SIGTERM (a deploy, a scale-down): the stream to the client is cut, the reply is not."""
    token = learner_token(ai)
    provider.chunk_delay = 0.2  # ~3 s of streaming, past uvicorn's 2 s graceful shutdown
    with running_platform(tmp_path, ai.database_url, mailbox, replicas=1, **ai_settings(provider)) as leaving:
        streamed: list[str] = []
        caller = threading.Thread(target=lambda: pytest.raises(ServerUnreachableError, ask_remote, leaving, token,
                                                                on_text=streamed.append))
        caller.start()
        wait_for(lambda: streamed, "the reply streaming")
        leaving.servers[0].terminate()
        assert leaving.servers[0].process.wait(timeout=60) is not None
        caller.join(timeout=60)
    (row,) = interactions(ai)
    assert row.completion_tokens == len(REPLY_WORDS)  # finished and settled with its real usage
    assert profile(ai).current_month_ai_cost == row.cost_usd and open_reservations(ai) == []


# ----- the cap across replicas ---------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_cap_holds_across_two_replicas_and_64_concurrent_ask_processes(ai: Platform, provider, home) -> None:
    provider.chunk_delay = 0.01  # each reply streams for ~0.15 s, so the calls overlap
    token = learner_token(ai)
    start = Decimal("2.99")
    ai.sql("UPDATE user_profiles SET current_month_ai_cost = :spent, ai_cost_month = :month",
           spent=start, month=month_start().date())
    # Patient clients: 64 processes on a shared machine can wait a while for their turn.
    envs = [cli_env(home, server.url, token, PATTERNLIFT_SERVER_TIMEOUT_SECONDS="120") for server in ai.servers]
    warm_up(envs[0])
    # Niced: 64 interpreters starting at once otherwise starve the tests running beside this one
    # (a replica another test started did not answer /healthz within 30 s on a 2-core machine).
    processes = [cli(envs[index % 2], "ask", "two-pointers", "Why sorted input?", "--json",
                     preexec_fn=lambda: os.nice(10)) for index in range(64)]
    outcomes = []
    try:
        for process in processes:
            out, err = process.communicate(timeout=500)
            outcomes.append((process.returncode, json.loads(out) if out.strip() else {"stderr": err}))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    ok = {reply["interaction_id"]: Decimal(reply["cost_usd"]) for code, reply in outcomes if code == 0}
    refused = [reply["error"] for code, reply in outcomes if code == 12]
    # On a starved machine a stream can stall past the provider timeout: that reply broke off
    # and was recorded at its worst case, which the cap must hold with too.
    broke = [reply["error"] for code, reply in outcomes if code == 15]
    assert all("recorded at its worst-case cost" in error["message"] for error in broke)
    assert len(ok) + len(refused) + len(broke) == 64, [o for o in outcomes if o[0] not in (0, 12, 15)][:3]
    assert ok and refused, "the test must reach the cap from below"
    assert all(error["type"] == "BudgetExceededError" and error["exit_code"] == 12
               and "of $3.00 spent this month" in error["message"] and "resets" in error["message"]
               for error in refused)

    recorded = interactions(ai)
    spent = profile(ai).current_month_ai_cost
    assert len(recorded) == len(ok) + len(broke)
    assert spent == start + sum((row.cost_usd for row in recorded), Decimal(0))
    assert {str(row.id): row.cost_usd for row in recorded if str(row.id) in ok} == ok
    assert spent <= Decimal("3.00")
    assert open_reservations(ai) == [] and profile(ai).current_month_ai_reserved == 0



def test_a_hint_in_a_connected_session_waits_to_be_scored_by_the_next_run(ai: Platform, provider, home) -> None:
    """As in solo mode, a hint is remembered in the session (written as the learner, under RLS)."""
    from patternlift_cli.remote.client import ServerClient
    from patternlift_cli.remote.learning import RemoteLearning

    token = learner_token(ai)
    session = RemoteLearning(ServerClient(ai.url, token=token, timeout_seconds=15)).open_session("two-pointers")
    reply = remote_tutor(ai.url, token).reply(
        "hint", pattern_id="two-pointers", session_id=session.session_id,
        problem_id="two-pointers-1-pair-with-target-sum", code="class Solution: ...",
        failing_case={"input": [[1, 2], 3], "expected": [0, 1], "got": None})
    (row,) = ai.sql("SELECT stage_progress::text AS progress FROM learning_sessions WHERE id = :id",
                    id=session.session_id)
    assert str(reply.interaction_id) in row.progress
    assert [(r.id, r.interaction_type) for r in interactions(ai)] == [(reply.interaction_id, "hint")]


def test_connected_learn_gets_an_ai_hint_an_explanation_and_a_review_through_the_server(
        ai: Platform, provider, home, monkeypatch) -> None:
    """`learn` in connected mode: the practice menu's AI keys and the review after a pass stream
    from the server, which records each call; the hint is told the run's diagnosis."""
    from patternlift_cli.content.loader import get_pattern
    from patternlift_cli.remote.client import ServerClient
    from patternlift_cli.remote.learning import RemoteLearning
    from tests.connected_support import use_server
    from tests.test_learn_e2e import broken, reference, right, writer
    from tests.test_learning_loop import current_question, invoke

    token = learner_token(ai)
    use_server(monkeypatch, ai.url, token, ai.database_url)
    learning = RemoteLearning(ServerClient(ai.url, token=token, timeout_seconds=15))
    pattern = get_pattern("two-pointers")
    session = learning.open_session("two-pointers")
    learning.calibrate(session.session_id, None)
    learning.complete_lesson(session.session_id)
    for _ in learning.knowledge_check(session.session_id).questions:
        question = current_question("two-pointers")  # as asked: a variant's answer depends on its seed
        learning.answer(session.session_id, question.id, right(question), 5)
    level_one = pattern.practice_problem(1)

    steps = [writer(level_one, broken(level_one)), "r", "a", "", "e", "",
             writer(level_one, reference(level_one)), "r", "y", ""]
    result = invoke(monkeypatch, ["learn", "two-pointers"], steps)
    assert result.exit_code == 0, result.output
    assert result.output.count(" ".join(REPLY_WORDS[:4])) == 3, result.output
    assert "Traceback" not in result.output
    assert [row.interaction_type for row in interactions(ai)] == ["hint", "explain", "review"]
    hint_request = json.dumps(provider.requests[0])
    assert level_one.wrong_solutions[0].diagnosis in hint_request
    assert all(auth == f"Bearer {PLATFORM_KEY}" for auth in provider.authorizations)

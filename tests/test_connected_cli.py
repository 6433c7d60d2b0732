"""Connected mode from the command line: login --server, whoami, logout, two homes, the outbox.

Every test runs the real `patternlift` commands against the real uvicorn replicas on
PostgreSQL (tests/server_support.py), signed in with a code read from the test SMTP server.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import reset_caches
from tests.server_support import Platform, free_port
from tests.test_learning_loop import invoke

EMAIL = "ada@example.com"


def _code(platform: Platform, email: str = EMAIL):
    return lambda: platform.mailbox.code_for(email)


def _wrong(platform: Platform, email: str = EMAIL):
    def line() -> str:
        code = platform.mailbox.code_for(email)
        return code[:-1] + str((int(code[-1]) + 1) % 10)

    return line


def _me(platform: Platform, token: str) -> httpx.Response:
    return httpx.get(f"{platform.url}/v1/me", headers={"Authorization": f"Bearer {token}"})


def _stored_token() -> str:
    from patternlift_cli.remote import token_store

    connection = token_store.load()
    assert connection is not None and connection.token
    return connection.token


def test_login_whoami_logout(platform: Platform, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(monkeypatch, ["login", "--server", platform.url, "--email", EMAIL], [_code(platform)])
    assert result.exit_code == 0, result.output
    assert f"Welcome! Your account and 14-day trial are created: {EMAIL} on {platform.url}." in result.output
    token = _stored_token()
    assert token not in "".join(path.read_text(errors="ignore") for path in home.rglob("*") if path.is_file())
    assert _me(platform, token).status_code == 200

    reset_caches()
    shown = invoke(monkeypatch, ["whoami"], [])
    assert shown.exit_code == 0, shown.output
    assert f"{platform.url} (connected mode)" in shown.output and EMAIL in shown.output
    as_json = json.loads(invoke(monkeypatch, ["whoami", "--json"], []).stdout)
    assert as_json["mode"] == "connected" and as_json["server"] == platform.url and as_json["email"] == EMAIL

    again = invoke(monkeypatch, ["login", "--server", platform.url, "--email", EMAIL], [_code(platform)])
    assert f"Signed in: {EMAIL} on {platform.url}." in again.output
    first, token = token, _stored_token()

    out = invoke(monkeypatch, ["logout"], [])
    assert out.exit_code == 0, out.output
    assert f"Signed out {EMAIL} from {platform.url} (token revoked)." in out.output
    assert _me(platform, token).status_code == 401
    assert _me(platform, first).status_code == 200  # only the token this machine held is revoked
    reset_caches()
    from patternlift_cli.cli.context import mode

    assert mode() == "solo"


@pytest.mark.parametrize("case", ["wrong", "expired", "locked", "no code"])
def test_sign_in_refusals_are_one_line(case: str, platform: Platform, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from patternlift_cli.errors import SignInCodeError
    from patternlift_cli.remote import auth

    def expired() -> str:
        code = platform.mailbox.code_for(EMAIL)
        platform.clock.set(11 * 60)
        return code

    def locked() -> str:
        code = platform.mailbox.code_for(EMAIL)
        for _ in range(5):
            with pytest.raises(SignInCodeError):
                auth.exchange(platform.url, EMAIL, _wrong(platform)())
        return code  # the right code, after five wrong tries

    steps = {"wrong": [_wrong(platform)], "expired": [expired], "locked": [locked], "no code": []}[case]
    result = invoke(monkeypatch, ["login", "--server", platform.url, "--email", EMAIL], steps)
    assert result.exit_code == 5, result.output
    assert "Traceback" not in result.output and result.output.count("Error:") == 1, result.output
    if case == "no code":
        assert "No sign-in code was given." in result.output
    else:
        assert "That sign-in code is wrong, used or expired." in result.output
    from patternlift_cli.remote import token_store

    assert token_store.load() is None  # nothing is remembered from a refused sign-in


def test_a_server_that_is_not_http_is_one_line(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(monkeypatch, ["login", "--server", "ftp://example.com", "--email", EMAIL], [])
    assert result.exit_code == 3, result.output
    assert "'ftp://example.com' is not a server address" in result.output and "Traceback" not in result.output


def test_an_unreachable_server_is_one_line_naming_it(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("PATTERNLIFT_SERVER_URL", url)
    monkeypatch.setenv("PATTERNLIFT_TOKEN", "plt_" + "x" * 43)
    monkeypatch.setenv("PATTERNLIFT_SERVER_MAX_ATTEMPTS", "1")
    reset_caches()
    result = invoke(monkeypatch, ["patterns"], [])
    assert result.exit_code == 8, result.output
    assert url in result.output and "Traceback" not in result.output


# ----- one account, two machines ----------------------------------------------------------------


def _stage(connected) -> tuple[str, int, int]:
    from patternlift_cli.db.models import LearningSession

    with connected.engine.begin() as connection:
        row = connection.execute(sa.select(LearningSession)).first()
    return (row.current_stage.value, row.current_level, row.attempts_count) if row else ("none", 0, 0)


def _move_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> Path:
    other = tmp_path / name
    other.mkdir()
    monkeypatch.setenv("PATTERNLIFT_HOME", str(other))
    reset_caches()
    return other


def test_a_second_machine_resumes_where_the_first_stopped(connected, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from patternlift_cli.practice.workspace import workspace_file
    from tests.test_learn_e2e import PATTERN, _real_curriculum, check_steps, lesson_enters, reference, writer

    pattern = _real_curriculum()
    level_1 = pattern.practice_problem(1)
    first = [*lesson_enters(pattern, None), *check_steps(fail=False), writer(level_1, reference(level_1)), "r"]
    result = invoke(monkeypatch, ["learn", PATTERN, "--skip-calibration"], first)
    assert result.exit_code == 0, result.output
    assert _stage(connected)[:2] == ("hands_on_practice", 2)

    # The second machine: its own home (no workspace, no token), signed in to the same account.
    second = _move_home(monkeypatch, tmp_path, "second-home")
    monkeypatch.delenv("PATTERNLIFT_SERVER_URL")
    monkeypatch.delenv("PATTERNLIFT_TOKEN")
    reset_caches()
    login = invoke(monkeypatch, ["login", "--server", connected.url, "--email", connected.email],
                   [_code(connected.platform, connected.email)])
    assert login.exit_code == 0, login.output
    resumed = invoke(monkeypatch, ["learn", PATTERN], ["q"])
    assert resumed.exit_code == 0, resumed.output
    assert "resuming at Hands-on practice, level 2" in resumed.output
    level_2 = Path(workspace_file(pattern.practice_problem(2)))
    assert level_2.is_relative_to(second) and level_2.exists()  # the starter is written on this machine
    progress = json.loads(invoke(monkeypatch, ["progress", PATTERN, "--json"], []).stdout)
    assert progress["stage"] == "hands_on_practice" and progress["level"] == 2


# ----- the outbox -------------------------------------------------------------------------------


def _server_on(port: int, platform: Platform, tmp_path: Path, name: str):
    import sys

    from tests.server_support import child_environment, platform_env, start_process

    command = [sys.executable, "-m", "uvicorn", "--factory", "tests.fakes.server_app:create",
               "--host", "127.0.0.1", "--port", str(port), "--no-proxy-headers",
               "--timeout-graceful-shutdown", "1", "--log-level", "warning"]
    env = child_environment(platform_env(platform.database_url, platform.mailbox, platform.clock))
    return start_process(command, env, tmp_path / f"{name}.log", port)


def _answers(connected, question_id: str) -> int:
    from patternlift_cli.db.models import LearningAttempt

    with connected.engine.begin() as connection:
        return len(connection.execute(
            sa.select(LearningAttempt).where(LearningAttempt.item == question_id, LearningAttempt.kind == "answer")
        ).all())


def test_an_answer_the_server_did_not_get_is_sent_next_time_once(connected, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_learn_e2e import PATTERN, _real_curriculum, lesson_enters, right
    from tests.test_learning_loop import current_question

    port = free_port()
    server = _server_on(port, connected.platform, tmp_path, "lonely")
    monkeypatch.setenv("PATTERNLIFT_SERVER_URL", server.url)
    reset_caches()
    asked: list[str] = []

    def answer_then_lose_the_server() -> str:
        question = current_question(PATTERN)
        asked.append(question.id)
        server.stop()  # the answer is typed; the server is gone before it is sent
        return right(question)

    try:
        steps = [*lesson_enters(_real_curriculum(), None), answer_then_lose_the_server]
        result = invoke(monkeypatch, ["learn", PATTERN, "--skip-calibration"], steps)
        assert result.exit_code == 8, result.output
        assert f"Cannot reach the PatternLift server at {server.url}" in result.output
        assert "Your answer is kept on this machine and will be sent the next time" in result.output
        assert "Traceback" not in result.output and _answers(connected, asked[0]) == 0

        server = _server_on(port, connected.platform, tmp_path, "back")
        again = invoke(monkeypatch, ["learn", PATTERN], ["q"])
        assert again.exit_code == 0, again.output
        assert "Kept from last time, your answer is now recorded." in again.output
        assert _answers(connected, asked[0]) == 1
        from patternlift_cli.remote import outbox

        assert outbox.kept() == []
    finally:
        server.stop()


def test_an_answer_applied_before_the_connection_dropped_is_not_applied_twice(connected, monkeypatch: pytest.MonkeyPatch) -> None:
    from patternlift_cli.cli.context import current_learner
    from patternlift_cli.remote import outbox
    from tests.test_learn_e2e import PATTERN, right
    from tests.test_learning_loop import current_question

    learning = current_learner().learning
    state = learning.open_session(PATTERN)
    learning.complete_lesson(state.session_id)
    question = current_question(PATTERN)
    body = {"question_id": question.id, "response": right(question), "seconds": 3.0}
    path = f"/v1/learning/sessions/{state.session_id}/answers"
    learning.client.request("POST", path, json=body, idempotency_key="kept-key-1", headers=learning.headers())
    outbox.keep(outbox.KeptWrite("POST", path, body, "kept-key-1", "your answer", learning.client.server_url))  # as if the reply was lost
    other = outbox.KeptWrite("POST", path, body, "kept-key-2", "your answer", "http://other.example")
    outbox.keep(other)  # kept for another server: it waits for that one
    before = _stage(connected)[2]

    reset_caches()
    result = invoke(monkeypatch, ["progress", PATTERN, "--json"], [])
    assert result.exit_code == 0, result.output
    assert _stage(connected)[2] == before and _answers(connected, question.id) == 1
    assert outbox.kept() == [other]

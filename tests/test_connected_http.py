"""Bad input on the learning endpoints, and connected-mode commands meeting a bad server.

tests/test_server_http.py covers the same classes of input on the sign-in routes and the
client alone; here they reach the learning routes (behind a token and the curriculum check)
and come back through a real `patternlift` command as one line with its exit code.
"""

from __future__ import annotations

import httpx
import pytest

from patternlift_cli.content.version import content_version
from patternlift_cli.ports.learning_requests import CONTENT_HEADER
from tests.conftest import reset_caches
from tests.server_support import Platform, sign_in
from tests.test_learning_loop import invoke
from tests.test_server_http import HTML, assert_problem, scripted  # noqa: F401 (the fixture)


@pytest.fixture
def token(platform: Platform) -> str:
    return sign_in(platform, "bad-input@example.com").access_token


def _headers(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", CONTENT_HEADER: content_version(), **extra}


def test_malformed_json_on_a_learning_route_is_a_400_problem(platform: Platform, token: str) -> None:
    response = httpx.post(f"{platform.url}/v1/learning/sessions", content=b'{"pattern_id": ',
                          headers=_headers(token, **{"Content-Type": "application/json"}))
    assert "not valid JSON" in assert_problem(response, 400, "invalid-json")["detail"]


@pytest.mark.parametrize(("payload", "field"), [
    ({"question_id": "q", "response": "a", "seconds": "soon"}, "seconds"),
    ({"question_id": "q", "response": 42}, "response"),
    ({"question_id": "q", "response": "a", "user_id": "00000000-0000-0000-0000-000000000001"}, "user_id"),
    ([{"question_id": "q"}], "body"),
])
def test_wrong_types_on_a_learning_route_are_a_422_naming_the_field(
    platform: Platform, token: str, payload: object, field: str
) -> None:
    response = httpx.post(f"{platform.url}/v1/learning/sessions/00000000-0000-0000-0000-000000000000/answers",
                          json=payload, headers=_headers(token))
    assert assert_problem(response, 422, "invalid-request")["errors"][0]["field"] == field


def test_an_oversized_submission_is_a_413_problem(platform: Platform, token: str) -> None:
    body = {"problem_id": "x", "source": "#" * 2_000_000, "seconds": 1}
    response = httpx.post(f"{platform.url}/v1/learning/sessions/00000000-0000-0000-0000-000000000000/submissions",
                          json=body, headers=_headers(token))
    assert_problem(response, 413, "content-too-large")


def test_unknown_learning_routes_and_missing_tokens_are_problems(platform: Platform, token: str) -> None:
    assert_problem(httpx.get(f"{platform.url}/v1/learning/nothing", headers=_headers(token)), 404, "not-found")
    for authorization in (None, "Token abc", "Bearer"):
        headers = {CONTENT_HEADER: content_version()} | ({"Authorization": authorization} if authorization else {})
        response = httpx.get(f"{platform.url}/v1/learning/patterns", headers=headers)
        assert_problem(response, 401, "not-signed-in")
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("sent", "hint"), [
    (None, "send the header"),
    ("0.0.1+000000000000", "Upgrade PatternLift on this machine"),
    ("999.0+000000000000", "its operator must upgrade it"),
    ("same-release", "unset PATTERNLIFT_CONTENT_DIR"),
])
def test_a_different_curriculum_says_which_side_to_upgrade(platform: Platform, token: str, sent: str | None, hint: str) -> None:
    headers = _headers(token)
    if sent is None:
        del headers[CONTENT_HEADER]
    else:
        headers[CONTENT_HEADER] = content_version().split("+")[0] + "+ffffffffffff" if sent == "same-release" else sent
    body = assert_problem(httpx.get(f"{platform.url}/v1/learning/patterns", headers=headers), 409, "content-version")
    assert hint in body["hint"]


def test_a_cli_with_another_curriculum_is_told_in_one_line(connected, mini_course, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(monkeypatch, ["patterns"], [])
    assert result.exit_code == 6, result.output
    assert "is not the server's" in result.output and "PATTERNLIFT_CONTENT_DIR" in result.output
    assert "Traceback" not in result.output and result.output.count("Error:") == 1


def test_a_connected_command_meeting_an_html_page_is_one_line(scripted, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    server = scripted(HTML)
    monkeypatch.setenv("PATTERNLIFT_SERVER_URL", server.url)
    monkeypatch.setenv("PATTERNLIFT_TOKEN", "plt_" + "x" * 43)
    reset_caches()
    result = invoke(monkeypatch, ["patterns"], [])
    assert result.exit_code == 8, result.output
    assert f"The server at {server.url} answered HTTP 200 with an HTML page" in result.output
    assert "Traceback" not in result.output


def test_a_server_setting_that_is_not_http_is_one_line(home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATTERNLIFT_SERVER_URL", "ftp://example.com")
    reset_caches()
    result = invoke(monkeypatch, ["patterns"], [])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output and "ftp://example.com" in result.output

"""What one learner's token can reach: their own rows only, and never the platform's columns.

Every /v1 route is taken from the server's own OpenAPI document, so an endpoint added later is
covered without editing this file. Learner A makes progress; learner B then calls every
learning and review endpoint with A's session id and pattern, and every endpoint at all with
a body that tries to raise the AI limit or set the subscription. A's rows and both learners'
limits and statuses must come out unchanged.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from patternlift_cli.content.version import content_version
from patternlift_cli.ports.learning_requests import CONTENT_HEADER
from tests.server_support import Platform, sign_in

PATTERN = "two-pointers"
TAMPERING = {
    "user_id": "00000000-0000-0000-0000-000000000001",
    "monthly_ai_usage_limit": "1000000",
    "current_month_ai_cost": "0",
    "subscription_status": "active",
    "subscription_tier": "premium",
}


def _report(problem_id: str) -> dict[str, Any]:
    return {"problem_id": problem_id, "verdict": "accepted", "message": "all passed",
            "cases": [{"number": 1, "status": "passed"}]}


def _sample_body(path: str) -> dict[str, Any] | None:
    """A well-formed body for each learning/review route, by the route's last segment."""
    from patternlift_cli.content.loader import get_pattern

    pattern = get_pattern(PATTERN)
    practice, mastery = pattern.practice_problem(1).id, pattern.mastery_problems[0].id
    last = path.rstrip("/").rsplit("/", 1)[-1]
    review = path.startswith("/v1/review")
    return {
        "sessions": {"pattern_id": PATTERN},
        "preferences": {"responses": {"learning_style": "a"}},
        "calibration": {"responses": None},
        "page": {"page": 1},
        "answers": {"question_id": "tp-1", "response": "a"} | ({} if review else {"seconds": 1.0}),
        "runs": {"report": _report(practice)} if review else {"problem_id": practice, "report": _report(practice), "seconds": 1.0},
        "submissions": {"problem_id": mastery, "source": "class Solution: pass", "seconds": 1.0},
        "hints": {"problem_id": practice},
        "reveal": {"problem_id": practice},
        "hand-in": {"problem_id": mastery},
        "finish": {"seconds": 1.0},
    }.get(last)


def _routes(platform: Platform, prefixes: tuple[str, ...]) -> list[tuple[str, str]]:
    document = httpx.get(f"{platform.url}/openapi.json").json()
    routes = [(method.upper(), path) for path, item in document["paths"].items() for method in item
              if path.startswith(prefixes)]
    assert routes, "the server publishes no such routes"
    return routes


def _client(platform: Platform, token: str) -> httpx.Client:
    return httpx.Client(base_url=platform.url, timeout=30, headers={
        "Authorization": f"Bearer {token}", CONTENT_HEADER: content_version()})


def _rows_of(platform: Platform, learner_id: str) -> list[Any]:
    tables = ("learning_sessions", "learning_attempts", "user_calibrations", "pattern_progress",
              "user_achievements", "pattern_reviews", "review_logs")
    found = []
    for table in tables:
        rows = platform.sql(f"SELECT * FROM {table} WHERE user_id = :id ORDER BY 1", id=learner_id)
        found.append((table, [tuple(row) for row in rows]))
    return found


def _platform_columns(platform: Platform) -> list[Any]:
    return [tuple(row) for row in platform.sql(
        "SELECT id, monthly_ai_usage_limit, current_month_ai_cost, subscription_status, subscription_tier, "
        "trial_ends_at FROM user_profiles ORDER BY id")]


@pytest.fixture
def two_learners(platform: Platform):
    a, b = sign_in(platform, "a@example.com"), sign_in(platform, "b@example.com")
    with _client(platform, a.access_token) as client:
        session = client.post("/v1/learning/sessions", json={"pattern_id": PATTERN}).json()
        client.post(f"/v1/learning/sessions/{session['session_id']}/calibration", json={"responses": None})
        client.post(f"/v1/learning/sessions/{session['session_id']}/lesson/complete")
        client.post(f"/v1/learning/sessions/{session['session_id']}/knowledge-check")
    return a, b, session["session_id"]


def test_another_learners_token_reaches_none_of_their_rows(platform: Platform, two_learners) -> None:
    a, b, session_id = two_learners
    before = _rows_of(platform, a.learner_id)
    assert before[0][1], "learner A has a session"
    seen: list[str] = []
    with _client(platform, b.access_token) as client:
        for method, template in _routes(platform, ("/v1/learning", "/v1/review")):
            path = template.replace("{session_id}", session_id).replace("{pattern_id}", PATTERN)
            response = client.request(method, path, json=_sample_body(template) if method != "GET" else None)
            seen.append(f"{method} {template} {response.status_code}")
            assert response.status_code < 500, (path, response.text)
            if "{session_id}" in template:
                assert response.status_code == 400, (path, response.text)
                assert "does not exist for this learner" in response.json()["detail"]
            else:
                assert session_id not in response.text, (path, response.text)
    assert _rows_of(platform, a.learner_id) == before, seen


@pytest.mark.parametrize("prefix", ["/v1/learning", "/v1/review", "/v1/me", "/v1/ai", "/v1/billing"])
def test_no_endpoint_raises_a_limit_or_sets_a_subscription(platform: Platform, two_learners, prefix: str) -> None:
    a, b, session_id = two_learners
    before = _platform_columns(platform)
    document = httpx.get(f"{platform.url}/openapi.json").json()
    routes = [(m.upper(), p) for p, item in document["paths"].items() for m in item if p.startswith(prefix)]
    with _client(platform, b.access_token) as client:
        for method, template in routes:
            path = re.sub(r"\{[a-z_]+\}", lambda m: session_id if m.group(0) == "{session_id}" else PATTERN, template)
            body = {**(_sample_body(template) or {}), **TAMPERING}
            response = client.request(method, path, json=body if method != "GET" else None)
            assert response.status_code < 500 or response.status_code in (502, 503), (path, response.text)
            if method != "GET" and _sample_body(template) is not None:
                assert response.status_code == 422, (path, response.text)  # the extra fields are refused
    assert _platform_columns(platform) == before

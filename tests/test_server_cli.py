"""`patternlift server`: what it refuses to start on, what it says, and the server it runs."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from patternlift_cli.cli.app import app
from patternlift_cli.db.revision import HEAD_REVISION
from tests.conftest import empty_database, reset_caches
from tests.server_support import (
    PEPPER,
    child_environment,
    free_port,
    start_process,
)

runner = CliRunner()


def test_openapi_is_printed_without_a_database(home: Path) -> None:
    result = runner.invoke(app, ["server", "openapi"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"/healthz", "/readyz", "/v1/auth/email-code", "/v1/auth/token", "/v1/me"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert document["paths"]["/v1/me"]["get"]["security"] == [{"HTTPBearer": []}]
    assert {"Problem", "AccessToken", "Me"} <= set(document["components"]["schemas"])


@pytest.fixture
def stale_postgres(pg_database_url: str) -> Iterator[str]:
    """This run's database, marked as migrated only up to the revision before the server's."""
    empty_database(pg_database_url)
    engine = sa.create_engine(pg_database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '20261125000009'")
    try:
        yield pg_database_url
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{HEAD_REVISION}'")
        engine.dispose()


def refusal(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> tuple[int, list[str]]:
    """`patternlift server` in-process: it must stop before uvicorn ever starts."""
    import uvicorn

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reset_caches()
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: pytest.fail("uvicorn.run was reached"))
    result = runner.invoke(app, ["server", "--port", str(free_port())])
    assert "Traceback" not in result.output
    return result.exit_code, result.output.strip().splitlines()


def test_it_refuses_an_out_of_date_schema_in_one_line(
    home: Path, stale_postgres: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, lines = refusal(monkeypatch, {"PATTERNLIFT_DATABASE_URL": stale_postgres, "PATTERNLIFT_AUTH_PEPPER": PEPPER})
    assert code == 4
    assert lines[0].startswith("Error: The database (PostgreSQL at ") and "is at revision 20261125000009" in lines[0]
    assert lines[0].endswith("Run `patternlift db upgrade` to migrate it.") and lines[1:] == []  # one line


def test_the_uvicorn_factory_refuses_it_too(home: Path, stale_postgres: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from patternlift_cli.server.main import app_from_environment

    monkeypatch.setenv("PATTERNLIFT_DATABASE_URL", stale_postgres)
    monkeypatch.setenv("PATTERNLIFT_AUTH_PEPPER", PEPPER)
    reset_caches()
    with pytest.raises(SystemExit) as stopped:
        app_from_environment()
    assert stopped.value.code == 4


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PATTERNLIFT_AUTH_PEPPER": PEPPER}, "The server needs PATTERNLIFT_DATABASE_URL"),
        ({"PATTERNLIFT_DATABASE_URL": "sqlite:///x.db"}, "PATTERNLIFT_AUTH_PEPPER is not set"),
        ({"PATTERNLIFT_DATABASE_URL": "sqlite:///x.db", "PATTERNLIFT_AUTH_PEPPER": "short"}, "at least 32 characters"),
        ({"PATTERNLIFT_DATABASE_URL": "sqlite:///x.db", "PATTERNLIFT_AUTH_PEPPER": PEPPER,
          "PATTERNLIFT_SMTP_URL": "imap://mail"}, "PATTERNLIFT_SMTP_URL must look like"),
        ({"PATTERNLIFT_DATABASE_URL": "sqlite:///x.db", "PATTERNLIFT_AUTH_PEPPER": PEPPER,
          "PATTERNLIFT_SMTP_URL": "smtp://mail"}, "PATTERNLIFT_SMTP_FROM is not set"),
    ],
)
def test_it_refuses_missing_or_bad_settings_in_one_line(
    home: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    code, lines = refusal(monkeypatch, env)
    assert code == 3 and expected in lines[0]


def tries_from(url: str, addresses: list[str]) -> list[int]:
    return [
        httpx.post(f"{url}/v1/auth/token", json={"email": "x@example.com", "code": "000000"},
                   headers={"X-Forwarded-For": address}).status_code
        for address in addresses
    ]


def test_workers_on_postgres_behind_a_trusted_proxy(pg_database_url: str, tmp_path: Path) -> None:
    empty_database(pg_database_url)
    port = free_port()
    env = {"PATTERNLIFT_DATABASE_URL": pg_database_url, "PATTERNLIFT_AUTH_PEPPER": PEPPER,
           "PATTERNLIFT_HOME": str(tmp_path), "PATTERNLIFT_AUTH_CODE_TRIES_PER_ADDRESS": "2",
           "PATTERNLIFT_AUTH_CODE_TRIES_PER_EMAIL": "100"}
    command = [sys.executable, "-m", "patternlift_cli", "server", "--port", str(port), "--workers", "2",
               "--forwarded-allow-ips", "127.0.0.1"]
    server = start_process(command, child_environment(env), tmp_path / "server.log", port)
    try:
        ready = httpx.get(f"{server.url}/readyz").json()
        assert ready == {"status": "ready", "database": "postgresql", "schema": HEAD_REVISION}
        # The proxy's X-Forwarded-For is the client: each address has its own limit ...
        assert tries_from(server.url, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [400, 400, 400]
        # ... and one address is held to it.
        assert tries_from(server.url, ["203.0.113.9"] * 3) == [400, 400, 429]
    finally:
        server.stop()
    output = server.output()
    assert "(2 workers)" in output and "Note: PATTERNLIFT_SMTP_URL is not set" in output
    assert "one-machine trial" not in output


def test_sqlite_trial_says_so_and_trusts_no_forwarded_header(sqlite_template: Path, tmp_path: Path) -> None:
    database = tmp_path / "trial.db"
    database.write_bytes(sqlite_template.read_bytes())
    port = free_port()
    env = {"PATTERNLIFT_DATABASE_URL": f"sqlite:///{database}", "PATTERNLIFT_AUTH_PEPPER": PEPPER,
           "PATTERNLIFT_HOME": str(tmp_path), "PATTERNLIFT_AUTH_CODE_TRIES_PER_ADDRESS": "2"}
    command = [sys.executable, "-m", "patternlift_cli", "server", "--port", str(port)]
    server = start_process(command, child_environment(env), tmp_path / "server.log", port)
    try:
        assert httpx.get(f"{server.url}/readyz").json()["database"] == "sqlite"
        # Nobody is trusted to say who the client is: the header is ignored.
        assert tries_from(server.url, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [400, 400, 429]
    finally:
        server.stop()
    assert "SQLite is for a one-machine trial only" in server.output()

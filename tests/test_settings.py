"""Settings: every one documented, read from env and .env, bad values reported by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from patternlift_cli.cli.app import app
from patternlift_cli.config import Settings, get_settings, reset_settings_cache
from patternlift_cli.errors import ConfigError
from tests.terminal_support import Terminal

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^# (PATTERNLIFT_[A-Z_]+)=", text, flags=re.MULTILINE))
    expected = {f"PATTERNLIFT_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented == set(), "settings missing from .env.example"
    assert documented - expected == set(), ".env.example documents settings that do not exist"
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("# PATTERNLIFT_"):
            previous = lines[index - 1]
            assert previous.startswith("# ") and not previous.startswith("# PATTERNLIFT_") or (
                lines[index - 2].startswith("# ") if previous.startswith("# PATTERNLIFT_") else False
            ), f"{line} has no comment above it"


def test_home_relocates_every_user_file(home: Path) -> None:
    settings = get_settings()
    assert settings.data_dir == home / "data"
    assert settings.sqlite_path.is_relative_to(home)
    assert settings.workspace_dir.is_relative_to(home)
    assert settings.effective_database_url == f"sqlite:///{home / 'data' / 'patternlift.db'}"


def test_dotenv_file_is_read_and_environment_wins(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text("PATTERNLIFT_AI_MODEL=from-dotenv\nPATTERNLIFT_JUDGE_MEMORY_LIMIT_MB=128\n")
    reset_settings_cache()
    assert get_settings().ai_model == "from-dotenv"
    monkeypatch.setenv("PATTERNLIFT_AI_MODEL", "from-env")
    reset_settings_cache()
    assert get_settings().ai_model == "from-env"
    assert get_settings().judge_memory_limit_mb == 128


@pytest.mark.parametrize("value", ["not a url", "api.openai.com/v1", "ftp://example.com"])
def test_malformed_endpoint_url_names_the_setting(home: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PATTERNLIFT_AI_BASE_URL", value)
    reset_settings_cache()
    with pytest.raises(ConfigError, match=r"PATTERNLIFT_AI_BASE_URL: .* is not an http\(s\) URL") as caught:
        get_settings()
    assert caught.value.exit_code == 3
    monkeypatch.setenv("PATTERNLIFT_AI_BASE_URL", "http://127.0.0.1:8000/v1")
    reset_settings_cache()
    assert get_settings().ai_base_url == "http://127.0.0.1:8000/v1"


def test_malformed_price_override_json_names_the_setting(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATTERNLIFT_AI_PRICE_OVERRIDES", "{not json")
    reset_settings_cache()
    with pytest.raises(ConfigError, match="PATTERNLIFT_AI_PRICE_OVERRIDES"):
        get_settings()


FLOAT_SETTINGS = sorted(name for name, field in Settings.model_fields.items() if field.annotation is float)


@pytest.mark.parametrize("name", FLOAT_SETTINGS)
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-infinity"])
def test_every_float_setting_rejects_non_finite_values(
    home: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    assert {"judge_time_limit_seconds", "ai_timeout_seconds", "checkout_poll_seconds"} <= set(FLOAT_SETTINGS)
    monkeypatch.setenv(f"PATTERNLIFT_{name.upper()}", value)
    reset_settings_cache()
    with pytest.raises(ConfigError) as caught:
        get_settings()
    assert str(caught.value).startswith(f"Invalid setting PATTERNLIFT_{name.upper()}: Input should be a finite number.")
    monkeypatch.setenv(f"PATTERNLIFT_{name.upper()}", "1.5")
    reset_settings_cache()
    assert getattr(get_settings(), name) == 1.5


def test_cache_dir_follows_home(home: Path) -> None:
    assert get_settings().cache_dir == home / "cache"


@pytest.mark.parametrize("backend", ["postgres"])
def test_transaction_pooler_mode_turns_off_prepared_statements(
    backend: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from patternlift_cli.db.engine import dispose_engines, get_engine

    def prepare_threshold() -> int | None:
        dispose_engines()
        with get_engine().connect() as connection:
            return connection.connection.driver_connection.prepare_threshold

    assert prepare_threshold() is not None  # psycopg's default: prepare after 5 executions
    monkeypatch.setenv("PATTERNLIFT_DB_PREPARED_STATEMENTS", "false")
    reset_settings_cache()
    assert prepare_threshold() is None
    dispose_engines()


def test_verbose_shows_the_traceback_plain_mode_does_not(home: Path) -> None:
    runner = CliRunner()
    plain = runner.invoke(app, ["login", "--email", "nope"])
    assert plain.exit_code == 2 and "Traceback" not in plain.output
    verbose = runner.invoke(app, ["--verbose", "login", "--email", "nope"])
    assert verbose.exit_code == 2
    assert "Traceback" in verbose.output and "UsageError" in verbose.output


def test_missing_profile_on_a_terminal_asks_for_the_email_once(tmp_path: Path) -> None:
    """A real pseudo-terminal: the prompt appears, the answer creates the profile."""
    terminal = Terminal(tmp_path, "whoami")
    terminal.shows("Your email")
    terminal.type("tty@example.com")
    terminal.shows("tty@example.com")
    screen = terminal.shows("AI tutor")
    assert terminal.finish() == 0, screen
    assert screen.count("Your email") == 1

"""The installed entry point, run as a real subprocess the way a learner runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY_MODULES = ("sqlmodel", "sqlalchemy", "openai", "stripe")


def entry_point() -> str:
    """The installed `patternlift` console script (tests/test_check_lean.py runs it too)."""
    candidate = Path(sys.executable).parent / "patternlift"
    found = str(candidate) if candidate.exists() else shutil.which("patternlift")
    if found is None:
        pytest.fail("the `patternlift` console script is not installed (pip install -e .)")
    return found


def _environment(home: Path, **env: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PATTERNLIFT_", "OPENAI_", "STRIPE_"))
    }
    environment.update({
        "PATTERNLIFT_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "120",
        # a keyring file of this test's own, never the machine's keyring or another test's
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(home / "xdg-data"),
        **env,
    })
    return environment


def _run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, capture_output=True, text=True, env=_environment(home, **env), cwd=home, timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_do_not_import_heavy_libraries(flag: str, tmp_path: Path) -> None:
    probe = (
        "import json, sys\n"
        f"sys.argv = ['patternlift', '{flag}']\n"
        "from patternlift_cli.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))\n"
    )
    result = _run([sys.executable, "-c", probe], tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


NEEDLESS_FOR_PATTERNS = ("alembic", "yaml", "keyring", "openai", "stripe")


@pytest.mark.parametrize(
    "command", [["patterns"], ["check", "two-pointers-1-pair-with-target-sum", "solution.py"]], ids=["patterns", "check"]
)
def test_everyday_commands_leave_alembic_yaml_and_the_sdks_unimported(command: list[str], tmp_path: Path) -> None:
    """Schema at head and the curriculum cached: no migration tool, no YAML parser, no SDKs."""
    (tmp_path / "solution.py").write_text("class Solution:\n    pass\n")
    assert _run([entry_point(), "login", "--email", "fast@example.com"], tmp_path).returncode == 0
    assert _run([entry_point(), "patterns"], tmp_path).returncode == 0  # fills the cache
    probe = (
        "import json, sys\n"
        f"sys.argv = ['patternlift', *{command!r}]\n"
        "from patternlift_cli.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {NEEDLESS_FOR_PATTERNS!r} if m in sys.modules]))\n"
    )
    result = _run([sys.executable, "-c", probe], tmp_path)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [], result.stderr


def test_entry_point_version_and_module_form(tmp_path: Path) -> None:
    from patternlift_cli import __version__

    result = _run([entry_point(), "--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"patternlift {__version__}"
    result = _run([sys.executable, "-m", "patternlift_cli", "--version"], tmp_path)
    assert result.stdout.strip() == f"patternlift {__version__}"


def test_first_run_creates_and_migrates_sqlite_in_home(tmp_path: Path) -> None:
    entry = entry_point()
    result = _run([entry, "login", "--email", "new@example.com"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "patternlift.db").is_file()
    result = _run([entry, "whoami", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["email"] == "new@example.com"


def test_command_needing_a_profile_without_a_terminal_says_how(tmp_path: Path) -> None:
    result = _run([entry_point(), "whoami"], tmp_path)
    assert result.returncode == 5
    assert "patternlift login --email" in result.stderr
    assert "Traceback" not in result.stderr


# ----- bad input: one clear line, a meaningful exit code, never a traceback ----------------


def _assert_one_clear_error(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1, f"not one line: {result.stderr!r}"  # as the README promises
    for needle in needles:
        assert needle in result.stderr


def test_malformed_database_url_names_the_variable(tmp_path: Path) -> None:
    result = _run(
        [entry_point(), "whoami"], tmp_path, PATTERNLIFT_DATABASE_URL="postgresql+psycopg://u@host:notaport/db"
    )
    _assert_one_clear_error(result, 3, "PATTERNLIFT_DATABASE_URL")
    result = _run([entry_point(), "whoami"], tmp_path, PATTERNLIFT_DATABASE_URL="mysql://u@h/db")
    _assert_one_clear_error(result, 3, "PATTERNLIFT_DATABASE_URL", "mysql")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://learner:hunter2@db.example.com:notaport/app",
        "postgresql+psycopg://learner:hun@ter2@db.example.com:notaport/app",  # an unencoded '@'
        "postgresql+psycopg://learner:hunter2@[::1/app",
        "postgresql+psycopg://learner:hunter2@db.example.com:5432/?password=hunter2",
        "postgresql+psycopg://learner:hunter2@127.0.0.1:1/app",
    ],
)
def test_the_database_password_is_never_shown(home: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    from typer.testing import CliRunner

    from patternlift_cli.cli.app import app
    from tests.conftest import reset_caches

    monkeypatch.setenv("PATTERNLIFT_DATABASE_URL", url)
    for command in (["whoami"], ["--verbose", "whoami"], ["config", "show", "--json"]):
        reset_caches()
        result = CliRunner().invoke(app, command)
        assert result.exit_code in (0, 3, 4), result.output
        assert "ter2" not in result.output, command  # hunter2, or the tail after an unencoded '@'
        if command[-1] == "whoami":
            assert "***" in result.output or "127.0.0.1:1" in result.output


def test_unreachable_server_names_host_and_port(tmp_path: Path) -> None:
    result = _run(
        [entry_point(), "login", "--email", "x@example.com"],
        tmp_path,
        PATTERNLIFT_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
    )
    _assert_one_clear_error(result, 4, "127.0.0.1:1", "Is the server running?")


def test_missing_role_and_database_are_named_not_blamed_on_the_server(tmp_path: Path, pg_database_url: str) -> None:
    import sqlalchemy as sa

    server = sa.make_url(pg_database_url)
    no_role = server.set(username="no_such_role_here", password=None).render_as_string(hide_password=False)
    result = _run([entry_point(), "whoami"], tmp_path, PATTERNLIFT_DATABASE_URL=no_role)
    _assert_one_clear_error(result, 4, "has no role 'no_such_role_here'", "PATTERNLIFT_DATABASE_URL")
    assert "server running" not in result.stderr
    no_database = server.set(database="no_such_database_here").render_as_string(hide_password=False)
    result = _run([entry_point(), "whoami"], tmp_path, PATTERNLIFT_DATABASE_URL=no_database)
    _assert_one_clear_error(result, 4, "has no database 'no_such_database_here'")


def test_corrupt_sqlite_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    database = tmp_path / "data" / "patternlift.db"
    database.parent.mkdir(parents=True)
    garbage = b"this is not a database, it is a shopping list\n" * 200
    database.write_bytes(garbage)
    result = _run([entry_point(), "login", "--email", "x@example.com"], tmp_path)
    _assert_one_clear_error(result, 4, "corrupt or not a database", str(database))
    assert database.read_bytes() == garbage  # nothing the learner had is overwritten


def test_unwritable_sqlite_location_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    result = _run(
        [entry_point(), "login", "--email", "x@example.com"],
        tmp_path,
        PATTERNLIFT_HOME=str(blocker / "home"),
    )
    _assert_one_clear_error(result, 4, "Cannot create the database folder")


def test_env_file_that_is_not_utf8_is_one_line_and_left_alone(tmp_path: Path) -> None:
    content = "PATTERNLIFT_AI_MODEL=gpt-4o-mini\n# caf\u00e9 notes\n".encode("latin-1")
    (tmp_path / ".env").write_bytes(content)
    result = _run([entry_point(), "whoami"], tmp_path)
    _assert_one_clear_error(result, 3, f"{tmp_path / '.env'}: line 2 is not UTF-8", "0xe9")
    assert (tmp_path / ".env").read_bytes() == content


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_time_limit_is_called_what_it_is(tmp_path: Path, value: str) -> None:
    result = _run([entry_point(), "whoami"], tmp_path, PATTERNLIFT_JUDGE_TIME_LIMIT_SECONDS=value)
    _assert_one_clear_error(result, 3, "PATTERNLIFT_JUDGE_TIME_LIMIT_SECONDS", "finite number")
    assert "60" not in result.stderr


def test_malformed_env_file_value_names_the_setting(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PATTERNLIFT_JUDGE_TIME_LIMIT_SECONDS=fast\n")
    result = _run([entry_point(), "whoami"], tmp_path)
    _assert_one_clear_error(result, 3, "PATTERNLIFT_JUDGE_TIME_LIMIT_SECONDS")


def test_other_file_system_trouble_is_one_line_and_verbose_shows_the_traceback(tmp_path: Path) -> None:
    # Where the signed-in learner is remembered, a folder stands instead of a file.
    (tmp_path / "data" / "current_learner.json").mkdir(parents=True)
    result = _run([entry_point(), "login", "--email", "a@example.com"], tmp_path)
    _assert_one_clear_error(result, 4, "Is a directory", "current_learner.json")
    verbose = _run([entry_point(), "--verbose", "login", "--email", "a@example.com"], tmp_path)
    assert verbose.returncode == 4 and "Traceback" in verbose.stderr

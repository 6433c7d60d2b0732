"""Connected mode's local state: the token in the OS keyring (a 0600 file only without one),
the server remembered beside it, and the problem-type table both sides share."""

from __future__ import annotations

import inspect
import stat
from pathlib import Path

import keyring
import keyring.core
import pytest

from patternlift_cli import errors
from patternlift_cli.config import reset_settings_cache
from patternlift_cli.ports import problems
from patternlift_cli.remote import token_store

SERVER = "https://patternlift.example.com"


def test_the_token_goes_to_the_keyring_and_nowhere_else(home: Path) -> None:
    assert token_store.load() is None  # not in connected mode
    assert token_store.save(SERVER + "/", "plt_secret", "ada@example.com") is None
    assert keyring.get_password("patternlift", "server_token") == "plt_secret"
    assert not token_store.token_file().exists()
    assert "plt_secret" not in token_store._state_path().read_text()
    assert token_store.load() == token_store.Connection(SERVER, "plt_secret", "ada@example.com", "keyring")

    token_store.forget()
    assert token_store.load() is None and keyring.get_password("patternlift", "server_token") is None


def test_without_a_keyring_the_token_file_is_private_and_the_user_is_told(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core._keyring_backend = None
    token_file = token_store.token_file()
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text("old")
    token_file.chmod(0o644)  # a file left readable by an older version is tightened

    warning = token_store.save(SERVER, "plt_secret")
    assert warning == f"No usable OS keyring here: the access token is stored in {token_file} (mode 0600, yours only)."
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600 and token_file.read_text() == "plt_secret"
    assert token_store.load().token_source == "file"
    token_store.forget()
    assert not token_file.exists()


def test_environment_settings_win_for_scripts_and_ci(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token_store.save(SERVER, "plt_stored")
    monkeypatch.setenv("PATTERNLIFT_TOKEN", "plt_from_ci")
    reset_settings_cache()
    assert token_store.load() == token_store.Connection(SERVER, "plt_from_ci", None, "environment")


def test_a_stored_token_is_never_sent_to_another_server(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token_store.save(SERVER, "plt_stored")
    monkeypatch.setenv("PATTERNLIFT_SERVER_URL", "https://elsewhere.example.com")
    reset_settings_cache()
    connection = token_store.load()
    assert connection.server_url == "https://elsewhere.example.com" and connection.token is None


def test_a_bad_server_url_setting_is_one_line_naming_it(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATTERNLIFT_SERVER_URL", "patternlift.example.com")
    reset_settings_cache()
    with pytest.raises(errors.ConfigError, match=r"^Invalid setting PATTERNLIFT_SERVER_URL: .* is not an http\(s\) URL"):
        token_store.load()


# ----- the shared problem table -------------------------------------------------------------


def test_every_error_class_has_its_own_stable_problem_type() -> None:
    classes = [cls for _, cls in inspect.getmembers(errors, inspect.isclass) if issubclass(cls, errors.PatternLiftError)]
    kinds = {kind.error: kind for kind in problems.ERROR_KINDS}
    assert set(classes) == set(kinds), "errors.py and ports/problems.py list different classes"
    types = [kind.type for kind in problems.ERROR_KINDS + problems.HTTP_KINDS]
    assert len(types) == len(set(types)) and all(t.startswith("urn:patternlift:problem:") for t in types)


@pytest.mark.parametrize("kind", problems.ERROR_KINDS, ids=lambda kind: kind.error.__name__)
def test_a_problem_object_rebuilds_the_same_error(kind: problems.ProblemKind) -> None:
    if kind.error is errors.UnknownPatternError:
        original = errors.UnknownPatternError("slidng-window", ["sliding-window"])
    elif kind.error is errors.RateLimitedError:
        original = errors.RateLimitedError("Too many.", retry_after_seconds=30)
    else:
        original = kind.error("Something a user can act on.", hint="What to do next.")
    body = problems.problem_for_error(original)
    assert (body["status"], body["detail"]) == (kind.status, original.message)
    rebuilt = problems.error_from_problem(body, status=kind.status)
    assert type(rebuilt) is kind.error
    assert (str(rebuilt), rebuilt.exit_code) == (str(original), original.exit_code)


def test_an_unknown_problem_type_falls_back_on_its_status() -> None:
    assert type(problems.error_from_problem({"type": "about:blank", "title": "Gone"}, status=410)) is errors.UsageError
    assert type(problems.error_from_problem({"type": "x", "detail": "d"}, status=401)) is errors.NotLoggedInError
    assert type(problems.error_from_problem({"type": "x", "detail": "d"}, status=500)) is errors.BadServerResponseError

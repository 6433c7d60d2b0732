"""Where connected mode keeps its server and access token.

The token goes to the OS keyring (`config.py`'s "server-token" secret). Only when no keyring is
usable does it go to a file in the data directory, created with mode 0600, and `save` returns
a one-line warning saying so. The server's address (not a secret) is remembered beside it, and
a stored token is only ever sent to the server that issued it.

For scripts and CI, PATTERNLIFT_SERVER_URL and PATTERNLIFT_TOKEN win over what `login` stored.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from patternlift_cli.config import delete_secret, get_secret, get_settings, set_secret
from patternlift_cli.errors import ConfigError
from patternlift_cli.remote.address import normalize_server_url

SECRET = "server-token"


@dataclass(frozen=True)
class Connection:
    server_url: str
    token: str | None
    email: str | None
    token_source: str | None  # "environment", "keyring", "file" or None


def _state_path() -> Path:
    return get_settings().data_dir / "server.json"


def token_file() -> Path:
    return get_settings().data_dir / "server-token"


def _remembered() -> dict[str, str]:
    try:
        data = json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {key: value for key, value in data.items() if isinstance(value, str)} if isinstance(data, dict) else {}


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # an existing file keeps its old mode otherwise
        os.write(descriptor, text.encode("utf-8"))
    finally:
        os.close(descriptor)


def save(server_url: str, token: str, email: str | None = None) -> str | None:
    """Remember the server and store the token; returns a warning line when it went to a file."""
    server_url = normalize_server_url(server_url)
    warning = None
    try:
        set_secret(SECRET, token)
        token_file().unlink(missing_ok=True)
    except ConfigError:
        _write_private(token_file(), token)
        warning = f"No usable OS keyring here: the access token is stored in {token_file()} (mode 0600, yours only)."
    state = {"server_url": server_url, **({"email": email} if email else {})}
    _state_path().parent.mkdir(parents=True, exist_ok=True)
    _state_path().write_text(json.dumps(state), encoding="utf-8")
    return warning


def _stored_token() -> tuple[str | None, str | None]:
    try:
        text = token_file().read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    if text:
        return text, "file"
    value = get_secret(SECRET)  # PATTERNLIFT_TOKEN, its fallback, was already seen in settings
    return (value, "keyring") if value else (None, None)


def load() -> Connection | None:
    """The server to talk to and the token for it, or None when not in connected mode."""
    settings = get_settings()
    remembered = _remembered()
    server_url = settings.server_url or remembered.get("server_url")
    if not server_url:
        return None
    server_url = normalize_server_url(server_url)
    if settings.token is not None:
        return Connection(server_url, settings.token.get_secret_value(), None, "environment")
    if remembered.get("server_url") != server_url:
        return Connection(server_url, None, None, None)  # never send one server's token to another
    token, source = _stored_token()
    return Connection(server_url, token, remembered.get("email"), source)


def forget() -> None:
    """Drop the stored token and the remembered server (after revoking it on the server)."""
    try:
        delete_secret(SECRET)
    except ConfigError:
        pass
    token_file().unlink(missing_ok=True)
    _state_path().unlink(missing_ok=True)

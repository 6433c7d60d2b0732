"""A server address as the learner typed it, checked (no httpx: mode detection stays cheap)."""

from __future__ import annotations

from urllib.parse import urlsplit

from patternlift_cli.errors import ConfigError


def normalize_server_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"'{raw}' is not a server address: it must be an http(s) URL like https://patternlift.example.com."
        )
    return raw.strip().rstrip("/")

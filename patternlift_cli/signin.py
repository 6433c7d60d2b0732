"""Who is signed in on this machine (solo and direct mode): the remembered email.

A plain JSON file in the data folder; it holds no secret (a local profile has none). Connected
mode keeps its token in the OS keyring instead (remote/).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from patternlift_cli.config import get_settings


def _state_file() -> Path:
    return get_settings().data_dir / "current_learner.json"


def remember(email: str) -> None:
    path = _state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps({"email": email}), encoding="utf-8")
    try:
        os.replace(partial, path)  # a crash mid-write leaves the previous learner, not a torn file
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror, str(path)) from error


def remembered_email() -> str | None:
    try:
        data = json.loads(_state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    email = data.get("email") if isinstance(data, dict) else None
    return email if isinstance(email, str) else None


def forget() -> str | None:
    email = remembered_email()
    _state_file().unlink(missing_ok=True)
    return email

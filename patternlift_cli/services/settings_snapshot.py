"""A validated snapshot of the settings `check` needs, for the lean path (cli/lean.py), which
cannot afford to import pydantic-settings (about twice its whole time budget).

`config.Settings` stays the one place settings are defined and validated. The full path writes
this snapshot from a `Settings` that validated; the lean path uses it only when it was written
from exactly what `Settings` would read now. Its key is a salted sha256 of:

  - every environment variable `Settings` reads (PATTERNLIFT_*, in any case) and those its
    derived folders come from (HOME, XDG_*, and the few platformdirs looks at);
  - the `.env` file in the working folder (a digest of its bytes, or its absence) and the
    working folder itself (relative paths, and `.env`, are relative to it);
  - the package version, its location and the user id;

and the files of the code that turns those into values (config.py, this module, platformdirs)
are checked by size and mtime. Anything else -- no file, another key, a changed module, an
unreadable `.env`, a value of a shape this code does not know -- is a miss, and a miss is the
full path, which writes the snapshot again. The file is `check-settings.json` in the cache
folder; the lean path finds it from the environment alone (PATTERNLIFT_HOME, else the XDG
cache folder on Linux), so a `.env` that moves PATTERNLIFT_HOME only ever misses.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any, NamedTuple

from patternlift_cli import __version__
from patternlift_cli.content.cache import sha256
from patternlift_cli.practice import machine_speed
from patternlift_cli.practice.judge import JudgeSettings

FORMAT = 1
FILE_NAME = "check-settings.json"
ENV_PREFIXES = ("PATTERNLIFT_", "XDG_", "ANDROID_")
# platformdirs reads these besides XDG_* (Android detection, the runtime folder's fallback).
ENV_NAMES = ("HOME", "SHELL", "PREFIX", "TMPDIR", "TEMP", "TMP")
ENV_FILE = ".env"  # config.Settings' env_file, relative to the working folder


class CheckSettings(NamedTuple):  # not a dataclass: the lean path does not import `dataclasses`
    content_dir: Path | None  # PATTERNLIFT_CONTENT_DIR as given; None: the packaged curriculum
    cache_dir: Path
    workspace_dir: Path
    judge: JudgeSettings

    @property
    def content_root(self) -> Path:
        """As content.loader.content_root() says it."""
        from patternlift_cli.content.cache import PACKAGED_ROOT

        return PACKAGED_ROOT if self.content_dir is None else self.content_dir.resolve()


def _fingerprint(salt: bytes) -> str | None:
    """The digest of everything Settings is read from; None when it cannot be known."""
    digest = sha256(salt)
    try:
        cwd = os.getcwd()
    except OSError:  # the working folder is gone
        return None
    try:
        info = os.stat(ENV_FILE)
    except FileNotFoundError:
        env_state = "absent"
    except OSError:
        return None
    else:
        if not stat.S_ISREG(info.st_mode):
            return None  # a folder or a pipe: let the full path decide what that means
        try:
            env_state = sha256(Path(ENV_FILE).read_bytes()).hexdigest()
        except OSError:
            return None
    variables = sorted(
        (name, value) for name, value in os.environ.items()
        if name.upper().startswith(ENV_PREFIXES) or name in ENV_NAMES
    )
    uid = os.getuid() if hasattr(os, "getuid") else -1
    for part in (str(FORMAT), __version__, str(Path(__file__).resolve().parent), cwd, str(uid), env_state):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for name, value in variables:
        digest.update(f"{name}={value}".encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


def _sealed(fingerprint: str | None, values: dict[str, Any]) -> str | None:
    """The stored key: the fingerprint and the values together, so neither can change alone."""
    if fingerprint is None:
        return None
    return sha256(f"{fingerprint}\0{json.dumps(values, sort_keys=True)}".encode()).hexdigest()


def _stat(path: str) -> list[Any]:
    info = os.stat(path)
    return [path, info.st_size, info.st_mtime_ns]


def guessed_folder() -> Path | None:
    """Where the snapshot is, known from the environment alone (the lean path has no Settings)."""
    homes = [value for name, value in os.environ.items() if name.upper() == "PATTERNLIFT_HOME"]
    if len(homes) > 1 or (homes and not homes[0].strip()):
        return None
    if homes:
        return Path(homes[0]) / "cache"
    if not sys.platform.startswith("linux"):
        return None  # platformdirs decides; the full path serves there
    base = os.environ.get("XDG_CACHE_HOME", "")
    return Path(base if base.strip() else os.path.expanduser("~/.cache")) / "patternlift"


def load() -> CheckSettings | None:
    """The snapshot, when it was written from exactly the settings in force; else None."""
    folder = guessed_folder()
    if folder is None:
        return None
    try:
        data = json.loads((folder / FILE_NAME).read_bytes())
        if data["format"] != FORMAT:
            return None
        for path, size, mtime in data["code"]:
            if _stat(path) != [path, size, mtime]:
                return None
        values = data["values"]
        if data["key"] != _sealed(_fingerprint(bytes.fromhex(data["salt"])), values):
            return None
        if values["cache_dir"] != str(folder):
            return None
        judge = values["judge"]
        return CheckSettings(
            content_dir=None if values["content_dir"] is None else Path(values["content_dir"]),
            cache_dir=folder,
            workspace_dir=Path(values["workspace_dir"]),
            judge=JudgeSettings(float(judge["time_limit_seconds"]), int(judge["memory_limit_mb"]),
                                int(judge["output_limit_kb"]), str(judge["sandbox"]), machine_speed.factor(folder)),
        )
    except Exception:  # noqa: BLE001 - missing, damaged, or of another shape: the full path
        return None


def save() -> None:
    """Write the snapshot from a freshly validated Settings (the full path calls this)."""
    from patternlift_cli.config import Settings

    salt = os.urandom(16)
    before = _fingerprint(salt)
    if before is None:
        return
    try:
        settings = Settings()
        values = _values_of(CheckSettings(content_dir=settings.content_dir, cache_dir=settings.cache_dir,
                                          workspace_dir=settings.workspace_dir, judge=JudgeSettings.of(settings)))
    except Exception:  # noqa: BLE001 - settings that do not validate are the full path's to report
        return
    if _fingerprint(salt) != before:  # something changed while Settings read it
        return
    current = load()
    if current is not None and _values_of(current) == values:
        return
    code = [sys.modules["patternlift_cli.config"].__file__, __file__]
    code += sorted(module.__file__ for name, module in list(sys.modules.items())
                   if name.split(".")[0] == "platformdirs" and getattr(module, "__file__", None))
    _write(Path(values["cache_dir"]), {
        "format": FORMAT, "salt": salt.hex(), "key": _sealed(before, values),
        "code": [_stat(str(Path(path).resolve())) for path in code], "values": values,
    })


def _values_of(snapshot: CheckSettings) -> dict[str, Any]:
    return {
        "content_dir": None if snapshot.content_dir is None else str(snapshot.content_dir),
        "cache_dir": str(snapshot.cache_dir),
        "workspace_dir": str(snapshot.workspace_dir),
        # The machine's speed is measured (practice.machine_speed), not a setting to keep here.
        "judge": {name: value for name, value in snapshot.judge._asdict().items() if name != "machine_speed"},
    }


def _write(folder: Path, data: dict[str, Any]) -> None:
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = tempfile.NamedTemporaryFile("w", dir=folder, prefix=".check-settings-", delete=False)  # noqa: SIM115 - closed below
        try:
            with handle:
                json.dump(data, handle)
            os.replace(handle.name, folder / FILE_NAME)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # no snapshot: the next check takes the full path again

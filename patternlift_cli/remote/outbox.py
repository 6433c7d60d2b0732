"""Writes the server did not get: kept on this machine and sent first on the next run.

An answer or a run whose request fails because the server cannot be reached is written to
`<data dir>/outbox.json` with the Idempotency-Key it was sent with. The next connected
command sends every kept write first, with the same key, so the server applies each once:
a write that did arrive before the connection dropped is only replayed, not applied again.
A kept write the server refuses (the session moved on meanwhile) is dropped with one line.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from patternlift_cli.errors import PatternLiftError, ServerError, ServerUnreachableError


@dataclass(frozen=True)
class KeptWrite:
    method: str
    path: str
    body: Any
    key: str
    what: str       # "your answer", "your run": for the one line the learner reads
    server: str = ""  # sent only to the server it was meant for


def outbox_file() -> Path:
    from patternlift_cli.config import get_settings

    return get_settings().data_dir / "outbox.json"


def kept() -> list[KeptWrite]:
    try:
        data = json.loads(outbox_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    entries = data.get("writes", []) if isinstance(data, dict) else []
    writes = []
    for entry in entries:
        try:
            writes.append(KeptWrite(**entry))
        except TypeError:
            continue  # a damaged entry cannot be sent; drop it rather than fail every command
    return writes


def _store_all(writes: list[KeptWrite]) -> None:
    path = outbox_file()
    if not writes:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".outbox-")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"writes": [asdict(write) for write in writes]}, handle)
    os.replace(temporary, path)


def keep(write: KeptWrite) -> None:
    _store_all([entry for entry in kept() if entry.key != write.key] + [write])


def new_key() -> str:
    return str(uuid.uuid4())


def send_kept(client: Any, headers: dict[str, str], notify: Any = None) -> None:
    """Send every kept write for this server, oldest first; stops (keeping the rest) when the
    server is still away. Writes kept for another server wait for it."""
    everything = kept()
    elsewhere = [write for write in everything if write.server and write.server != client.server_url]
    writes = [write for write in everything if write not in elsewhere]
    if not writes:
        return

    def _store(remaining: list[KeptWrite]) -> None:
        _store_all(elsewhere + remaining)

    for index, write in enumerate(writes):
        try:
            client.request(write.method, write.path, json=write.body, idempotent=True,
                           idempotency_key=write.key, headers=headers)
        except ServerUnreachableError:
            _store(writes[index:])
            raise
        except ServerError:
            _store(writes[index:])  # a failing server: try again next time
            raise
        except PatternLiftError as refusal:
            if notify is not None:
                notify(f"Kept from last time, {write.what} was not recorded: {refusal.message}")
        else:
            if notify is not None:
                notify(f"Kept from last time, {write.what} is now recorded.")
        _store(writes[index + 1:])

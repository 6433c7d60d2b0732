"""The curriculum's version: which PatternLift release shipped it, and a digest of its content.

`<package version>+<digest>`: the digest covers every pattern's `content_hash` (the loader
hashes each pattern folder), so an edited lesson or an override folder shows as a different
curriculum even within one release. The client sends it with every learning request; the
server compares it with its own (server/content_check.py).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from patternlift_cli import __version__


def content_version() -> str:
    from patternlift_cli.content.loader import list_patterns

    return _version(tuple(sorted((pattern.id, pattern.content_hash) for pattern in list_patterns())))


@lru_cache(maxsize=4)
def _version(hashes: tuple[tuple[str, str], ...]) -> str:
    digest = hashlib.sha256("\n".join(f"{pid}\0{value}" for pid, value in hashes).encode())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def which_side_is_older(client: str, server: str) -> str | None:
    """'client' or 'server' when their releases differ and the order is clear, else None."""
    mine, theirs = _release(client), _release(server)
    if mine is None or theirs is None or mine == theirs:
        return None
    return "client" if mine < theirs else "server"


def _release(version: str) -> tuple[int, ...] | None:
    numbers = re.match(r"^(\d+(?:\.\d+)*)", version.split("+", 1)[0].strip())
    return tuple(int(part) for part in numbers.group(1).split(".")) if numbers else None

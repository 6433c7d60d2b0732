"""Fixed-window counters in the database, so every replica counts against the same limit.

One atomic statement per bucket: ``INSERT ... ON CONFLICT (bucket, window_start) DO UPDATE SET
hits = hits + 1 RETURNING hits``. No read-then-write, so concurrent requests on any number of
replicas never lose a hit. Windows are aligned to the epoch (a 1-hour window starts on the
hour), which lets a burst straddle two windows at most: up to twice the limit in the worst
minute, never more over the window.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from patternlift_cli.db.platform_models import AuthRateLimit
from patternlift_cli.db.unit import Database
from patternlift_cli.errors import RateLimitedError

_counters = AuthRateLimit.__table__
KEEP_WINDOWS_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    bucket: str  # e.g. "code-request:email:you@example.com"
    limit: int
    window_seconds: int


def window_start(now: datetime, window_seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window_seconds, UTC)


def client_bucket(address: str | None) -> str:
    """The client address a limit applies to; an IPv6 client counts per /64, as one host holds one."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _upsert(connection: sa.Connection, bucket: str, start: datetime) -> int:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (
        insert(_counters)
        .values(bucket=bucket, window_start=start, hits=1)
        .on_conflict_do_update(
            index_elements=[_counters.c.bucket, _counters.c.window_start],
            set_={"hits": _counters.c.hits + 1},
        )
        .returning(_counters.c.hits)
    )
    return int(connection.execute(statement).scalar_one())


def hit(db: Database, limits: list[Limit], now: datetime, *, message: str, purge: bool = False) -> None:
    """Count one attempt against every limit (in its own committed transaction); refuse past any.

    Every bucket is counted even when an earlier one is over, so hammering one limit keeps it
    shut until its window ends.
    """
    over: list[datetime] = []
    with db.connection(write=True) as connection:
        if purge:
            connection.execute(sa.delete(_counters).where(_counters.c.window_start < now - KEEP_WINDOWS_FOR))
        for limit in limits:
            start = window_start(now, limit.window_seconds)
            if _upsert(connection, limit.bucket, start) > limit.limit:
                over.append(start + timedelta(seconds=limit.window_seconds))
    if over:
        retry_after = max(1, int((max(over) - now).total_seconds()))
        minutes = max(1, -(-retry_after // 60))
        raise RateLimitedError(
            message,
            hint=f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            retry_after_seconds=retry_after,
        )

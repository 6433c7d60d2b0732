"""`ports.ai.Usage` in connected mode: the month's AI spend, as the server recorded it."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from patternlift_cli.ports.ai import UsageSummary
from patternlift_cli.remote.client import ServerClient


class RemoteUsage:
    def __init__(self, client: ServerClient) -> None:
        self.client = client

    def summary(self, *, month: datetime | None = None, last: int = 10) -> UsageSummary:
        query: dict[str, str | int] = {"last": last}
        if month is not None:
            query["month"] = f"{month:%Y-%m}"
        return self.client.call("GET", f"/v1/ai/usage?{urlencode(query)}", UsageSummary)

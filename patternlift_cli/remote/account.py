"""`ports.account.Account` over HTTP: who the token belongs to, as the server sees them."""

from __future__ import annotations

from patternlift_cli.ports.account import ProfileSummary
from patternlift_cli.ports.auth import Me
from patternlift_cli.remote.client import ServerClient


class RemoteAccount:
    def __init__(self, client: ServerClient) -> None:
        self.client = client

    def whoami(self) -> ProfileSummary:
        me = self.client.call("GET", "/v1/me", Me)
        fields = set(ProfileSummary.model_fields)
        summary = ProfileSummary(**{name: value for name, value in me.model_dump().items() if name in fields})
        return summary.model_copy(update={"mode": "connected", "server": self.client.server_url})

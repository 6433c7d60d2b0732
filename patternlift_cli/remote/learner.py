"""The signed-in learner in connected mode: every area's use cases, through the server.

The same `Learner` aggregate as `services.learner.LocalLearner`, so commands do not know which
mode serves them. Each area talks to the server with one `ServerClient` (bearer token, timeouts,
idempotency keys) and is built on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from patternlift_cli.remote.client import ServerClient
from patternlift_cli.remote.token_store import Connection


class RemoteLearner:
    mode = "connected"

    def __init__(
        self, connection: Connection, client: ServerClient, email: str, *, notify: Callable[[str], None] | None = None
    ) -> None:
        self.connection = connection
        self.client = client
        self.email = email
        self.notify = notify  # one line for the learner (a kept answer sent, or dropped)

    @property
    def server_url(self) -> str:
        return self.connection.server_url

    @cached_property
    def account(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.remote.account import RemoteAccount

        return RemoteAccount(self.client)

    @cached_property
    def learning(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.remote.learning import RemoteLearning

        return RemoteLearning(self.client, notify=self.notify)

    @cached_property
    def review(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.remote.review import RemoteReview

        return RemoteReview(self.client, notify=self.notify)

    @cached_property
    def tutor(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.remote.tutor import RemoteTutor

        return RemoteTutor(self.client)

    @cached_property
    def usage(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.remote.usage import RemoteUsage

        return RemoteUsage(self.client)

    @cached_property
    def billing(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.remote.billing import RemoteBilling

        return RemoteBilling(self.client)


def remote_learner(connection: Connection, *, notify: Callable[[str], None] | None = None) -> RemoteLearner:
    """The learner the connection's token belongs to (asks the server who that is)."""
    from patternlift_cli.errors import NotLoggedInError
    from patternlift_cli.ports.auth import Me

    if not connection.token:
        raise NotLoggedInError(
            f"Not signed in to {connection.server_url}.",
            hint=f"Run `patternlift login --server {connection.server_url} --email you@example.com`.",
        )
    client = ServerClient(connection.server_url, token=connection.token)
    email = connection.email
    if email is None:
        email = client.call("GET", "/v1/me", Me).email
    return RemoteLearner(connection, client, email, notify=notify)

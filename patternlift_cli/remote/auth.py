"""Sign-in against a PatternLift server: ask for a code, exchange it, revoke, who am I.

    sent = request_code("https://host", "you@example.com")
    token = exchange("https://host", "you@example.com", "123456")
    token_store.save("https://host", token.access_token, token.email)
    me("https://host", token.access_token).email
    revoke("https://host", token.access_token)
"""

from __future__ import annotations

from patternlift_cli.errors import NotLoggedInError
from patternlift_cli.ports.auth import AccessToken, EmailCodeRequest, EmailCodeSent, Me, TokenRequest
from patternlift_cli.remote.client import ServerClient


def request_code(server: str, email: str) -> EmailCodeSent:
    with ServerClient(server) as client:
        body = EmailCodeRequest(email=email).model_dump()
        # Not retried: a second request would mail a second code that replaces the first.
        return client.call("POST", "/v1/auth/email-code", EmailCodeSent, json=body, idempotent=False)


def exchange(server: str, email: str, code: str) -> AccessToken:
    with ServerClient(server) as client:
        body = TokenRequest(email=email, code=code).model_dump()
        # Not retried: the code works once, so a retry after a lost answer would be refused.
        return client.call("POST", "/v1/auth/token", AccessToken, json=body, idempotent=False)


def revoke(server: str, token: str) -> None:
    """Revoke the token on the server (idempotent: an already revoked token is fine)."""
    with ServerClient(server, token=token) as client:
        client.request("DELETE", "/v1/auth/token")


def me(server: str, token: str | None) -> Me:
    if not token:
        raise NotLoggedInError(
            f"Not signed in to {server}.",
            hint=f"Run `patternlift login --server {server} --email you@example.com`.",
        )
    with ServerClient(server, token=token) as client:
        return client.call("GET", "/v1/me", Me)

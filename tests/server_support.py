"""Real servers for the server tests: uvicorn processes, an SMTP server, the shared database.

Each uvicorn process runs in its own process group and is stopped by its fixture (SIGTERM,
then SIGKILL to the group). Should pytest itself die, the watchdog in
tests/fakes/watchdog/sitecustomize.py ends every server process and worker within a second.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import jwt
import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
WATCHDOG_DIR = Path(__file__).resolve().parent / "fakes" / "watchdog"
PEPPER = "test-pepper-" + "x" * 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PATTERNLIFT_")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(WATCHDOG_DIR), str(ROOT)]),
        PATTERNLIFT_TEST_WATCHDOG_PID=str(os.getpid()),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def terminate(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        if self.process.poll() is None:
            self.terminate()
            try:
                self.process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # workers left behind, if any
        except ProcessLookupError:
            pass
        self.process.wait(timeout=5)


def start_process(command: list[str], env: dict[str, str], log: Path, port: int, *, wait_ready: bool = True) -> ServerProcess:
    handle = log.open("wb")
    process = subprocess.Popen(
        command, env=env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True, cwd=log.parent,
    )
    handle.close()
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log)
    if wait_ready:
        wait_until_up(server)
    return server


def wait_until_up(server: ServerProcess) -> None:
    process = server.process
    deadline = time.monotonic() + 60  # a loaded 2-core machine can take a while to import it all
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"server did not come up:\n{server.output()}")


def start_uvicorn(tmp: Path, env: dict[str, str], name: str = "server", *, wait_ready: bool = True) -> ServerProcess:
    """The test app (real create_app + test routes) in a real uvicorn process."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "tests.fakes.server_app:create",
        "--host", "127.0.0.1", "--port", str(port), "--no-proxy-headers",
        "--timeout-graceful-shutdown", "2", "--log-level", "warning",
    ]
    return start_process(command, child_environment(env), tmp / f"{name}.log", port, wait_ready=wait_ready)


def start_replicas(tmp: Path, env: dict[str, str], count: int) -> list[ServerProcess]:
    """`count` server processes on the same settings, started side by side."""
    servers = [start_uvicorn(tmp, env, f"replica-{index}", wait_ready=False) for index in range(count)]
    try:
        for server in servers:
            wait_until_up(server)
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


# ----- mail ---------------------------------------------------------------------------------


@dataclass
class MailBox:
    host: str
    port: int
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self.arrived:
            self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
            self.arrived.notify_all()
        return "250 OK"

    def clear(self) -> None:
        with self.arrived:
            self.messages.clear()

    def code_for(self, email: str, *, timeout: float = 10.0) -> str:
        """The newest sign-in code mailed to `email` (waits for it to arrive)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for recipients, content in reversed(self.messages):
                    if email in recipients:
                        body = message_from_bytes(content).get_payload(decode=True).decode()
                        return re.search(r"\b(\d{6})\b", body).group(1)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no mail for {email}")
                self.arrived.wait(remaining)

    def count_for(self, email: str) -> int:
        with self.arrived:
            return sum(email in recipients for recipients, _ in self.messages)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[MailBox]:
    from aiosmtpd.controller import Controller

    box = MailBox("127.0.0.1", free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


# ----- database -------------------------------------------------------------------------------


@dataclass
class Clock:
    """The servers' clock offset, shared through a file (tests/fakes/server_app.py)."""

    path: Path

    def set(self, seconds: float) -> None:
        self.path.write_text(str(seconds))

    def at_window_start(self, window_seconds: int) -> float:
        """Move the servers' clock to just after a rate-limit window starts, and return the offset.
        Windows are aligned to the epoch (server/rate_limits.py), so a test's burst counted on the
        real clock fails when it happens to straddle one, as a run at 05:00 once did."""
        offset = window_seconds - time.time() % window_seconds + 1
        self.set(offset)
        return offset


@dataclass
class Platform:
    """Two server replicas on one PostgreSQL, one SMTP server, one movable clock."""

    servers: list[ServerProcess]
    database_url: str
    mailbox: MailBox
    clock: Clock

    @property
    def url(self) -> str:
        return self.servers[0].url

    def sql(self, statement: str, **params: object) -> list[sa.Row]:
        engine = sa.create_engine(self.database_url)
        try:
            with engine.begin() as connection:
                result = connection.execute(sa.text(statement), params)
                return list(result) if result.returns_rows else []
        finally:
            engine.dispose()


def platform_env(database_url: str, mailbox: MailBox, clock: Clock, **extra: str) -> dict[str, str]:
    return {
        "PATTERNLIFT_DATABASE_URL": database_url,
        "PATTERNLIFT_AUTH_PEPPER": PEPPER,
        "PATTERNLIFT_SMTP_URL": f"smtp://{mailbox.host}:{mailbox.port}",
        "PATTERNLIFT_SMTP_FROM": "PatternLift <no-reply@patternlift.test>",
        "PATTERNLIFT_TEST_CLOCK_FILE": str(clock.path),
        "PATTERNLIFT_HOME": str(clock.path.parent / "server-home"),
        **extra,
    }


@contextmanager
def running_platform(tmp: Path, database_url: str, mailbox: MailBox, *, replicas: int = 2, **extra: str) -> Iterator[Platform]:
    clock = Clock(tmp / "clock")
    clock.set(0)
    servers = start_replicas(tmp, platform_env(database_url, mailbox, clock, **extra), replicas)
    try:
        yield Platform(servers, database_url, mailbox, clock)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.stop()


def sign_in(platform: Platform, email: str, server: str | None = None):  # -> AccessToken
    """A learner signed in the way a person does: ask for a code, read the mail, exchange it."""
    from patternlift_cli.remote import auth

    server = server or platform.url
    auth.request_code(server, email)
    return auth.exchange(server, email, platform.mailbox.code_for(email))


def reset(platform: Platform) -> Platform:
    """An empty database, an empty mailbox and the real time, for the next test."""
    from tests.conftest import empty_database  # conftest loads this module as a plugin

    empty_database(platform.database_url)
    platform.mailbox.clear()
    platform.clock.set(0)
    return platform


SUPABASE_SECRET = "super-secret-jwt-token-with-at-least-32-characters"
ISSUER = "http://127.0.0.1:54321/auth/v1"


# ----- a JWKS endpoint like a Supabase project's, for asymmetric tokens ---------------------


class Jwks:
    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        self.document = json.dumps({"keys": [{**jwk, "kid": "test-key", "alg": "RS256", "use": "sig"}]}).encode()
        document = self.document

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/auth/v1/.well-known/jwks.json"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()


@pytest.fixture(scope="session")
def jwks() -> Iterator[Jwks]:
    keys = Jwks()
    yield keys
    keys.http.shutdown()


@pytest.fixture(scope="session")
def platform_servers(pg_database_url: str, mailbox: MailBox, jwks: Jwks, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """Two replicas shared by every server test module (per pytest-xdist worker)."""
    with running_platform(
        tmp_path_factory.mktemp("platform"),
        pg_database_url,
        mailbox,
        PATTERNLIFT_SUPABASE_JWT_SECRET=SUPABASE_SECRET,
        PATTERNLIFT_SUPABASE_JWKS_URL=jwks.url,
        PATTERNLIFT_SUPABASE_JWT_ISSUER=ISSUER,
        PATTERNLIFT_AUTH_CODE_REQUESTS_PER_ADDRESS="12",
    ) as platform:
        yield platform


@pytest.fixture
def platform(platform_servers: Platform, home: Path) -> Platform:
    """The shared replicas with an empty database, an empty mailbox and the real time."""
    return reset(platform_servers)

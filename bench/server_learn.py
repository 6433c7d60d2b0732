"""Connected-mode learn steps through the real server, against a bare single-row UPDATE endpoint.

    python bench/server_learn.py [--learners 50] [--seconds 30] [--workers 2] [--rounds 6] [--patterns 6]

Starts `--workers` uvicorn workers on a fresh PostgreSQL database (bench/_pg.py) and
`--learners` simulated learners, each with its own access token and keep-alive HTTP/1.1
connection, all concurrent. A learn step is one answer to a knowledge-check question,
`POST /v1/learning/sessions/{id}/answers` with an Idempotency-Key: token check, curriculum
check, idempotency claim, the session row locked and updated under row-level security, the
attempt recorded, achievements checked when a fact they read changed, the response stored on
the key.

The baseline is `POST /bench/touch/{n}` on the same workers and database: one single-row
UPDATE in a bare FastAPI handler. The run alternates `--rounds` windows of each (interleaved,
so load from elsewhere on the machine hits both alike) and prints both throughputs and
latency percentiles, and the ratios: throughput learn/baseline (goal >= 0.5), and p99 of a
learn step (goal < 100 ms).

What a learn window holds: answers only. Each learner has a session on `--patterns` patterns,
each with a knowledge-check attempt open, and answers their questions in turn. The requests
that open a new attempt when one runs out of questions (the review read, a new check, or a
restart after a pass) run *between* windows, untimed, for every learner at once; the report
counts any a learner had to make inside a window because all its attempts ran dry (it should
be 0; raise `--patterns` if not). Before, those requests ran inside the learn windows and made
the learn rate look ~30% lower than the answers alone.

The load generator is one asyncio process on uvloop speaking raw HTTP/1.1 over one keep-alive
connection per learner (requests written as bytes, responses read by Content-Length), the same
for both series, so it takes as little as possible of the CPU the workers share with it
(httpx's client cost about as much per request as the baseline endpoint itself).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Patterns whose sessions the learners answer in: the course's first ones (any will do).
PATTERNS = ("hashing", "prefix-sum", "two-pointers", "fast-slow-pointers", "sliding-window",
            "merge-intervals", "cyclic-sort", "linked-list-reversal", "monotonic-stack", "tree-bfs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--patterns", type=int, default=10, choices=range(1, len(PATTERNS) + 1),
                        help="sessions per learner with a check open (answers a window can draw on)")
    args = parser.parse_args()
    from bench._pg import fresh_database

    load_before = os.getloadavg()
    with fresh_database(pool_size=4) as engine:
        url = engine.url.render_as_string(hide_password=False)
        tokens = make_learners(engine, args.learners)
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE bench_rows (id integer PRIMARY KEY, n bigint NOT NULL DEFAULT 0)")
            connection.exec_driver_sql(f"INSERT INTO bench_rows (id) SELECT generate_series(0, {args.learners - 1})")
        server = start_server(url, args.workers)
        try:
            import uvloop

            meter = CPUMeter(engine, server[1].pid)
            result = uvloop.run(measure(server[0], tokens, args, meter))
        finally:
            server[1].terminate()
            server[1].wait(timeout=20)
    report(result, args, load_before, os.getloadavg(), meter)


def make_learners(engine, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    from patternlift_cli.server import learners, tokens

    now = datetime.now(UTC)
    issued = []
    with engine.begin() as connection:
        for index in range(count):
            learner_id = learners.create_learner(connection, f"bench-{index}-{uuid.uuid4().hex[:6]}@example.com")
            issued.append(tokens.issue(connection, learner_id, now, 3600)[0])
    return issued


def start_server(database_url: str, workers: int):  # type: ignore[no-untyped-def]
    import httpx

    from tests.server_support import free_port

    port = free_port()
    home = tempfile.mkdtemp(prefix="patternlift-bench-server-")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PATTERNLIFT_")}
    env.update(PATTERNLIFT_DATABASE_URL=database_url, PATTERNLIFT_AUTH_PEPPER="bench-pepper-" + "x" * 32,
               PATTERNLIFT_HOME=home, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bench._server_app:create", "--workers", str(workers),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env, cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return url, process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not come up")


class HTTPConnection:
    """One keep-alive HTTP/1.1 connection, one request at a time: the cheapest client there is."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.fixed = "".join(f"{name}: {value}\r\n" for name, value in {"Host": f"{host}:{port}", **headers}.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, path: str, body: bytes = b"", *, key: bool = True) -> tuple[int, bytes]:
        keyed = f"Idempotency-Key: {uuid.uuid4()}\r\n" if key else ""
        message = (f"POST {path} HTTP/1.1\r\n{self.fixed}{keyed}Content-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode("ascii") + body
        if self.writer is not None:
            try:
                return await self._exchange(path, message)
            except (asyncio.IncompleteReadError, ConnectionError):
                # uvicorn closes a keep-alive connection idle for 5 s (a long refill): the same
                # request, same key, on a new one.
                self.close()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return await self._exchange(path, message)

    async def _exchange(self, path: str, message: bytes) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(message)
        header = await self.reader.readuntil(b"\r\n\r\n")
        status = int(header[9:12])
        lowered = header.lower()
        at = lowered.find(b"\r\ncontent-length:")
        if at < 0:
            if status in (204, 304):
                return status, b""
            raise RuntimeError(f"{path}: a response without Content-Length: {header[:200]!r}")
        length = int(lowered[at + 17:lowered.index(b"\r\n", at + 2)])
        return status, await self.reader.readexactly(length)

    async def post_json(self, path: str, payload: dict | None = None) -> dict | None:  # type: ignore[type-arg]
        status, body = await self.request(path, json.dumps(payload).encode() if payload is not None else b"")
        if status >= 400:
            raise RuntimeError(f"{path}: {status} {body[:200]!r}")
        return json.loads(body) if body else None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Attempt:
    """A learner's session on one pattern, and the questions of its open check still to answer."""

    pattern_id: str
    session_id: str = ""
    questions: list[tuple[str, bytes]] = field(default_factory=list)  # (answers path, request body)
    restart: bool = False  # the last check passed: the pattern starts over for a new one


class Learner:
    """One simulated learner: answers its open checks' questions, one after another."""

    def __init__(self, connection: HTTPConnection, index: int, patterns: tuple[str, ...]) -> None:
        self.http = connection
        self.index = index
        self.attempts = [Attempt(pattern_id) for pattern_id in patterns]
        self.touch_path = f"/bench/touch/{index}"
        self.setups_in_window = 0

    async def refill(self) -> None:
        """Open a check on every session that has no questions left (the untimed part)."""
        for attempt in self.attempts:
            while not attempt.questions:
                await self._new_check(attempt)

    async def _new_check(self, attempt: Attempt) -> None:
        post = self.http.post_json
        if not attempt.session_id or attempt.restart:
            state = await post("/v1/learning/sessions", {"pattern_id": attempt.pattern_id,
                                                         "restart": bool(attempt.session_id)})
            assert state is not None
            attempt.session_id, attempt.restart = state["session_id"], False
            if state["stage"] == "introduction":
                await post(f"/v1/learning/sessions/{attempt.session_id}/calibration", {"responses": None})
                await post(f"/v1/learning/sessions/{attempt.session_id}/lesson/complete")
        base = f"/v1/learning/sessions/{attempt.session_id}"
        check = await post(f"{base}/knowledge-check")
        assert check is not None
        if check.get("review") is not None and not check["questions"]:
            await post(f"{base}/review-read")
            check = await post(f"{base}/knowledge-check")
            assert check is not None
        attempt.questions = [
            (f"{base}/answers", json.dumps({"question_id": question["id"], "seconds": 4.0,
                                            "response": question["choices"][0] if question["choices"] else "O(n)"}).encode())
            for question in check["questions"]
        ]

    async def step(self) -> float:
        attempt = next((attempt for attempt in self.attempts if attempt.questions), None)
        if attempt is None:  # every check ran dry inside the window: counted, not timed
            self.setups_in_window += 1
            await self.refill()
            attempt = self.attempts[0]
        path, body = attempt.questions.pop(0)
        started = time.perf_counter()
        status, answer = await self.http.request(path, body)
        elapsed = time.perf_counter() - started
        if status >= 400:
            attempt.questions = []
            raise LookupError(f"{status} {answer[:200]!r}")
        if not attempt.questions:  # the check's last answer: passed means a restart next time
            check = json.loads(answer).get("check")
            attempt.restart = bool(check and check["passed"])
        return elapsed

    async def touch(self) -> float:
        started = time.perf_counter()
        status, body = await self.http.request(self.touch_path, key=False)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"touch: {status} {body[:200]!r}")
        return elapsed


class CPUMeter:
    """CPU seconds used so far by the server's processes, this database's PostgreSQL backends,
    and this load generator (Linux /proc, PostgreSQL on this host), to say where a request's
    CPU goes. Read between windows only (the backends' list is a query)."""

    def __init__(self, engine, server_pid: int) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.server_pid = server_pid
        self.backends: dict[int, float] = {}  # each backend's CPU seconds when last read
        self.database_seconds = 0.0  # what the backends used in all, as far as the reads saw

    def read(self) -> tuple[float, float, float, float]:
        with self.engine.connect() as connection:
            pids = list(connection.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).scalars())
        for pid in pids:  # a backend that ended since the last read is missed: the pool closed it
            used = _cpu_seconds([pid])
            self.database_seconds += used - self.backends.get(pid, 0.0)
            self.backends[pid] = used
        server = _process_tree(self.server_pid)
        return _cpu_seconds(server), _cpu_seconds(server, system=True), self.database_seconds, time.process_time()


def _process_tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            pending.extend(int(child) for child in task.read_text().split())
    return found


def _cpu_seconds(pids: list[int], *, system: bool = False) -> float:
    """User + system CPU seconds of the processes (system only, with `system`)."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended: what it used is lost, a backend closed by the pool at most
        total += int(fields[12]) if system else int(fields[11]) + int(fields[12])
    return total / ticks


@dataclass
class Series:
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    # server workers (all, system part), PostgreSQL backends, load generator
    cpu: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0, 0.0])

    def add_cpu(self, before: tuple[float, ...], after: tuple[float, ...]) -> None:
        for index, (start, end) in enumerate(zip(before, after, strict=True)):
            self.cpu[index] += end - start

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


async def measure(url: str, tokens: list[str], args, meter: CPUMeter):  # type: ignore[no-untyped-def]
    from urllib.parse import urlsplit

    from patternlift_cli.content.version import content_version
    from patternlift_cli.ports.learning_requests import CONTENT_HEADER

    where = urlsplit(url)
    assert where.hostname is not None and where.port is not None
    patterns = PATTERNS[: args.patterns]
    learners = [
        Learner(HTTPConnection(where.hostname, where.port,
                               {"Authorization": f"Bearer {token}", CONTENT_HEADER: content_version()}), index, patterns)
        for index, token in enumerate(tokens)
    ]
    learn, base = Series(), Series()
    errors = 0
    window = args.seconds / (2 * args.rounds)

    async def run_for(seconds: float, what: str, sink: list[float]) -> None:
        nonlocal errors
        stop = time.monotonic() + seconds

        async def loop(learner: Learner) -> None:
            nonlocal errors
            while time.monotonic() < stop:
                try:
                    sink.append(await (learner.step() if what == "learn" else learner.touch()))
                except LookupError:
                    errors += 1

        await asyncio.gather(*(loop(learner) for learner in learners))

    async def refill() -> None:
        await asyncio.gather(*(learner.refill() for learner in learners))

    await refill()
    await run_for(min(2.0, window), "base", [])  # warm both paths up, untimed
    await run_for(min(2.0, window), "learn", [])
    for learner in learners:
        learner.setups_in_window = 0
    for _ in range(args.rounds):
        await refill()
        cpu, started = meter.read(), time.monotonic()
        await run_for(window, "learn", learn.latencies)
        learn.seconds += time.monotonic() - started
        learn.add_cpu(cpu, cpu := meter.read())
        started = time.monotonic()
        await run_for(window, "base", base.latencies)
        base.seconds += time.monotonic() - started
        base.add_cpu(cpu, meter.read())
    for learner in learners:
        learner.http.close()
    return learn, base, errors, sum(learner.setups_in_window for learner in learners)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def report(result, args, load_before, load_after, meter) -> None:  # type: ignore[no-untyped-def]
    learn, base, errors, setups = result
    print(f"{args.learners} learners, {args.workers} workers, {args.seconds:g} s in {args.rounds} interleaved rounds"
          f" (load average {load_before[0]:.1f} before, {load_after[0]:.1f} after)")
    for name, series in (("learn step", learn), ("baseline UPDATE", base)):
        values = series.latencies
        print(f"  {name:16} {series.rate:8.1f}/s  p50 {percentile(values, 0.50):7.1f} ms  "
              f"p99 {percentile(values, 0.99):7.1f} ms  mean {statistics.fmean(values) * 1000:7.1f} ms  n={len(values)}")
    steps, touches = learn.latencies, base.latencies
    print(f"  throughput ratio learn/baseline: {learn.rate / base.rate:.2f} (goal >= 0.5)")
    print(f"  p50 ratio: {percentile(steps, 0.5) / percentile(touches, 0.5):.2f}, "
          f"p99 ratio: {percentile(steps, 0.99) / percentile(touches, 0.99):.2f}; "
          f"learn p99 {percentile(steps, 0.99):.1f} ms (goal < 100 ms)")
    for name, series in (("learn step", learn), ("baseline UPDATE", base)):
        server, system, database, client = (seconds / len(series.latencies) * 1000 for seconds in series.cpu)
        print(f"  CPU per {name}: server workers {server:.2f} ms ({system:.2f} in the kernel), "
              f"PostgreSQL backends {database:.2f} ms, load generator {client:.2f} ms")
    print(f"  PostgreSQL backends seen (connections the workers opened): {len(meter.backends)}")
    print(f"  answers refused because the attempt had moved on: {errors}; "
          f"checks opened inside a learn window (all of a learner's ran dry): {setups}")


if __name__ == "__main__":
    main()

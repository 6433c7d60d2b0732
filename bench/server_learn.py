"""Connected-mode learn steps through the real server, against a bare single-row UPDATE endpoint.

    python bench/server_learn.py [--learners 50] [--seconds 30] [--workers 2] [--rounds 6]

Starts `--workers` uvicorn workers on a fresh PostgreSQL database (bench/_pg.py) and
`--learners` simulated learners, each with its own access token and HTTP connection, all
concurrent. A learn step is one answer to a knowledge-check question,
`POST /v1/learning/sessions/{id}/answers` with an Idempotency-Key: token check, curriculum
check, idempotency claim, the session row locked and updated under row-level security, the
attempt recorded, achievements checked. When a learner's check attempt runs out of questions
it reads the review or restarts the pattern (not timed) and goes on answering.

The baseline is `POST /bench/touch/{n}` on the same workers and database: one single-row
UPDATE in a bare FastAPI handler. The run alternates `--rounds` windows of each (interleaved,
so load from elsewhere on the machine hits both alike) and prints both throughputs and
latency percentiles, and the ratios: throughput learn/baseline (goal >= 0.5), and p99 of a
learn step (goal < 100 ms). The load generator shares the machine with the workers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PATTERN = "two-pointers"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    from bench._pg import fresh_database

    with fresh_database(pool_size=4) as engine:
        url = engine.url.render_as_string(hide_password=False)
        tokens = make_learners(engine, args.learners)
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE bench_rows (id integer PRIMARY KEY, n bigint NOT NULL DEFAULT 0)")
            connection.exec_driver_sql(f"INSERT INTO bench_rows (id) SELECT generate_series(0, {args.learners - 1})")
        server = start_server(url, args.workers)
        try:
            learn, base = asyncio.run(measure(server[0], tokens, args))
        finally:
            server[1].terminate()
            server[1].wait(timeout=20)
    report(learn, base, args)


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


class Learner:
    """One simulated learner: answers the check's questions in order, forever."""

    def __init__(self, client, index: int) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.index = index
        self.session_id = ""
        self.queue: list[dict] = []

    async def post(self, path: str, body: dict | None = None):  # type: ignore[no-untyped-def]
        response = await self.client.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
        if response.status_code >= 400:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
        return response.json() if response.content else None

    async def ready(self) -> None:
        """Questions to answer: from the current check, or a fresh attempt of the pattern."""
        while not self.queue:
            state = await self.post("/v1/learning/sessions", {"pattern_id": PATTERN, "restart": bool(self.session_id)})
            self.session_id = state["session_id"]
            base = f"/v1/learning/sessions/{self.session_id}"
            if state["stage"] == "introduction":
                await self.post(f"{base}/calibration", {"responses": None})
                await self.post(f"{base}/lesson/complete")
            check = await self.post(f"{base}/knowledge-check")
            if check.get("review") is not None and not check["questions"]:
                await self.post(f"{base}/review-read")
                check = await self.post(f"{base}/knowledge-check")
            self.queue = list(check["questions"])

    async def step(self) -> float:
        await self.ready()
        question = self.queue.pop(0)
        answer = question["choices"][0] if question["choices"] else "O(n)"
        started = time.perf_counter()
        response = await self.client.post(
            f"/v1/learning/sessions/{self.session_id}/answers",
            json={"question_id": question["id"], "response": answer, "seconds": 4.0},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        elapsed = time.perf_counter() - started
        if response.status_code >= 400:
            self.queue = []  # the attempt moved on (passed, failed or reviewed): start over
            raise LookupError(response.text[:200])
        feedback = response.json()
        if feedback.get("check") is not None:
            self.queue = []  # the attempt is over; the next step starts a new one
        return elapsed

    async def touch(self) -> float:
        started = time.perf_counter()
        response = await self.client.post(f"/bench/touch/{self.index}")
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        return elapsed


async def measure(url: str, tokens: list[str], args):  # type: ignore[no-untyped-def]
    import httpx

    from patternlift_cli.content.version import content_version
    from patternlift_cli.ports.learning_requests import CONTENT_HEADER

    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=url, timeout=60, limits=limits, headers={
        "Authorization": f"Bearer {token}", CONTENT_HEADER: content_version()}) for token in tokens]
    learners = [Learner(client, index) for index, client in enumerate(clients)]
    await asyncio.gather(*(learner.ready() for learner in learners))
    learn: list[float] = []
    base: list[float] = []
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

    await run_for(min(2.0, window), "base", [])  # warm both paths up, untimed
    await run_for(min(2.0, window), "learn", [])
    learn_time = base_time = 0.0
    for _ in range(args.rounds):
        started = time.monotonic()
        await run_for(window, "learn", learn)
        learn_time += time.monotonic() - started
        started = time.monotonic()
        await run_for(window, "base", base)
        base_time += time.monotonic() - started
    for client in clients:
        await client.aclose()
    measure.errors = errors  # type: ignore[attr-defined]
    return (learn, learn_time), (base, base_time)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def report(learn, base, args) -> None:  # type: ignore[no-untyped-def]
    (steps, learn_seconds), (touches, base_seconds) = learn, base
    learn_rate, base_rate = len(steps) / learn_seconds, len(touches) / base_seconds
    print(f"{args.learners} learners, {args.workers} workers, {args.seconds:g} s in {args.rounds} interleaved rounds")
    for name, values, rate in (("learn step", steps, learn_rate), ("baseline UPDATE", touches, base_rate)):
        print(f"  {name:16} {rate:8.1f}/s  p50 {percentile(values, 0.50):7.1f} ms  "
              f"p99 {percentile(values, 0.99):7.1f} ms  mean {statistics.fmean(values) * 1000:7.1f} ms  n={len(values)}")
    print(f"  throughput ratio learn/baseline: {learn_rate / base_rate:.2f} (goal >= 0.5)")
    print(f"  p50 ratio: {percentile(steps, 0.5) / percentile(touches, 0.5):.2f}, "
          f"p99 ratio: {percentile(steps, 0.99) / percentile(touches, 0.99):.2f}; "
          f"learn p99 {percentile(steps, 0.99):.1f} ms (goal < 100 ms)")
    print(f"  answers refused because the attempt had moved on: {getattr(measure, 'errors', 0)}")


if __name__ == "__main__":
    main()

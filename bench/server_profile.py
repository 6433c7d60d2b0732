"""Where one connected-mode answer's time goes: the server app in this process, one learner.

    python bench/server_profile.py [--answers 300] [--profile] [--top 40]

Not a ratio and not under load: a sequential look at one request at a time, to find what to
cut. It builds the same app as bench/server_learn.py (bench/_server_app.py) on a fresh
PostgreSQL database and drives it in-process over ASGI (no sockets, no uvicorn), timing
`--answers` answers and as many baseline UPDATEs, interleaved. It prints each one's median
wall time and the statements SQLAlchemy sent per request (the pipelined commit is one more
round trip that SQLAlchemy does not see). `--profile` runs the handlers inline on the event
loop's thread (not in the thread pool) so cProfile sees all of the request, and prints the
functions with the most cumulative and own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PATTERN = "two-pointers"
RECORDING = False  # spans add up only while an answer is being timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--spans", action="store_true", help="CPU time of the request's parts (inline, no profiler)")
    args = parser.parse_args()
    from bench._pg import fresh_database
    from bench.server_learn import make_learners

    with fresh_database(pool_size=2) as engine:
        url = engine.url.render_as_string(hide_password=False)
        [token] = make_learners(engine, 1)
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE bench_rows (id integer PRIMARY KEY, n bigint NOT NULL DEFAULT 0)")
            connection.exec_driver_sql("INSERT INTO bench_rows (id) VALUES (0)")
        os.environ.update(PATTERNLIFT_DATABASE_URL=url, PATTERNLIFT_AUTH_PEPPER="bench-pepper-" + "x" * 32,
                          PATTERNLIFT_HOME=tempfile.mkdtemp(prefix="patternlift-bench-profile-"))
        from bench._server_app import create

        app = create()
        try:
            asyncio.run(drive(app, engine, token, args))
        finally:
            app.state.engine.dispose()


def count_statements(engine) -> list[int]:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    counter = [0]

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(*_args) -> None:  # type: ignore[no-untyped-def]
        counter[0] += 1

    return counter


async def drive(app, bench_engine, token: str, args) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from bench.server_learn import PATTERNS, Learner
    from patternlift_cli.content.version import content_version
    from patternlift_cli.ports.learning_requests import CONTENT_HEADER

    if args.profile or args.spans:
        inline_thread_pool()
    spans = time_spans() if args.spans else None
    statements = count_statements(app.state.engine)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", headers={
        "Authorization": f"Bearer {token}", CONTENT_HEADER: content_version()})
    learner = Learner(InProcess(client), 0, PATTERNS[:2])  # type: ignore[arg-type]
    await learner.refill()
    for _ in range(20):  # warm up both paths
        await learner.refill()
        await learner.step()
        await learner.touch()
    backends = database_backends(bench_engine)
    answers: list[float] = []
    touches: list[float] = []
    cpu = {"answer": [0.0, 0.0], "baseline UPDATE": [0.0, 0.0]}  # this process, PostgreSQL backends
    answer_statements: list[int] = []
    touch_statements: list[int] = []
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(args.answers):
        await learner.refill()  # setup requests, if any, are not measured
        before, ours, theirs = statements[0], time.process_time(), backend_seconds(backends)
        if profiler:
            profiler.enable()
        global RECORDING
        RECORDING = True
        answers.append(await learner.step())
        RECORDING = False
        if profiler:
            profiler.disable()
        cpu["answer"][0] += time.process_time() - ours
        cpu["answer"][1] += backend_seconds(backends) - theirs
        answer_statements.append(statements[0] - before)
        before, ours, theirs = statements[0], time.process_time(), backend_seconds(backends)
        touches.append(await learner.touch())
        cpu["baseline UPDATE"][0] += time.process_time() - ours
        cpu["baseline UPDATE"][1] += backend_seconds(backends) - theirs
        touch_statements.append(statements[0] - before)
    await client.aclose()
    print(f"answers' checks opened without a refill: {learner.setups_in_window}")
    for name, values, counts in (("answer", answers, answer_statements), ("baseline UPDATE", touches, touch_statements)):
        print(f"{name:16} median {statistics.median(values) * 1000:6.2f} ms  mean {statistics.fmean(values) * 1000:6.2f} ms"
              f"  statements via SQLAlchemy: median {statistics.median(counts):g}")
        ours, theirs = (seconds / len(values) * 1000 for seconds in cpu[name])
        print(f"{'':16} CPU per request: this process {ours:5.2f} ms, PostgreSQL backends {theirs:5.2f} ms")
    if spans is not None:
        print("CPU per answer in its parts (nested parts are inside their parents):")
        for name, seconds in spans.items():
            print(f"  {seconds / len(answers) * 1000:6.3f} ms  {name}")
    if profiler:
        print_by_package(pstats.Stats(profiler), len(answers))
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


def print_by_package(stats: pstats.Stats, requests: int) -> None:
    """Own time per request, summed by where the code lives (a site-package, our package's part)."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        parts = Path(filename).parts
        if "site-packages" in parts:
            where = parts[parts.index("site-packages") + 1]
        elif "patternlift_cli" in parts:
            where = "/".join(parts[parts.index("patternlift_cli"):][:2])
        elif filename.startswith(("~", "<")):
            where = "builtins"
        else:
            where = "stdlib:" + Path(filename).stem
        totals[where] = totals.get(where, 0.0) + own
    print("own time per answer, by where the code lives:")
    for where, seconds in sorted(totals.items(), key=lambda item: -item[1])[:25]:
        print(f"  {seconds / requests * 1000:6.3f} ms  {where}")


def database_backends(engine) -> list[int]:  # type: ignore[no-untyped-def]
    """The pids of the server processes of this database's connections (PostgreSQL on this host)."""
    with engine.connect() as connection:
        return list(connection.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).scalars())


def backend_seconds(pids: list[int]) -> float:
    """CPU seconds (user + system) the given processes used so far; 0 for one not readable."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


class InProcess:
    """bench.server_learn's HTTPConnection, over httpx's ASGI transport to the app in this process."""

    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client

    async def request(self, path: str, body: bytes = b"", *, key: bool = True) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        response = await self.client.post(path, content=body, headers=headers)
        return response.status_code, response.content

    async def post_json(self, path: str, payload: dict | None = None) -> dict | None:  # type: ignore[type-arg]
        status, body = await self.request(path, json.dumps(payload).encode() if payload is not None else b"")
        if status >= 400:
            raise RuntimeError(f"{path}: {status} {body[:200]!r}")
        return json.loads(body) if body else None


def time_spans() -> dict[str, float]:
    """Wrap the request's main parts to add up the CPU time spent in each (answers only)."""
    from contextlib import contextmanager

    import fastapi.routing

    from patternlift_cli.server import database, deps, idempotency
    from patternlift_cli.services import learning
    from patternlift_cli.services.learning import completion, knowledge_check, records

    totals: dict[str, float] = {}

    def timed(owner, attribute: str, name: str) -> None:  # type: ignore[no-untyped-def]
        original = getattr(owner, attribute)
        totals.setdefault(name, 0.0)
        if asyncio.iscoroutinefunction(original):
            async def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
                started = time.process_time()
                try:
                    return await original(*args, **kwargs)
                finally:
                    if RECORDING:
                        totals[name] += time.process_time() - started
        else:
            def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
                started = time.process_time()
                try:
                    return original(*args, **kwargs)
                finally:
                    if RECORDING:
                        totals[name] += time.process_time() - started
        wrapper.__signature__ = __import__("inspect").signature(original)  # type: ignore[attr-defined]
        wrapper.__name__ = original.__name__
        setattr(owner, attribute, wrapper)

    timed(idempotency, "_new_claim", "claim object (body hash)")
    timed(deps, "_learner_in_held_transaction", "token check (held transaction)")
    timed(database.LearnerDatabase, "prepare_held", "    claim + role switch (pipelined; inside work())")
    timed(learning.LocalLearning, "answer", "use case LocalLearning.answer")
    timed(records.Work, "save", "  Work.save (UPDATE + INSERT)")
    timed(knowledge_check, "answer", "  knowledge_check.answer (rules)")
    timed(completion, "award_achievements", "  award_achievements")
    timed(records.Work, "step", "  Work.step")
    timed(fastapi.routing, "serialize_response", "response validation + serialization")
    timed(idempotency.IdempotencyClaim, "finish", "stored response + COMMIT")
    original_work = records.work
    totals["  work(): lock + load"] = 0.0

    @contextmanager
    def work(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.process_time()
        manager = original_work(*args, **kwargs)
        unit = manager.__enter__()
        if RECORDING:
            totals["  work(): lock + load"] += time.process_time() - started
        try:
            yield unit
        except BaseException as error:
            if not manager.__exit__(type(error), error, error.__traceback__):
                raise
        else:
            manager.__exit__(None, None, None)

    records.work = work
    return totals


def inline_thread_pool() -> None:
    """Run sync handlers and dependencies on the loop's thread, where cProfile is enabled."""
    import fastapi.dependencies.utils
    import fastapi.routing
    import starlette.concurrency

    from patternlift_cli.server import idempotency

    async def inline(func, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        return func(*args, **kwargs)

    for module in (starlette.concurrency, fastapi.routing, fastapi.dependencies.utils, idempotency):
        if hasattr(module, "run_in_threadpool"):
            module.run_in_threadpool = inline  # type: ignore[attr-defined]


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.1f} s; load {os.getloadavg()[0]:.1f})", file=sys.stderr)

"""Reserve+settle throughput against a plain write transaction, on PostgreSQL or SQLite.

    python bench/budget_throughput.py [--backend postgresql] [--workers 16] [--same-learner]
    python bench/budget_throughput.py --backend sqlite [--workers 4]
        [--seconds 3] [--rounds 3]

The baseline is the least a recorded AI call could cost in the database, written the way the
project writes a transaction (SQLAlchemy Core through the project's engine): one transaction
that UPDATEs the profile's month total and INSERTs an ai_interactions row (on SQLite under
BEGIN IMMEDIATE). The protocol is `reserve` then `track_ai_usage`, as the tutor runs them
for every call. Both run against the same fresh database, interleaved in rounds
(baseline, protocol, protocol, baseline, ...), so drift on a shared machine hits both.

PostgreSQL: worker threads in one process, each for its own learner (as thousands of
learners would be), or all contending for one row with `--same-learner`. SQLite: worker
processes (the learner's machine running several `patternlift` commands at once) on one file.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from patternlift_cli.db.models import AIInteraction, UserProfile  # noqa: E402
from patternlift_cli.services import ai_usage  # noqa: E402

COST = Decimal("0.000010")
Call = Callable[[sa.Engine, uuid.UUID], None]


def _learners(engine: sa.Engine, count: int) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    with engine.begin() as connection:
        for user_id in ids:
            if engine.dialect.name == "postgresql":
                connection.execute(sa.text("INSERT INTO auth.users (id, email) VALUES (:id, :email)"),
                                   {"id": user_id, "email": f"{user_id}@bench"})
            connection.execute(sa.insert(UserProfile).values(id=user_id, email=f"{user_id}@bench",
                                                             subscription_status="active",
                                                             monthly_ai_usage_limit=Decimal("1000000")))
    return ids


_writers: dict[sa.Engine, sa.Engine] = {}


def _writer(engine: sa.Engine) -> sa.Engine:
    """The engine a write transaction runs on: BEGIN IMMEDIATE on SQLite (built once, so the
    baseline pays for nothing but its statements)."""
    if engine not in _writers:
        _writers[engine] = engine.execution_options(sqlite_begin="IMMEDIATE")
    return _writers[engine]


def baseline_call(engine: sa.Engine, user_id: uuid.UUID) -> None:
    with _writer(engine).begin() as connection:
        connection.execute(sa.update(UserProfile).where(UserProfile.id == user_id)
                           .values(current_month_ai_cost=UserProfile.current_month_ai_cost + COST))
        connection.execute(sa.insert(AIInteraction).values(
            id=uuid.uuid4(), user_id=user_id, interaction_type="hint", prompt_tokens=100, completion_tokens=50,
            model_used="bench", cost_usd=COST))


def protocol_call(engine: sa.Engine, user_id: uuid.UUID) -> None:
    reservation = ai_usage.reserve(
        engine, user_id, interaction_type="hint", model="bench", price_basis="override input=1 output=1",
        prompt_token_bound=400, worst_case_cost=lambda completion: Decimal("0.000001") * (400 + completion),
        max_completion_tokens=700, min_completion_tokens=64, session_id=None, ttl=timedelta(minutes=5))
    ai_usage.track_ai_usage(engine, reservation, prompt_tokens=100, completion_tokens=50, cost_usd=COST)


CALLS: dict[str, Call] = {"baseline": baseline_call, "protocol": protocol_call}


# ----- PostgreSQL: threads -------------------------------------------------------------------


def run_threads(engine: sa.Engine, call: Call, users: list[uuid.UUID], workers: int, seconds: float) -> float:
    done = [0] * workers
    barrier = threading.Barrier(workers + 1)
    stop = [0.0]

    def worker(index: int) -> None:
        user_id = users[index % len(users)]
        barrier.wait()
        while time.monotonic() < stop[0]:
            call(engine, user_id)
            done[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    stop[0] = time.monotonic() + seconds
    started = time.monotonic()
    barrier.wait()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def bench_postgresql(args: argparse.Namespace) -> list[tuple[float, float]]:
    from bench._pg import fresh_database

    results = []
    with fresh_database(pool_size=args.workers + 2) as engine:
        users = _learners(engine, 1 if args.same_learner else args.workers)
        run_threads(engine, baseline_call, users, args.workers, 1.0)  # warm the pool and caches
        run_threads(engine, protocol_call, users, args.workers, 1.0)
        for round_ in range(args.rounds):
            order = ("baseline", "protocol") if round_ % 2 == 0 else ("protocol", "baseline")
            rates = {name: run_threads(engine, CALLS[name], users, args.workers, args.seconds) for name in order}
            results.append((rates["baseline"], rates["protocol"]))
    return results


# ----- SQLite: processes ---------------------------------------------------------------------


def _sqlite_engine(path: str) -> sa.Engine:
    from patternlift_cli.config import get_settings
    from patternlift_cli.db.engine import create_engine_for, normalize_database_url

    return create_engine_for(normalize_database_url(f"sqlite:///{path}"), get_settings())


def _process_worker(path: str, user_id: uuid.UUID, commands: multiprocessing.Queue, counts: multiprocessing.Queue,
                    barrier: multiprocessing.Barrier) -> None:  # type: ignore[type-arg]
    engine = _sqlite_engine(path)
    while (command := commands.get()) is not None:
        name, seconds = command
        call = CALLS[name]
        barrier.wait()
        stop, done = time.monotonic() + seconds, 0
        while time.monotonic() < stop:
            call(engine, user_id)
            done += 1
        counts.put(done)
    engine.dispose()


def bench_sqlite(args: argparse.Namespace) -> list[tuple[float, float]]:
    from patternlift_cli.db import migrate

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.db")
        engine = _sqlite_engine(path)
        migrate.upgrade(engine)
        users = _learners(engine, 1 if args.same_learner else args.workers)
        engine.dispose()
        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(args.workers)
        counts = context.Queue()
        queues = [context.Queue() for _ in range(args.workers)]
        workers = [context.Process(target=_process_worker, args=(path, users[i % len(users)], queues[i], counts, barrier))
                   for i in range(args.workers)]
        for worker in workers:
            worker.start()

        def phase(name: str, seconds: float) -> float:
            # Each phase starts from an empty WAL, so none pays for checkpointing another's pages.
            checkpointer = _sqlite_engine(path)
            with checkpointer.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            checkpointer.dispose()
            for queue in queues:
                queue.put((name, seconds))
            return sum(counts.get() for _ in workers) / seconds

        phase("baseline", 1.0)  # warm up: imports, connections, statement caches
        phase("protocol", 1.0)
        results = []
        for round_ in range(args.rounds):
            order = ("baseline", "protocol") if round_ % 2 == 0 else ("protocol", "baseline")
            rates = {name: phase(name, args.seconds) for name in order}
            results.append((rates["baseline"], rates["protocol"]))
        for queue in queues:
            queue.put(None)
        for worker in workers:
            worker.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measured phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, help="default 16 threads (PostgreSQL), 4 processes (SQLite)")
    parser.add_argument("--same-learner", action="store_true")
    args = parser.parse_args()
    args.workers = args.workers or (16 if args.backend == "postgresql" else 4)
    results = bench_postgresql(args) if args.backend == "postgresql" else bench_sqlite(args)
    learners = 1 if args.same_learner else args.workers
    kind = "threads" if args.backend == "postgresql" else "processes"
    print(f"{args.backend}: {args.workers} {kind}, {learners} learner(s), {args.rounds} x {args.seconds:g} s each")
    for index, (baseline, protocol) in enumerate(results, 1):
        print(f"  round {index}: baseline {baseline:7.0f} calls/s   reserve+settle {protocol:7.0f} calls/s   "
              f"ratio {protocol / baseline:.2f}")
    baseline = sum(b for b, _ in results) / len(results)
    protocol = sum(p for _, p in results) / len(results)
    print(f"baseline (one txn: UPDATE profile + INSERT row): {baseline:8.0f} calls/s")
    print(f"reserve + settle (the budget protocol):          {protocol:8.0f} calls/s")
    print(f"ratio protocol/baseline: {protocol / baseline:.2f}")


if __name__ == "__main__":
    main()

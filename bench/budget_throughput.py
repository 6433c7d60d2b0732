"""Reserve+settle throughput against a plain write transaction, 16 workers, PostgreSQL.

    python bench/budget_throughput.py [--seconds 5] [--workers 16]

Both loops run in the same process against the same fresh database. The baseline is the
least a recorded AI call could cost in the database: one transaction that UPDATEs the
profile's month total and INSERTs an ai_interactions row. The protocol adds a second
transaction (the reservation, under a row lock). Each worker acts for its own learner,
as thousands of learners would; `--same-learner` makes all workers contend for one row.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from bench._pg import fresh_database  # noqa: E402
from patternlift_cli.db.models import AIInteraction, UserProfile  # noqa: E402
from patternlift_cli.services import ai_usage  # noqa: E402

COST = Decimal("0.000010")


def _learners(engine: sa.Engine, count: int) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    with engine.begin() as connection:
        for user_id in ids:
            connection.execute(sa.text("INSERT INTO auth.users (id, email) VALUES (:id, :email)"),
                               {"id": user_id, "email": f"{user_id}@bench"})
            connection.execute(sa.insert(UserProfile).values(id=user_id, email=f"{user_id}@bench",
                                                             monthly_ai_usage_limit=Decimal("1000000")))
    return ids


def baseline_call(engine: sa.Engine, user_id: uuid.UUID) -> None:
    with engine.begin() as connection:
        connection.execute(sa.update(UserProfile).where(UserProfile.id == user_id)
                           .values(current_month_ai_cost=UserProfile.current_month_ai_cost + COST))
        connection.execute(sa.insert(AIInteraction).values(
            id=uuid.uuid4(), user_id=user_id, interaction_type="hint", prompt_tokens=100, completion_tokens=50,
            model_used="bench", cost_usd=COST))


def protocol_call(engine: sa.Engine, user_id: uuid.UUID) -> None:
    reservation = ai_usage.reserve(
        engine, user_id, interaction_type="hint", model="bench", prompt_token_bound=400,
        worst_case_cost=lambda completion: Decimal("0.000001") * (400 + completion),
        max_completion_tokens=700, min_completion_tokens=64, session_id=None, ttl=timedelta(minutes=5))
    ai_usage.track_ai_usage(engine, reservation, prompt_tokens=100, completion_tokens=50, cost_usd=COST)


def run(engine: sa.Engine, call, users: list[uuid.UUID], workers: int, seconds: float) -> float:
    done = [0] * workers
    stop = time.monotonic() + seconds
    barrier = threading.Barrier(workers)

    def worker(index: int) -> None:
        user_id = users[index % len(users)]
        barrier.wait()
        while time.monotonic() < stop:
            call(engine, user_id)
            done[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--same-learner", action="store_true")
    args = parser.parse_args()
    with fresh_database(pool_size=args.workers + 2) as engine:
        users = _learners(engine, 1 if args.same_learner else args.workers)
        run(engine, baseline_call, users, args.workers, 1.0)  # warm the pool and caches
        baseline = run(engine, baseline_call, users, args.workers, args.seconds)
        protocol = run(engine, protocol_call, users, args.workers, args.seconds)
    print(f"workers={args.workers} learners={len(users)} seconds={args.seconds:g}")
    print(f"baseline (UPDATE profile + INSERT row): {baseline:8.0f} calls/s")
    print(f"reserve + settle (two locked txns):     {protocol:8.0f} calls/s")
    print(f"ratio protocol/baseline: {protocol / baseline:.2f}")


if __name__ == "__main__":
    main()

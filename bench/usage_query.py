"""`patternlift usage` with 1M ai_interactions over 10k learners, on PostgreSQL.

    python bench/usage_query.py [--rows 1000000] [--users 10000] [--samples 50]

Prints the median and p95 milliseconds of the whole usage summary for random learners, the
same for a baseline in the same run (a bare primary-key lookup of the profile, the cheapest
query a command can make), their ratio, and whether the plan of the month's breakdown uses
the (user_id, created_at) index.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from bench._pg import fresh_database  # noqa: E402
from patternlift_cli.db.models import UserProfile  # noqa: E402
from patternlift_cli.services.ai_usage import usage_summary  # noqa: E402


def seed(engine: sa.Engine, rows: int, users: int) -> list[uuid.UUID]:
    """Learners and a year of interactions, generated inside PostgreSQL (seconds, not minutes)."""
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO auth.users (id, email) SELECT gen_random_uuid(), 'bench' || g || '@example.com' "
            "FROM generate_series(1, :users) AS g"
        ), {"users": users})
        connection.execute(sa.text("INSERT INTO user_profiles (id, email) SELECT id, email FROM auth.users"))
        connection.execute(sa.text(
            f"""
            INSERT INTO ai_interactions (id, user_id, interaction_type, prompt_tokens, completion_tokens,
                                         model_used, cost_usd, created_at)
            SELECT gen_random_uuid(), u.id,
                   (ARRAY['hint','explain','review','question'])[1 + (g % 4)],
                   200 + (g % 900), 50 + (g % 600), 'gpt-4o-mini',
                   round(((200 + (g % 900)) * 0.15 + (50 + (g % 600)) * 0.6) / 1000000.0, 6),
                   now() - ((g % 365) || ' days')::interval - ((g % 86400) || ' seconds')::interval
            FROM generate_series(1, {rows}) AS g
            JOIN (SELECT id, row_number() OVER () - 1 AS n FROM user_profiles) u ON u.n = g % {users}
            """
        ))
        connection.exec_driver_sql("REFRESH MATERIALIZED VIEW monthly_ai_usage")
        connection.exec_driver_sql("ANALYZE")
        return [row[0] for row in connection.execute(sa.select(UserProfile.id))]


def timed(call, samples: int) -> list[float]:
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def plan_uses_index(engine: sa.Engine, user_id: uuid.UUID) -> str:
    now = datetime.now(UTC)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    with engine.connect() as connection:
        plan = connection.execute(sa.text(
            "EXPLAIN SELECT interaction_type, count(*), sum(cost_usd) FROM ai_interactions "
            "WHERE user_id = :u AND created_at >= :s AND created_at < :e GROUP BY interaction_type"),
            {"u": user_id, "s": start, "e": now},
        ).scalars().all()
    text = "\n".join(plan)
    # Both seed indexes lead with (user_id, created_at); the planner may pick the one that
    # also covers cost_usd.
    used = [name for name in ("idx_ai_interactions_user_created", "idx_ai_interactions_cost") if name in text]
    return f"{used[0]} (leads with user_id, created_at)" if used else "NO INDEX:\n" + text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(7)
    with fresh_database() as engine:
        started = time.perf_counter()
        users = seed(engine, args.rows, args.users)
        print(f"seeded {args.rows:,} interactions over {len(users):,} learners in {time.perf_counter() - started:.1f}s")

        def baseline() -> None:
            with engine.connect() as connection:
                connection.execute(sa.select(UserProfile.id).where(UserProfile.id == rng.choice(users))).one()

        def summary() -> None:
            usage_summary(engine, rng.choice(users))

        timed(summary, 5)  # warm caches and the pool
        base = timed(baseline, args.samples)
        measured = timed(summary, args.samples)
        print(f"usage summary: median {statistics.median(measured):.2f} ms, "
              f"p95 {statistics.quantiles(measured, n=20)[18]:.2f} ms")
        print(f"baseline (profile by primary key): median {statistics.median(base):.2f} ms")
        print(f"ratio summary/baseline: {statistics.median(measured) / statistics.median(base):.1f}")
        print(f"month breakdown plan uses: {plan_uses_index(engine, users[0])}")


if __name__ == "__main__":
    main()

"""The cap holds across real processes and crashes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from patternlift_cli.errors import BudgetExceededError
from tests.test_tutor import _ask, _profile, _rows, _set_profile, fake_ai  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]


def _worker(calls: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.tutor_worker", str(calls)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_eight_processes_at_once_never_pass_the_limit(fake_ai, engine) -> None:  # noqa: F811
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction

    fake_ai.chunk_delay = 0.01  # each reply streams for ~0.15 s, so the calls overlap
    start = Decimal("2.99")
    _set_profile(engine, current_month_ai_cost=start, ai_cost_month=datetime.now(UTC).date().replace(day=1))

    workers = [_worker(8) for _ in range(8)]
    lines = []
    for worker in workers:
        out, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err
        lines += [json.loads(line) for line in out.splitlines()]

    assert len(lines) == 64
    unexpected = [line for line in lines if line["outcome"] not in ("ok", "budget")]
    assert not unexpected, unexpected[:3]
    ok = [Decimal(line["cost"]) for line in lines if line["outcome"] == "ok"]
    refused = [line for line in lines if line["outcome"] == "budget"]
    assert ok and refused, "the test must reach the cap from below"
    assert all("of $3.00 spent this month" in line["message"] and "resets" in line["message"] for line in refused)

    total = _profile(engine).current_month_ai_cost
    recorded = sum((row.cost_usd for row in _rows(engine, AIInteraction)), Decimal(0))
    assert total == start + recorded == start + sum(ok, Decimal(0))
    assert total <= Decimal("3.00")
    assert len(_rows(engine, AIInteraction)) == len(ok)
    assert _rows(engine, AIBudgetReservation) == []


def test_a_killed_process_holding_a_reservation_is_released_after_expiry(fake_ai, engine) -> None:  # noqa: F811
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction

    fake_ai.script("hang")
    worker = _worker(1)
    assert fake_ai.started.wait(timeout=60), "the worker never reached the provider"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)

    (held,) = _rows(engine, AIBudgetReservation)
    assert held.amount_usd > 0
    before_expiry = held.expires_at - timedelta(seconds=1)
    reply = _ask(now=before_expiry)  # still held: it counts against the limit, and stays
    assert len(_rows(engine, AIBudgetReservation)) == 1

    after_expiry = held.expires_at + timedelta(seconds=1)
    second = _ask(now=after_expiry)
    assert _rows(engine, AIBudgetReservation) == []
    interactions = _rows(engine, AIInteraction)
    assert len(interactions) == 2  # the killed call is not counted, nor anything twice
    assert _profile(engine).current_month_ai_cost == reply.cost_usd + second.cost_usd


def test_open_reservations_count_against_the_limit(fake_ai, engine) -> None:  # noqa: F811
    """A held reservation is money already promised: it blocks a call that would not fit beside it."""
    from patternlift_cli.db.models import AIBudgetReservation, UserProfile

    month = datetime.now(UTC).date().replace(day=1)
    _set_profile(engine, current_month_ai_cost=Decimal("2.99"), ai_cost_month=month)
    with engine.begin() as connection:
        user_id = connection.execute(sa.select(UserProfile.id)).scalar_one()
        connection.execute(sa.insert(AIBudgetReservation).values(
            id=uuid.uuid4(), user_id=user_id, interaction_type="hint", model_used="tutor-test",
            amount_usd=Decimal("0.0099"), max_completion_tokens=700,
            expires_at=datetime.now(UTC) + timedelta(minutes=5)))
    with pytest.raises(BudgetExceededError):
        _ask()  # only $0.0001 is free beside the hold
    assert fake_ai.requests == []

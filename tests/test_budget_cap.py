"""The cap holds across real processes and crashes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
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


@pytest.mark.slow
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


def _hold(engine, amount: Decimal, *, now: datetime, ttl: timedelta = timedelta(minutes=5)):
    """Money held for a call, set aside as the protocol does (what a killed process leaves behind)."""
    from patternlift_cli.db.models import UserProfile
    from patternlift_cli.services import ai_usage

    with engine.begin() as connection:
        user_id = connection.execute(sa.select(UserProfile.id)).scalar_one()
    return ai_usage.reserve(
        engine, user_id, interaction_type="hint", model="tutor-test", price_basis="override input=1 output=2",
        prompt_token_bound=300, worst_case_cost=lambda completion: amount, max_completion_tokens=700,
        min_completion_tokens=64, session_id=None, ttl=ttl, now=now)


@pytest.mark.slow
def test_a_killed_process_holding_a_reservation_is_charged_at_its_worst_case_after_expiry(fake_ai, engine) -> None:  # noqa: F811
    """A killed call is never free: its hold counts until it expires, then is charged at its bounds."""
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction
    from patternlift_cli.services.ai_usage import usage_summary

    fake_ai.script("hang")
    worker = _worker(1)
    assert fake_ai.started.wait(timeout=60), "the worker never reached the provider"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)

    (held,) = _rows(engine, AIBudgetReservation)
    assert held.amount_usd > 0 and held.prompt_token_bound > 0
    before_expiry = held.expires_at - timedelta(seconds=1)
    reply = _ask(now=before_expiry)  # still held: it counts against the limit, and stays
    assert len(_rows(engine, AIBudgetReservation)) == 1
    assert _profile(engine).current_month_ai_reserved == held.amount_usd

    after_expiry = held.expires_at + timedelta(seconds=1)
    second = _ask(now=after_expiry)
    assert _rows(engine, AIBudgetReservation) == []
    interactions = {row.id: row for row in _rows(engine, AIInteraction)}
    assert len(interactions) == 3  # the killed call is recorded once, under its hold's id
    charged = interactions[held.id]
    assert (charged.interaction_type, charged.model_used, charged.prompt_tokens, charged.completion_tokens) == (
        "question", "tutor-test", held.prompt_token_bound, held.max_completion_tokens)
    assert (charged.cost_usd, charged.created_at, charged.user_id) == (held.amount_usd, held.created_at, held.user_id)
    profile = _profile(engine)
    assert profile.current_month_ai_cost == reply.cost_usd + second.cost_usd + held.amount_usd
    assert profile.current_month_ai_reserved == 0
    summary = usage_summary(engine, held.user_id, now=after_expiry)
    assert summary["calls"] == 3 and summary["spent_usd"] == profile.current_month_ai_cost


def test_an_expired_hold_is_charged_to_the_month_it_was_made_in(fake_ai, engine) -> None:  # noqa: F811
    """A hold made on Oct 31 and swept on Nov 1 is October's money; November starts from zero."""
    from patternlift_cli.db.models import AIInteraction
    from patternlift_cli.services.ai_usage import usage_summary

    held = _hold(engine, Decimal("0.0042"), now=datetime(2026, 10, 31, 23, 58, tzinfo=UTC))
    assert _profile(engine).current_month_ai_reserved == Decimal("0.0042")
    reply = _ask(now=datetime(2026, 11, 1, 0, 10, tzinfo=UTC))
    charged = next(row for row in _rows(engine, AIInteraction) if row.id == held.id)
    assert charged.created_at == datetime(2026, 10, 31, 23, 58, tzinfo=UTC) and charged.cost_usd == Decimal("0.0042")
    profile = _profile(engine)
    assert profile.ai_cost_month == datetime(2026, 11, 1).date()
    assert profile.current_month_ai_cost == reply.cost_usd and profile.current_month_ai_reserved == 0
    october = usage_summary(engine, held.user_id, month=datetime(2026, 10, 1, tzinfo=UTC),
                            now=datetime(2026, 11, 1, 0, 10, tzinfo=UTC))
    assert october["spent_usd"] == Decimal("0.0042") and october["calls"] == 1


@pytest.mark.slow
def test_concurrent_callers_charge_an_expired_hold_exactly_once(fake_ai, engine) -> None:  # noqa: F811
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction

    month = datetime.now(UTC).date().replace(day=1)
    _set_profile(engine, current_month_ai_cost=Decimal("1.00"), ai_cost_month=month)
    held = _hold(engine, Decimal("0.25"), now=datetime.now(UTC) - timedelta(seconds=2), ttl=timedelta(seconds=1))
    workers = [_worker(2) for _ in range(4)]
    lines = []
    for worker in workers:
        out, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err
        lines += [json.loads(line) for line in out.splitlines()]
    assert [line["outcome"] for line in lines] == ["ok"] * 8
    rows = _rows(engine, AIInteraction)
    assert len(rows) == 9 and sum(1 for row in rows if row.id == held.id) == 1
    replies = sum((Decimal(line["cost"]) for line in lines), Decimal(0))
    profile = _profile(engine)
    assert profile.current_month_ai_cost == Decimal("1.25") + replies == Decimal("1.00") + sum(
        (row.cost_usd for row in rows), Decimal(0))
    assert profile.current_month_ai_reserved == 0 and _rows(engine, AIBudgetReservation) == []


def test_open_reservations_count_against_the_limit(fake_ai, engine) -> None:  # noqa: F811
    """A held reservation is money already promised: it blocks a call that would not fit beside it."""
    month = datetime.now(UTC).date().replace(day=1)
    _set_profile(engine, current_month_ai_cost=Decimal("2.99"), ai_cost_month=month)
    _hold(engine, Decimal("0.0099"), now=datetime.now(UTC))
    with pytest.raises(BudgetExceededError):
        _ask()  # only $0.0001 is free beside the hold
    assert fake_ai.requests == []


def test_a_settle_after_its_hold_was_charged_on_expiry_records_nothing_twice(fake_ai, engine, caplog) -> None:  # noqa: F811
    from patternlift_cli.db.models import AIInteraction
    from patternlift_cli.services import ai_usage

    start = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # mid-month: all three steps in one month
    held = _hold(engine, Decimal("0.003"), now=start)
    swept = _ask(now=start + timedelta(minutes=6))  # expired: charged at its worst case
    with caplog.at_level("WARNING", logger="patternlift_cli.services.ai_usage"):
        usage = ai_usage.track_ai_usage(engine, held, prompt_tokens=10, completion_tokens=5,
                                        cost_usd=Decimal("0.000020"), now=start + timedelta(minutes=7))
    assert usage.interaction_id == held.id and usage.cost_usd == Decimal("0.003")
    assert "expired before its call settled" in caplog.text
    assert len(_rows(engine, AIInteraction)) == 2
    assert _profile(engine).current_month_ai_cost == Decimal("0.003") + swept.cost_usd == usage.month_total_usd

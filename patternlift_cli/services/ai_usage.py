"""The AI budget protocol's transactions: reserve, settle (`track_ai_usage`), release, report.

Every function here is one transaction. `reserve` and `track_ai_usage` lock the learner's
profile row first (SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), so two
processes can never both read the same "spent + reserved" and both decide there is room.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from patternlift_cli.db.engine import session_scope, transaction
from patternlift_cli.db.models import (
    AIBudgetReservation,
    AIInteraction,
    UserProfile,
    monthly_ai_usage,
)
from patternlift_cli.domain.budget import month_start, next_reset, plan_reservation
from patternlift_cli.domain.entitlement import decide_entitlement
from patternlift_cli.errors import BudgetExceededError, NotEntitledError, UsageError

DEFAULT_LIMIT = Decimal("3.00")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reservation:
    id: uuid.UUID
    user_id: uuid.UUID
    session_id: uuid.UUID | None
    interaction_type: str
    model: str
    amount_usd: Decimal
    prompt_token_bound: int
    max_completion_tokens: int
    expires_at: datetime


@dataclass
class _BudgetRow:
    """The locked profile columns the protocol reads; the month is rolled over in place."""

    spent: Decimal
    limit: Decimal
    month: Any
    status: str | None
    trial_ends_at: datetime | None
    rolled_over: bool = False


def _lock_budget(connection: Any, user_id: uuid.UUID, now: datetime) -> _BudgetRow:
    """Lock the learner's profile row and roll its month over to now's UTC month if needed."""
    profile = UserProfile.__table__
    row = connection.execute(
        sa.select(
            profile.c.current_month_ai_cost,
            profile.c.monthly_ai_usage_limit,
            profile.c.ai_cost_month,
            profile.c.subscription_status,
            profile.c.trial_ends_at,
        )
        .where(profile.c.id == user_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise UsageError("That learner no longer exists.", hint="Run `patternlift login` again.")
    status = row.subscription_status
    budget = _BudgetRow(
        spent=Decimal(row.current_month_ai_cost or 0),
        limit=Decimal(row.monthly_ai_usage_limit if row.monthly_ai_usage_limit is not None else DEFAULT_LIMIT),
        month=row.ai_cost_month,
        status=getattr(status, "value", status),
        trial_ends_at=row.trial_ends_at,
    )
    current = month_start(now)
    if budget.month != current:
        budget.month, budget.spent, budget.rolled_over = current, Decimal("0"), True
    return budget


def _open_reservations(connection: Any, user_id: uuid.UUID, now: datetime) -> Decimal:
    """Sum this learner's live reservations; drop expired ones (left by killed processes)."""
    holds = AIBudgetReservation.__table__
    live, expired = connection.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(holds.c.amount_usd).filter(holds.c.expires_at > now), 0),
            sa.func.count().filter(holds.c.expires_at <= now),
        ).where(holds.c.user_id == user_id)
    ).one()
    if expired:
        connection.execute(sa.delete(holds).where(holds.c.user_id == user_id, holds.c.expires_at <= now))
    return Decimal(str(live))


def _check_entitled(connection: Any, user_id: uuid.UUID, budget: _BudgetRow, now: datetime) -> None:
    period_end = None
    if budget.status == "canceled":  # only a canceled plan's access depends on its period end
        from patternlift_cli.db.models import Subscription

        period_end = connection.execute(
            sa.select(Subscription.__table__.c.current_period_end).where(Subscription.__table__.c.user_id == user_id)
        ).scalar_one_or_none()
    decision = decide_entitlement(
        status=budget.status, trial_ends_at=budget.trial_ends_at, current_period_end=period_end, now=now
    )
    if not decision.allowed:
        raise NotEntitledError(
            f"{decision.reason} The AI tutor needs an active plan; learning without AI goes on.",
            hint="Run `patternlift subscribe` to continue with the AI tutor.",
        )


def budget_refusal(spent: Decimal, limit: Decimal, now: datetime) -> BudgetExceededError:
    reset = next_reset(now)
    return BudgetExceededError(
        f"AI budget reached: ${spent:.2f} of ${limit:.2f} spent this month "
        f"(resets {reset:%Y-%m-%d} 00:00 UTC).",
        hint="Lessons, checks, practice and the built-in hints keep working without AI.",
    )


def reserve(
    engine: Engine,
    user_id: uuid.UUID,
    *,
    interaction_type: str,
    model: str,
    prompt_token_bound: int,
    worst_case_cost: Callable[[int], Decimal],
    max_completion_tokens: int,
    min_completion_tokens: int,
    session_id: uuid.UUID | None,
    ttl: timedelta,
    now: datetime | None = None,
) -> Reservation:
    """Set aside the worst case of one attempt, or refuse (not entitled / over budget)."""
    now = now or datetime.now(UTC)
    with transaction(engine, immediate=True) as connection:
        budget = _lock_budget(connection, user_id, now)
        reserved = _open_reservations(connection, user_id, now)
        _check_entitled(connection, user_id, budget, now)
        quote = plan_reservation(
            spent=budget.spent,
            reserved=reserved,
            limit=budget.limit,
            worst_case_cost=worst_case_cost,
            max_completion_tokens=max_completion_tokens,
            min_completion_tokens=min_completion_tokens,
        )
        if quote is None:
            raise budget_refusal(budget.spent + reserved, budget.limit, now)
        if budget.rolled_over:
            _store_total(connection, user_id, budget, now)
        reservation_id = uuid.uuid4()
        expires_at = now + ttl
        connection.execute(
            sa.insert(AIBudgetReservation.__table__).values(
                id=reservation_id,
                user_id=user_id,
                session_id=session_id,
                interaction_type=interaction_type,
                model_used=model,
                amount_usd=quote.amount_usd,
                max_completion_tokens=quote.max_completion_tokens,
                expires_at=expires_at,
                created_at=now,
            )
        )
        return Reservation(
            id=reservation_id,
            user_id=user_id,
            session_id=session_id,
            interaction_type=interaction_type,
            model=model,
            amount_usd=quote.amount_usd,
            prompt_token_bound=prompt_token_bound,
            max_completion_tokens=quote.max_completion_tokens,
            expires_at=expires_at,
        )


def _store_total(connection: Any, user_id: uuid.UUID, budget: _BudgetRow, now: datetime) -> None:
    profile = UserProfile.__table__
    connection.execute(
        sa.update(profile)
        .where(profile.c.id == user_id)
        .values(current_month_ai_cost=budget.spent, ai_cost_month=budget.month, updated_at=now)
    )


def release(engine: Engine, reservation: Reservation) -> None:
    """A call that failed before any token was generated costs nothing: give the money back."""
    with session_scope(engine) as session:
        session.execute(sa.delete(AIBudgetReservation).where(AIBudgetReservation.id == reservation.id))


def track_ai_usage(
    engine: Engine,
    reservation: Reservation,
    *,
    prompt_tokens: int,
    completion_tokens: int,
    cost_usd: Decimal,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Settle one attempt: record the interaction, add its cost to the month, free the hold.

    Named after the seed's function. Returns the updated usage statistics.
    """
    now = now or datetime.now(UTC)
    if cost_usd > reservation.amount_usd:
        # Only a provider ignoring max_completion_tokens (or misreporting usage) gets here. The
        # cap is the promise, so the record stops at what was reserved; the overrun is logged.
        logger.warning(
            "AI call cost $%s but only $%s was reserved (model %s, %d+%d tokens); recording the reserved amount",
            cost_usd, reservation.amount_usd, reservation.model, prompt_tokens, completion_tokens,
        )
        cost_usd = reservation.amount_usd
    interaction_id = uuid.uuid4()
    holds = AIBudgetReservation.__table__
    with transaction(engine, immediate=True) as connection:
        # The sum is done here in Decimal, not in SQL: SQLite would add as floating point.
        budget = _lock_budget(connection, reservation.user_id, now)
        budget.spent += cost_usd
        _store_total(connection, reservation.user_id, budget, now)
        connection.execute(
            sa.insert(AIInteraction.__table__).values(
                id=interaction_id,
                user_id=reservation.user_id,
                session_id=reservation.session_id,
                interaction_type=reservation.interaction_type,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                model_used=reservation.model,
                cost_usd=cost_usd,
                created_at=now,
            )
        )
        connection.execute(sa.delete(holds).where(holds.c.id == reservation.id))
        reserved = _open_reservations(connection, reservation.user_id, now)
    month, spent, limit = budget.month, budget.spent, budget.limit
    return {
        "interaction_id": str(interaction_id),
        "interaction_type": reservation.interaction_type,
        "model": reservation.model,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "cost_usd": cost_usd,
        "month": month.strftime("%Y-%m"),
        "month_total_usd": spent,
        "limit_usd": limit,
        "remaining_usd": max(limit - spent - reserved, Decimal("0")),
        "reserved_usd": reserved,
        "resets_at": next_reset(now),
    }


def set_feedback(engine: Engine, user_id: uuid.UUID, interaction_id: uuid.UUID, *, rating: int) -> None:
    """Store a learner's 1-5 rating of a reply (user_feedback).

    The automatic response_quality_score is written by the learning service, with the test
    run that decides it.
    """
    if not 1 <= rating <= 5:
        raise UsageError("A rating is a whole number from 1 to 5.")
    with session_scope(engine) as session:
        session.execute(
            sa.update(AIInteraction)
            .where(AIInteraction.id == interaction_id, AIInteraction.user_id == user_id)
            .values(user_feedback=rating)
        )


# ----- reports ---------------------------------------------------------------------------------


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.000001"))


def usage_summary(
    engine: Engine, user_id: uuid.UUID, *, month: datetime | None = None, now: datetime | None = None, last: int = 10
) -> dict[str, Any]:
    """This (or the given) month's spend, holds, breakdowns, last calls and monthly history."""
    now = now or datetime.now(UTC)
    start = month_start(month or now)
    start_at = datetime(start.year, start.month, 1, tzinfo=UTC)
    end_at = next_reset(start_at)
    current = start == month_start(now)
    in_month = sa.and_(
        AIInteraction.user_id == user_id, AIInteraction.created_at >= start_at, AIInteraction.created_at < end_at
    )
    with session_scope(engine) as session:
        profile = session.get(UserProfile, user_id)
        if profile is None:
            raise UsageError("That learner no longer exists.", hint="Run `patternlift login` again.")
        limit = Decimal(profile.monthly_ai_usage_limit if profile.monthly_ai_usage_limit is not None else DEFAULT_LIMIT)

        def grouped(column: Any) -> list[dict[str, Any]]:
            rows = session.execute(
                sa.select(
                    column,
                    sa.func.count(),
                    sa.func.coalesce(sa.func.sum(AIInteraction.prompt_tokens), 0),
                    sa.func.coalesce(sa.func.sum(AIInteraction.completion_tokens), 0),
                    sa.func.coalesce(sa.func.sum(AIInteraction.cost_usd), 0),
                )
                .where(in_month)
                .group_by(column)
                .order_by(column)
            ).all()
            return [
                {"name": name, "calls": int(calls), "prompt_tokens": int(prompt), "completion_tokens": int(completion),
                 "cost_usd": _money(cost)}
                for name, calls, prompt, completion, cost in rows
            ]

        by_type = grouped(AIInteraction.interaction_type)
        by_model = grouped(AIInteraction.model_used)
        recorded = sum((row["cost_usd"] for row in by_type), Decimal("0"))
        if current and profile.ai_cost_month == start:
            spent = _money(profile.current_month_ai_cost)
        else:
            spent = _money(recorded)
        reservations = session.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(AIBudgetReservation.amount_usd), 0)).where(
                AIBudgetReservation.user_id == user_id, AIBudgetReservation.expires_at > now
            )
        ).one() if current else (0, 0)
        recent = session.execute(
            sa.select(AIInteraction).where(in_month).order_by(AIInteraction.created_at.desc()).limit(last)
        ).scalars().all()
        history = session.execute(
            sa.select(monthly_ai_usage).where(monthly_ai_usage.c.user_id == user_id).order_by(monthly_ai_usage.c.month.desc()).limit(12)
        ).all()
    reserved = _money(reservations[1])
    return {
        "month": start.strftime("%Y-%m"),
        "current_month": current,
        "limit_usd": _money(limit),
        "spent_usd": spent,
        "reserved_usd": reserved,
        "open_reservations": int(reservations[0]),
        "remaining_usd": max(_money(limit) - spent - reserved, Decimal("0")) if current else None,
        "resets_at": end_at,
        "calls": sum(row["calls"] for row in by_type),
        "by_type": by_type,
        "by_model": by_model,
        "recent": [
            {
                "id": str(row.id),
                "created_at": row.created_at,
                "interaction_type": row.interaction_type,
                "model": row.model_used,
                "prompt_tokens": row.prompt_tokens,
                "completion_tokens": row.completion_tokens,
                "cost_usd": _money(row.cost_usd),
                "user_feedback": row.user_feedback,
            }
            for row in recent
        ],
        "history": _history(history, start, by_type),
    }


def _history(rows: Any, start: Any, by_type: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Months from monthly_ai_usage, newest first; the month being shown uses live figures,
    because on PostgreSQL the materialized view is only as fresh as its last refresh."""
    months = {
        row.month.strftime("%Y-%m"): {
            "month": row.month.strftime("%Y-%m"),
            "calls": int(row.interaction_count or 0),
            "prompt_tokens": int(row.prompt_tokens or 0),
            "completion_tokens": int(row.completion_tokens or 0),
            "cost_usd": _money(row.total_cost_usd),
        }
        for row in rows
        if row.month is not None
    }
    if by_type:
        months[start.strftime("%Y-%m")] = {
            "month": start.strftime("%Y-%m"),
            "calls": sum(row["calls"] for row in by_type),
            "prompt_tokens": sum(row["prompt_tokens"] for row in by_type),
            "completion_tokens": sum(row["completion_tokens"] for row in by_type),
            "cost_usd": sum((row["cost_usd"] for row in by_type), Decimal("0")),
        }
    return [months[key] for key in sorted(months, reverse=True)]


def refresh_monthly_usage(engine: Engine) -> str:
    """Refresh the materialized view (concurrently, so readers are never blocked) on PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return "monthly_ai_usage is a plain view on SQLite: always current, nothing to refresh."
    # REFRESH ... CONCURRENTLY cannot run inside a transaction block.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("REFRESH MATERIALIZED VIEW CONCURRENTLY monthly_ai_usage"))
    return "monthly_ai_usage refreshed."


class LocalUsage:
    """`ports.ai.Usage` on this database."""

    def __init__(self, db: Any, user_id: uuid.UUID) -> None:
        self.db = db
        self.user_id = user_id

    def summary(self, *, month: datetime | None = None, last: int = 10) -> Any:
        from patternlift_cli.ports.ai import UsageSummary

        return UsageSummary.model_validate(usage_summary(self.db.engine, self.user_id, month=month, last=last))

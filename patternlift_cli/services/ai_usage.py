"""The AI budget protocol's transactions: reserve, settle (`track_ai_usage`), release, report.

Every function here is one transaction. `reserve` and `track_ai_usage` lock the learner's
profile row first (SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), so two
processes can never both read the same "spent + reserved" and both decide there is room.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from patternlift_cli.db.engine import session_scope
from patternlift_cli.db.models import AIBudgetReservation, AIInteraction, UserProfile, monthly_ai_usage
from patternlift_cli.domain.budget import month_start, next_reset, plan_reservation
from patternlift_cli.domain.entitlement import decide_entitlement
from patternlift_cli.errors import BudgetExceededError, NotEntitledError, UsageError

DEFAULT_LIMIT = Decimal("3.00")


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


def _locked_profile(session: Session, user_id: uuid.UUID) -> UserProfile:
    profile = session.execute(
        sa.select(UserProfile).where(UserProfile.id == user_id).with_for_update()
    ).scalar_one_or_none()
    if profile is None:
        raise UsageError("That learner no longer exists.", hint="Run `patternlift login` again.")
    return profile


def _roll_month_over(profile: UserProfile, now: datetime) -> None:
    """A stored month older than now's UTC month starts the new month at zero."""
    current = month_start(now)
    if profile.ai_cost_month != current:
        profile.ai_cost_month = current
        profile.current_month_ai_cost = Decimal("0")


def _open_reservations(session: Session, user_id: uuid.UUID, now: datetime) -> Decimal:
    """Drop this learner's expired reservations (left by killed processes); sum the rest."""
    session.execute(
        sa.delete(AIBudgetReservation).where(
            AIBudgetReservation.user_id == user_id, AIBudgetReservation.expires_at <= now
        )
    )
    total = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(AIBudgetReservation.amount_usd), 0)).where(
            AIBudgetReservation.user_id == user_id
        )
    ).scalar_one()
    return Decimal(str(total))


def _check_entitled(session: Session, profile: UserProfile, now: datetime) -> None:
    from patternlift_cli.services.accounts import subscription_for

    subscription = subscription_for(session, profile.id)
    status = profile.subscription_status
    decision = decide_entitlement(
        status=status.value if status is not None else None,
        trial_ends_at=profile.trial_ends_at,
        current_period_end=subscription.current_period_end if subscription else None,
        now=now,
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
    with session_scope(engine, immediate=True) as session:
        profile = _locked_profile(session, user_id)
        _roll_month_over(profile, now)
        reserved = _open_reservations(session, user_id, now)
        _check_entitled(session, profile, now)
        spent = Decimal(profile.current_month_ai_cost or 0)
        limit = Decimal(profile.monthly_ai_usage_limit if profile.monthly_ai_usage_limit is not None else DEFAULT_LIMIT)
        quote = plan_reservation(
            spent=spent,
            reserved=reserved,
            limit=limit,
            worst_case_cost=worst_case_cost,
            max_completion_tokens=max_completion_tokens,
            min_completion_tokens=min_completion_tokens,
        )
        if quote is None:
            raise budget_refusal(spent + reserved, limit, now)
        reservation = AIBudgetReservation(
            user_id=user_id,
            session_id=session_id,
            interaction_type=interaction_type,
            model_used=model,
            amount_usd=quote.amount_usd,
            max_completion_tokens=quote.max_completion_tokens,
            expires_at=now + ttl,
            created_at=now,
        )
        session.add(reservation)
        session.add(profile)
        session.flush()
        return Reservation(
            id=reservation.id,
            user_id=user_id,
            session_id=session_id,
            interaction_type=interaction_type,
            model=model,
            amount_usd=quote.amount_usd,
            prompt_token_bound=prompt_token_bound,
            max_completion_tokens=quote.max_completion_tokens,
            expires_at=reservation.expires_at,
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
    with session_scope(engine, immediate=True) as session:
        profile = _locked_profile(session, reservation.user_id)
        _roll_month_over(profile, now)
        interaction = AIInteraction(
            user_id=reservation.user_id,
            session_id=reservation.session_id,
            interaction_type=reservation.interaction_type,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            model_used=reservation.model,
            cost_usd=cost_usd,
            created_at=now,
        )
        session.add(interaction)
        profile.current_month_ai_cost = Decimal(profile.current_month_ai_cost or 0) + cost_usd
        profile.updated_at = now
        session.add(profile)
        session.execute(sa.delete(AIBudgetReservation).where(AIBudgetReservation.id == reservation.id))
        reserved = _open_reservations(session, reservation.user_id, now)
        session.flush()
        limit = Decimal(profile.monthly_ai_usage_limit if profile.monthly_ai_usage_limit is not None else DEFAULT_LIMIT)
        spent = Decimal(profile.current_month_ai_cost)
        return {
            "interaction_id": str(interaction.id),
            "interaction_type": reservation.interaction_type,
            "model": reservation.model,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "cost_usd": cost_usd,
            "month": month_start(now).strftime("%Y-%m"),
            "month_total_usd": spent,
            "limit_usd": limit,
            "remaining_usd": max(limit - spent - reserved, Decimal("0")),
            "reserved_usd": reserved,
            "resets_at": next_reset(now),
        }


def set_feedback(engine: Engine, user_id: uuid.UUID, interaction_id: uuid.UUID, *, rating: int | None = None,
                 quality: Decimal | None = None) -> None:
    """Store a learner's 1-5 rating (user_feedback) or the automatic response_quality_score."""
    values: dict[str, Any] = {}
    if rating is not None:
        if not 1 <= rating <= 5:
            raise UsageError("A rating is a whole number from 1 to 5.")
        values["user_feedback"] = rating
    if quality is not None:
        values["response_quality_score"] = quality
    if not values:
        return
    with session_scope(engine) as session:
        session.execute(
            sa.update(AIInteraction)
            .where(AIInteraction.id == interaction_id, AIInteraction.user_id == user_id)
            .values(**values)
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
            spent = recorded
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

"""The AI budget protocol's use cases: reserve, settle (`track_ai_usage`), release, report.

Each step is one transaction (one statement on PostgreSQL; db/budget_store.py runs
them). Reserve is one conditional UPDATE of the learner's profile row, which carries both the
month's spend and the open reservations' total: `spent + reserved + worst case <= limit` is
tested on the row as locked, so concurrent calls, processes or server replicas can never both
take the last of the money. The statement also decides entitlement, by the same rule as
domain/entitlement.py; the uncommon cases (the full reply does not fit, a refusal to explain)
take a second look here.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from patternlift_cli.db.engine import session_scope
from patternlift_cli.db.models import AIBudgetReservation, AIInteraction, AIModelTrust, UserProfile, monthly_ai_usage
from patternlift_cli.domain.budget import Quote, month_start, monthly_limit, next_reset, plan_reservation, round_up_to_micro
from patternlift_cli.domain.entitlement import decide_entitlement
from patternlift_cli.domain.money import format_usd
from patternlift_cli.errors import BudgetExceededError, NotEntitledError, UnknownModelPriceError, UsageError
from patternlift_cli.db.budget_store import BudgetFigures, HoldRequest, budget_store

PRICE_SETTING = "PATTERNLIFT_AI_PRICE_OVERRIDES"
# Rounds of reserve: the full request, then a smaller one, then again if another call took the
# room (or the plan changed) meanwhile.
MAX_RESERVE_ROUNDS = 4
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reservation:
    id: uuid.UUID  # also the id of the ai_interactions row that settles it
    user_id: uuid.UUID
    session_id: uuid.UUID | None
    interaction_type: str
    model: str
    price_basis: str
    amount_usd: Decimal
    prompt_token_bound: int
    max_completion_tokens: int
    expires_at: datetime


@dataclass(frozen=True)
class TrackedUsage:
    """One settled call and the learner's month after it."""

    interaction_id: uuid.UUID
    interaction_type: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal
    month: date
    month_total_usd: Decimal
    limit_usd: Decimal
    reserved_usd: Decimal
    remaining_usd: Decimal
    resets_at: datetime
    overrun: bool  # the provider billed more than the reservation covered


def budget_refusal(spent: Decimal, limit: Decimal, now: datetime) -> BudgetExceededError:
    reset = next_reset(now)
    return BudgetExceededError(
        f"AI budget reached: {format_usd(spent)} of {format_usd(limit)} spent this month "
        f"(resets {reset:%Y-%m-%d} 00:00 UTC).",
        hint="Lessons, checks, practice and the built-in hints keep working without AI.",
    )


def reserve(
    engine: Engine,
    user_id: uuid.UUID,
    *,
    interaction_type: str,
    model: str,
    price_basis: str,
    prompt_token_bound: int,
    worst_case_cost: Callable[[int], Decimal],
    max_completion_tokens: int,
    min_completion_tokens: int,
    session_id: uuid.UUID | None,
    ttl: timedelta,
    now: datetime | None = None,
) -> Reservation:
    """Set aside the worst case of one attempt, or refuse (not entitled, distrusted model, over budget).

    `price_basis` names the price the worst case was computed with (Pricer.basis): a model that
    overran under that price is refused.
    """
    now = now or datetime.now(UTC)
    store = budget_store(engine)
    quote = Quote(max_completion_tokens, round_up_to_micro(worst_case_cost(max_completion_tokens)))
    figures: BudgetFigures | None = None
    for _ in range(MAX_RESERVE_ROUNDS):
        request = HoldRequest(
            hold_id=uuid.uuid4(), user_id=user_id, session_id=session_id, interaction_type=interaction_type,
            model=model, price_basis=price_basis, amount_usd=quote.amount_usd,
            prompt_token_bound=prompt_token_bound, max_completion_tokens=quote.max_completion_tokens,
            expires_at=now + ttl,
        )
        figures = store.reserve(request, now)
        if figures is None:
            raise UsageError("That learner no longer exists.", hint="Run `patternlift login` again.")
        if figures.granted:
            return Reservation(
                id=request.hold_id, user_id=user_id, session_id=session_id, interaction_type=interaction_type,
                model=model, price_basis=price_basis, amount_usd=quote.amount_usd,
                prompt_token_bound=prompt_token_bound, max_completion_tokens=quote.max_completion_tokens,
                expires_at=request.expires_at,
            )
        if not figures.trusted:
            raise distrusted_model_error(engine, model)
        if not figures.entitled:
            _require_entitlement(engine, user_id, figures, now)
            continue  # the plan changed between the statement and the check: ask again
        smaller = plan_reservation(
            spent=figures.spent, reserved=figures.reserved, limit=figures.limit, worst_case_cost=worst_case_cost,
            max_completion_tokens=max_completion_tokens, min_completion_tokens=min_completion_tokens,
        )
        if smaller is None:
            break
        quote = smaller
    assert figures is not None
    raise budget_refusal(figures.spent + figures.reserved, figures.limit, now)


def _require_entitlement(engine: Engine, user_id: uuid.UUID, figures: BudgetFigures, now: datetime) -> None:
    """The reserve statement refused the plan: the domain rule says why, in the learner's words."""
    period_end = paid = None
    if figures.status == "canceled":  # only a canceled plan's access depends on its paid period
        from patternlift_cli.db.models import Subscription
        from patternlift_cli.services.billing_records import paid_through

        with session_scope(engine) as session:
            period_end = session.execute(
                sa.select(Subscription.current_period_end).where(Subscription.user_id == user_id)
            ).scalar_one_or_none()
            paid = paid_through(session.connection(), user_id)
    decision = decide_entitlement(
        status=figures.status, trial_ends_at=figures.trial_ends_at, current_period_end=period_end,
        paid_through=paid, now=now,
    )
    if not decision.allowed:
        raise NotEntitledError(
            f"{decision.reason} The AI tutor needs an active plan; learning without AI goes on.",
            hint="Run `patternlift subscribe` to continue with the AI tutor.",
        )


def distrusted_model_error(engine: Engine, model: str) -> UnknownModelPriceError:
    with session_scope(engine) as session:
        trust = session.get(AIModelTrust, model)
    evidence = ""
    if trust is not None:
        evidence = (f" billed {format_usd(trust.billed_usd)} for a call reserved at {format_usd(trust.reserved_usd)}"
                    f" ({trust.last_seen_at:%Y-%m-%d}) and")
    return UnknownModelPriceError(
        f"The model '{model}'{evidence} is refused until its price is set (or changed) in {PRICE_SETTING}.",
        hint=f'e.g. {PRICE_SETTING}=\'{{"{model}": {{"input": "0.15", "output": "0.60"}}}}\' (USD per 1M tokens).',
    )


def release(engine: Engine, reservation: Reservation) -> None:
    """A call that failed before any token was generated costs nothing: give the money back."""
    budget_store(engine).release(reservation.id)


def track_ai_usage(
    engine: Engine,
    reservation: Reservation,
    *,
    prompt_tokens: int,
    completion_tokens: int,
    cost_usd: Decimal,
    now: datetime | None = None,
) -> TrackedUsage:
    """Settle one attempt: record the interaction, move its cost from reserved to spent, free the hold.

    Named after the seed's function. A provider that bills more than the reservation covered
    (it ignored max_completion_tokens, or the price is wrong) is recorded as it billed: the cap
    is on what we know. The overrun is logged and the model distrusted at its current price.
    """
    now = now or datetime.now(UTC)
    cost_usd = round_up_to_micro(cost_usd)
    overrun = cost_usd > reservation.amount_usd
    if overrun:
        logger.warning(
            "AI call cost %s but only %s was reserved (model %s, %d+%d tokens, %d allowed); recorded as billed, "
            "and the model is refused until its price is set in %s",
            format_usd(cost_usd), format_usd(reservation.amount_usd), reservation.model, prompt_tokens,
            completion_tokens, reservation.max_completion_tokens, PRICE_SETTING,
        )
    settled = budget_store(engine).settle(
        reservation.id, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, cost_usd=cost_usd,
        overrun_price_basis=reservation.price_basis if overrun else None, now=now,
    )
    if settled is None:
        return _charged_on_expiry(engine, reservation, now)
    return TrackedUsage(
        interaction_id=reservation.id, interaction_type=settled.interaction_type, model=settled.model,
        prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, cost_usd=cost_usd, month=settled.month,
        month_total_usd=settled.spent, limit_usd=settled.limit, reserved_usd=settled.reserved,
        remaining_usd=max(settled.limit - settled.spent - settled.reserved, Decimal(0)),
        resets_at=next_reset(now), overrun=overrun,
    )


def _charged_on_expiry(engine: Engine, reservation: Reservation, now: datetime) -> TrackedUsage:
    """The hold expired before the settle and was charged at its worst case by another call."""
    with session_scope(engine) as session:
        charged = session.get(AIInteraction, reservation.id)
        profile = session.get(UserProfile, reservation.user_id)
    if charged is None or profile is None:
        raise RuntimeError(f"reservation {reservation.id} is neither open nor recorded")
    logger.warning("AI reservation %s expired before its call settled; it stays charged at its worst case %s",
                   reservation.id, format_usd(charged.cost_usd))
    limit = monthly_limit(profile.monthly_ai_usage_limit)
    spent = Decimal(profile.current_month_ai_cost or 0)
    reserved = Decimal(profile.current_month_ai_reserved or 0)
    return TrackedUsage(
        interaction_id=charged.id, interaction_type=charged.interaction_type, model=charged.model_used,
        prompt_tokens=charged.prompt_tokens, completion_tokens=charged.completion_tokens, cost_usd=charged.cost_usd,
        month=profile.ai_cost_month or month_start(now), month_total_usd=spent, limit_usd=limit,
        reserved_usd=reserved, remaining_usd=max(limit - spent - reserved, Decimal(0)), resets_at=next_reset(now),
        overrun=False,
    )


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
        limit = monthly_limit(profile.monthly_ai_usage_limit)

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
                # Expired holds too: they are charged at their worst case by the next call.
                AIBudgetReservation.user_id == user_id
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

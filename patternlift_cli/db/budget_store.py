"""Runs the AI budget protocol's statements (db/budget_sql.py) against one database.

`budget_store(engine)` gives the store for an engine. It is the protocol's hot path, so it
talks to the driver on a connection from SQLAlchemy's pool, with SQL prepared once per process
instead of a statement object executed per call: on PostgreSQL each step is one statement in
its own autocommit transaction (one round trip; psycopg prepares it server-side after a few
uses), on SQLite one BEGIN IMMEDIATE transaction, bound through SQLAlchemy's own type
processors so ids, times and dates are stored exactly as the ORM stores them.

The store decides nothing: the rule is in the SQL; services/ai_usage.py turns what the store
saw into reservations and refusals.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from patternlift_cli.db import budget_sql as sql
from patternlift_cli.db.engine import translate_operational_error
from patternlift_cli.db.types import Money, UTCDateTime
from patternlift_cli.domain.budget import month_start
from patternlift_cli.errors import StorageError

MICROS = Decimal(1_000_000)


@dataclass(frozen=True)
class HoldRequest:
    """One attempt's worst case, to be set aside if it fits."""

    hold_id: uuid.UUID
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
class BudgetFigures:
    """The learner's budget as reserve saw it, month rolled over and expired holds swept
    (`reserved` excludes the hold just granted)."""

    granted: bool
    entitled: bool
    trusted: bool
    spent: Decimal
    reserved: Decimal
    limit: Decimal
    status: str | None
    trial_ends_at: datetime | None


@dataclass(frozen=True)
class Settled:
    """The profile after a settle; `held` is what the hold had set aside."""

    interaction_type: str
    model: str
    held: Decimal
    spent: Decimal
    reserved: Decimal
    limit: Decimal
    month: date


def _when(now: datetime) -> dict[str, Any]:
    month = month_start(now)
    return {"now": now, "month": month, "month_start": datetime(month.year, month.month, 1, tzinfo=UTC)}


class _Driver:
    """Connections from the engine's pool, used at the driver level; driver errors become ours."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._errors = (engine.dialect.loaded_dbapi.OperationalError, engine.dialect.loaded_dbapi.InterfaceError)

    @contextmanager
    def connection(self) -> Iterator[Any]:
        try:
            pooled = self.engine.raw_connection()
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
            raise translate_operational_error(error, self.engine.url) from error
        try:
            yield pooled.driver_connection
        except self._errors as error:
            raise translate_operational_error(error, self.engine.url) from error
        finally:
            pooled.close()  # back to the pool, which rolls back anything left open


class PostgresBudgetStore:
    def __init__(self, engine: Engine) -> None:
        self._driver = _Driver(engine)

        def compiled(text: str) -> str:  # :name -> %(name)s, as psycopg wants it
            return str(sa.text(text).compile(dialect=engine.dialect))

        self._reserve = compiled(sql.PG_RESERVE)
        self._settle = compiled(sql.PG_SETTLE)
        self._settle_overrun = compiled(sql.PG_SETTLE_OVERRUN)
        self._release = compiled(sql.PG_RELEASE)

    def _run(self, statement: str, params: dict[str, Any], *, fetch: bool = True) -> tuple[Any, ...] | None:
        with self._driver.connection() as connection:
            # One statement is the whole transaction: no BEGIN or COMMIT round trips.
            connection.autocommit = True
            try:
                with connection.cursor() as cursor:
                    cursor.execute(statement, params)
                    return cursor.fetchone() if fetch else None
            finally:
                if not connection.closed:
                    connection.autocommit = False

    def reserve(self, request: HoldRequest, now: datetime) -> BudgetFigures | None:
        row = self._run(self._reserve, {
            **_when(now), "user_id": request.user_id, "hold_id": request.hold_id,
            "session_id": request.session_id, "interaction_type": request.interaction_type,
            "model": request.model, "price_basis": request.price_basis, "amount": request.amount_usd,
            "prompt_token_bound": request.prompt_token_bound,
            "max_completion_tokens": request.max_completion_tokens, "expires_at": request.expires_at,
        })
        if row is None:
            return None
        granted, entitled, trusted, spent, reserved, limit, status, trial_ends_at = row
        return BudgetFigures(granted, entitled, trusted, spent, reserved, limit, status,
                             trial_ends_at.astimezone(UTC) if trial_ends_at else None)

    def settle(self, hold_id: uuid.UUID, *, prompt_tokens: int, completion_tokens: int, cost_usd: Decimal,
               overrun_price_basis: str | None, now: datetime) -> Settled | None:
        statement = self._settle if overrun_price_basis is None else self._settle_overrun
        row = self._run(statement, {
            **_when(now), "hold_id": hold_id, "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens, "cost": cost_usd, "price_basis": overrun_price_basis,
        })
        return None if row is None else Settled(*row)

    def release(self, hold_id: uuid.UUID) -> None:
        self._run(self._release, {"hold_id": hold_id}, fetch=False)


def _micros(amount: Decimal) -> int:
    micros = amount * MICROS
    if micros != micros.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of micro-dollars")
    return int(micros)


def _dollars(micros: int) -> Decimal:
    return Decimal(int(micros)) / MICROS


# UPDATE ... FROM (3.33) and RETURNING (3.35).
SQLITE_MINIMUM = (3, 35, 0)


class SqliteBudgetStore:
    def __init__(self, engine: Engine) -> None:
        import sqlite3

        if sqlite3.sqlite_version_info < SQLITE_MINIMUM:
            raise StorageError(
                f"The AI tutor's budget needs SQLite {'.'.join(map(str, SQLITE_MINIMUM))} or newer; "
                f"this Python has {sqlite3.sqlite_version}.",
                hint="Use a newer Python build, or PostgreSQL via PATTERNLIFT_DATABASE_URL.",
            )
        self._driver = _Driver(engine)
        dialect = engine.dialect

        def binder(type_: Any) -> Any:
            return type_.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)

        def reader(type_: Any) -> Any:
            return type_.dialect_impl(dialect).result_processor(dialect, None) or (lambda value: value)

        self._id, self._time, self._date, self._money = (
            binder(sa.Uuid()), binder(UTCDateTime()), binder(sa.Date()), binder(Money()))
        self._read_id, self._read_time, self._read_date = reader(sa.Uuid()), reader(UTCDateTime()), reader(sa.Date())

    @contextmanager
    def _immediate(self) -> Iterator[Any]:
        """BEGIN IMMEDIATE ... COMMIT: the write lock for the whole step, taken at its start."""
        with self._driver.connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def _when(self, now: datetime) -> dict[str, Any]:
        when = _when(now)
        return {"now": self._time(now), "month": self._date(when["month"]), "month_start": self._time(when["month_start"])}

    def reserve(self, request: HoldRequest, now: datetime) -> BudgetFigures | None:
        decide = {
            **self._when(now), "user_id": self._id(request.user_id), "model": request.model,
            "price_basis": request.price_basis, "amount": _micros(request.amount_usd),
        }
        with self._immediate() as connection:
            granted = connection.execute(sql.SQLITE_RESERVE, decide).fetchall()
            if granted:
                ((spent, reserved, limit, expired),) = granted
                connection.execute(sql.SQLITE_INSERT_HOLD, {
                    "hold_id": self._id(request.hold_id), "user_id": decide["user_id"],
                    "session_id": self._id(request.session_id), "interaction_type": request.interaction_type,
                    "model": request.model, "amount_usd": self._money(request.amount_usd),
                    "prompt_token_bound": request.prompt_token_bound,
                    "max_completion_tokens": request.max_completion_tokens,
                    "expires_at": self._time(request.expires_at), "now": decide["now"],
                })
                if expired:
                    self._charge_and_delete_expired(connection, decide)
                return BudgetFigures(True, True, True, _dollars(spent), _dollars(reserved) - request.amount_usd,
                                     _dollars(limit), None, None)
            row = connection.execute(sql.SQLITE_FIGURES, decide).fetchone()
            if row is None:
                return None
            entitled, trusted, spent, reserved, limit, status, trial_ends_at, holds = row
            if holds:  # a refused call still charges what it swept
                connection.execute(sql.SQLITE_APPLY_SWEEP, decide)
                self._charge_and_delete_expired(connection, decide)
        return BudgetFigures(False, bool(entitled), bool(trusted), _dollars(spent), _dollars(reserved),
                             _dollars(limit), status, self._read_time(trial_ends_at))

    @staticmethod
    def _charge_and_delete_expired(connection: Any, decide: dict[str, Any]) -> None:
        params = {"user_id": decide["user_id"], "now": decide["now"]}
        connection.execute(sql.SQLITE_CHARGE_EXPIRED, params)
        connection.execute(sql.SQLITE_DELETE_EXPIRED, params)

    def settle(self, hold_id: uuid.UUID, *, prompt_tokens: int, completion_tokens: int, cost_usd: Decimal,
               overrun_price_basis: str | None, now: datetime) -> Settled | None:
        when = self._when(now)
        hold_key = self._id(hold_id)
        with self._immediate() as connection:
            taken = connection.execute(sql.SQLITE_TAKE_HOLD, {"hold_id": hold_key}).fetchall()
            if not taken:
                return None
            ((user_key, session_key, interaction_type, model, held_micros, max_completion_tokens),) = taken
            connection.execute(sql.SQLITE_INSERT_INTERACTION, {
                "hold_id": hold_key, "user_id": user_key, "session_id": session_key,
                "interaction_type": interaction_type, "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens, "model": model, "cost_usd": self._money(cost_usd),
                "now": when["now"],
            })
            ((spent, reserved, limit, month),) = connection.execute(sql.SQLITE_SETTLE_PROFILE, {
                **when, "user_id": user_key, "cost": _micros(cost_usd), "held": held_micros,
            }).fetchall()
            held = _dollars(held_micros)
            if overrun_price_basis is not None and cost_usd > held:
                connection.execute(sql.SQLITE_DISTRUST, {
                    "model": model, "price_basis": overrun_price_basis, "reserved_usd": self._money(held),
                    "cost_usd": self._money(cost_usd), "max_completion_tokens": max_completion_tokens,
                    "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                    "hold_id": hold_key, "now": when["now"],
                })
        return Settled(interaction_type, model, held, _dollars(spent), _dollars(reserved), _dollars(limit),
                       self._read_date(month))

    def release(self, hold_id: uuid.UUID) -> None:
        with self._immediate() as connection:
            taken = connection.execute(sql.SQLITE_TAKE_HOLD, {"hold_id": self._id(hold_id)}).fetchall()
            if taken:
                ((user_key, _, _, _, held_micros, _),) = taken
                connection.execute(sql.SQLITE_RELEASE_PROFILE, {"user_id": user_key, "held": held_micros})


BudgetStore = PostgresBudgetStore | SqliteBudgetStore
_stores: weakref.WeakKeyDictionary[Engine, BudgetStore] = weakref.WeakKeyDictionary()


def budget_store(engine: Engine) -> BudgetStore:
    """The store for `engine`, built on first use and kept while the engine lives."""
    store = _stores.get(engine)
    if store is None:
        store = PostgresBudgetStore(engine) if engine.dialect.name == "postgresql" else SqliteBudgetStore(engine)
        _stores[engine] = store
    return store

"""Column types that mean the same thing on PostgreSQL and SQLite.

PostgreSQL gets its native types (uuid, jsonb, text[], numeric, timestamptz, named enums);
SQLite gets the nearest equivalent, with the same CHECK constraints declared by the tables.

Money on SQLite: NUMERIC affinity keeps a value as an 8-byte float. Every amount we store has at
most 6 decimals and is far below 10^9, which a double round-trips exactly once quantized back to
6 places, so `Money` quantizes on read and Python arithmetic stays exact `Decimal`.
"""

from __future__ import annotations

import enum
import warnings
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.types import TypeDecorator

# The warning is about float storage on SQLite; Money/Numeric below quantize on the way out.
warnings.filterwarnings(
    "ignore", message=r"Dialect sqlite\+pysqlite does \*not\* support Decimal", category=sa_exc.SAWarning
)

MICRO = Decimal("0.000001")



class _JSONB(TypeDecorator[Any]):
    """jsonb on PostgreSQL, JSON elsewhere.

    Not `with_variant(postgresql.JSONB())`: that imports SQLAlchemy's PostgreSQL dialect (~70 ms)
    in every command, SQLite ones included; this imports it when a PostgreSQL dialect asks.
    """

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(sa.JSON())


class _TextArray(TypeDecorator[Any]):
    """text[] on PostgreSQL, a JSON list elsewhere (imported lazily, as _JSONB)."""

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import ARRAY

            return dialect.type_descriptor(ARRAY(sa.Text()))
        return dialect.type_descriptor(sa.JSON())


JSONB = _JSONB()
TEXT_ARRAY = _TextArray()


class UTCDateTime(TypeDecorator[datetime]):
    """timestamptz on PostgreSQL; on SQLite a UTC string. Always aware UTC in Python."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; PatternLift stores timezone-aware UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # a CURRENT_TIMESTAMP default read through a view
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Money(TypeDecorator[Decimal]):
    """numeric(10,6) dollars, exact Decimal in Python on both backends."""

    impl = sa.Numeric(10, 6, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value).quantize(MICRO)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(MICRO)


class PlainNumeric(TypeDecorator[Decimal]):
    """The seed's unbounded `numeric`; Decimal in Python, normalised on SQLite's float storage."""

    impl = sa.Numeric(asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        number = Decimal(str(value))
        if dialect.name == "sqlite":
            number = number.quantize(Decimal("0.0000000001")).normalize()
            if number == number.to_integral():
                number = number.quantize(Decimal(1))
        return number


class SubscriptionStatus(str, enum.Enum):
    trial = "trial"
    active = "active"
    canceled = "canceled"
    past_due = "past_due"
    unpaid = "unpaid"


class LearningStage(str, enum.Enum):
    introduction = "introduction"
    knowledge_check = "knowledge_check"
    hands_on_practice = "hands_on_practice"
    mastery_assessment = "mastery_assessment"


def _enum_type(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    return sa.Enum(
        enum_class,
        name=name,
        values_callable=lambda members: [member.value for member in members],
        create_constraint=True,  # a CHECK on SQLite; a real enum type on PostgreSQL
        validate_strings=True,
        native_enum=True,
    )


SUBSCRIPTION_STATUS = _enum_type(SubscriptionStatus, "user_subscription_status")
LEARNING_STAGE = _enum_type(LearningStage, "learning_stage")

"""What every SQLModel table module shares: the base class and the column helpers.

`TableModel` puts every table on `db.tables.metadata`, beside the Core tables declared there,
so foreign keys between the two kinds resolve and the schema is one `MetaData`.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from patternlift_cli.db.tables import (
    NOW,
    metadata,
    timestamp_column,
    user_fk_column,
    uuid_pk_column,
)

__all__ = ["NOW", "TableModel", "created_at_field", "updated_at_field", "user_fk", "uuid_pk"]


class TableModel(SQLModel, registry=registry(metadata=metadata)):
    """The base of every table model (SQLModel's own registry would hold a second MetaData)."""


def uuid_pk() -> Any:
    return Field(default_factory=uuid.uuid4, sa_column=uuid_pk_column())


def created_at_field() -> Any:
    return Field(default=None, sa_column=timestamp_column("created_at"))


def updated_at_field() -> Any:
    return Field(default=None, sa_column=timestamp_column("updated_at"))


def user_fk(nullable: bool = True) -> Any:
    return Field(default=None if nullable else ..., sa_column=user_fk_column(nullable))

"""A throwaway, migrated PostgreSQL database for one benchmark run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from patternlift_cli.db import migrate
from patternlift_cli.db.engine import normalize_database_url

SERVER = os.environ.get("PATTERNLIFT_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_database(pool_size: int = 20) -> Iterator[sa.Engine]:
    server = normalize_database_url(SERVER)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"patternlift_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    # One pooled connection per worker, so the pool never becomes the bottleneck measured.
    engine = sa.create_engine(server.set(database=name), pool_size=pool_size, max_overflow=0)
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

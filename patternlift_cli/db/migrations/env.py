"""Alembic environment: runs on the connection PatternLift hands it (see db/migrate.py)."""

from __future__ import annotations

from alembic import context

from patternlift_cli.db.migrate import include_object
from patternlift_cli.db.models import all_tables

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through `patternlift db upgrade`, not the alembic CLI.")

context.configure(
    connection=connection,
    target_metadata=all_tables(),
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=include_object,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

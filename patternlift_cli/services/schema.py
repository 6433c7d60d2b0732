"""`patternlift db ...`: the administration use cases of the schema (migrate, inspect, export)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MigrationResult:
    where: str
    before: str | None
    after: str | None


def _engine() -> Any:
    from patternlift_cli.db.engine import get_engine

    return get_engine()


def upgrade(revision: str = "head") -> MigrationResult:
    from patternlift_cli.db import migrate
    from patternlift_cli.db.engine import describe_location

    engine = _engine()
    migration = migrate.upgrade(engine, revision)
    return MigrationResult(describe_location(engine.url), migration.before, migration.after)


def downgrade(revision: str) -> MigrationResult:
    from patternlift_cli.db import migrate
    from patternlift_cli.db.engine import describe_location

    engine = _engine()
    migration = migrate.downgrade(engine, revision)
    return MigrationResult(describe_location(engine.url), migration.before, migration.after)


def status() -> dict[str, Any]:
    """Where the database is, its revision, and whether it is current, behind or ahead."""
    from patternlift_cli.db import migrate
    from patternlift_cli.db.engine import describe_location

    engine = _engine()
    current, head = migrate.current_revision(engine), migrate.head_revision()
    newer = current is not None and current != head and not migrate.is_known_revision(current)
    return {
        "database": describe_location(engine.url),
        "current_revision": current,
        "head_revision": head,
        "up_to_date": current == head,
        "newer_than_code": newer,
    }


def check() -> dict[str, Any]:
    """Every difference between the models and the migrated database."""
    from patternlift_cli.db import migrate

    engine = _engine()
    differences = migrate.compare_schema(engine)
    current, head = migrate.current_revision(engine), migrate.head_revision()
    return {
        "in_sync": not differences and current == head,
        "current_revision": current,
        "head_revision": head,
        "differences": [{"kind": d.kind, "detail": d.detail} for d in differences],
    }


def typescript() -> str:
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.db.typescript import generate_typescript

    return generate_typescript(ready_engine())


def refresh_usage() -> str:
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.services.ai_usage import refresh_monthly_usage

    return refresh_monthly_usage(ready_engine())

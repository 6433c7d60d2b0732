"""The real server app plus test-only routes and a clock the tests can move.

    uvicorn --factory tests.fakes.server_app:create

PATTERNLIFT_TEST_CLOCK_FILE names a file holding a number of seconds to add to the real time;
the tests write it to jump past a code's 10 minutes without sleeping.

The test routes are written the way a careless handler would be: no user filter at all. They
prove that row-level security, not the handler, keeps learners apart.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from patternlift_cli import errors
from patternlift_cli.config import get_settings
from patternlift_cli.db.models import UserAchievement
from patternlift_cli.server import create_app as create_server
from patternlift_cli.server.deps import LearnerDB
from patternlift_cli.server.idempotency import HeldTransactionRoute, IdempotentRoute


class FileClock:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> datetime:
        try:
            offset = float(self.path.read_text().strip() or 0)
        except (OSError, ValueError):
            offset = 0.0
        return datetime.now(UTC) + timedelta(seconds=offset)


class Note(BaseModel):
    text: str
    hold_seconds: float = 0.0
    fail: bool = False


def _test_router(prefix: str = "/test", route_class: type[IdempotentRoute] = IdempotentRoute) -> APIRouter:
    router = APIRouter(prefix=prefix, route_class=route_class)

    @router.get("/ai-interactions")
    def every_interaction(db: LearnerDB) -> list[dict[str, str]]:
        with db.connection() as connection:  # deliberately no WHERE user_id = ...
            rows = connection.execute(sa.text("SELECT user_id, cost_usd FROM ai_interactions")).all()
        return [{"user_id": str(row.user_id), "cost_usd": str(row.cost_usd)} for row in rows]

    @router.get("/profiles")
    def every_profile(db: LearnerDB) -> list[str]:
        with db.connection() as connection:
            return list(connection.execute(sa.text("SELECT email FROM user_profiles")).scalars())

    @router.post("/raise-my-limit")
    def raise_my_limit(db: LearnerDB) -> dict[str, int]:
        with db.connection(write=True) as connection:  # what a tampering learner would like
            changed = connection.execute(sa.text("UPDATE user_profiles SET monthly_ai_usage_limit = 1000000"))
        return {"changed": changed.rowcount}

    @router.post("/notes", status_code=201)
    def add_note(note: Note, db: LearnerDB) -> dict[str, str]:
        achievement_id = f"note-{uuid.uuid4()}"
        with db.connection(write=True) as connection:
            connection.execute(
                sa.insert(UserAchievement.__table__).values(
                    id=uuid.uuid4(), user_id=db.learner.id, achievement_id=achievement_id,
                    achievement_name=note.text, achievement_data={},
                )
            )
            if note.hold_seconds:
                time.sleep(note.hold_seconds)  # keep the claim's transaction open: a racing duplicate waits
            if note.fail:
                raise errors.UsageError("This note was refused on purpose.")  # rolls the write back
        return {"achievement_id": achievement_id}

    @router.post("/raise/{class_name}")
    def raise_error(class_name: str) -> None:
        cls = getattr(errors, class_name)
        if cls is errors.UnknownPatternError:
            raise cls("two-pointer", ["two-pointers"])
        if cls is errors.RateLimitedError:
            raise cls("Slow down.", hint="Try again in 2 minutes.", retry_after_seconds=90)
        raise cls(f"{class_name} raised on purpose.", hint="A hint line.")

    return router


def _small_engine(settings):  # type: ignore[no-untyped-def]
    """The server's engine with a small pool: the test PostgreSQL is shared by every test run
    on the machine, and the replicas' idle connections must not crowd it out."""
    import sqlalchemy as sa

    from patternlift_cli.server.app import server_engine

    engine = server_engine(settings)
    if engine.dialect.name != "postgresql":
        return engine
    engine.dispose()
    return sa.create_engine(engine.url, pool_size=2, max_overflow=6, pool_pre_ping=True,
                            connect_args={"connect_timeout": settings.db_connect_timeout_seconds})


def create() -> FastAPI:
    clock_file = os.environ.get("PATTERNLIFT_TEST_CLOCK_FILE")
    settings = get_settings()
    app = create_server(
        settings, clock=FileClock(Path(clock_file)) if clock_file else None, engine=_small_engine(settings)
    )
    app.include_router(_test_router())
    # The same routes as the learning router runs them: token check, claim, write and stored
    # response in one transaction.
    app.include_router(_test_router("/test/held", HeldTransactionRoute))
    return app

"""The PatternLift server: an ASGI app built by `create_app(settings)`.

Stateless by construction: everything that must hold across requests (codes, tokens, rate
limits, idempotency keys, progress, spend) is in the database, so any number of replicas can
share one PostgreSQL. The process keeps only a connection pool and caches (Supabase's keys).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from fastapi import FastAPI, Request
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from patternlift_cli import __version__
from patternlift_cli.config import Settings
from patternlift_cli.content.version import content_version
from patternlift_cli.db import migrate
from patternlift_cli.db.engine import create_engine_for, database_errors, describe_location, normalize_database_url
from patternlift_cli.errors import ConfigError
from patternlift_cli.server import routes_auth, routes_billing, routes_learning, routes_review, routes_stripe
from patternlift_cli.server.body_limit import BodyLimitMiddleware
from patternlift_cli.server.mailer import Mailer, parse_smtp_url
from patternlift_cli.server.problems import install_problem_handlers
from patternlift_cli.server.routes_ai import router as ai_router
from patternlift_cli.server.supabase_auth import SupabaseVerifier

logger = logging.getLogger("patternlift.server")

Clock = Callable[[], datetime]
SERVER_POOL_SIZE = 15  # PostgreSQL connections per worker (docs/SERVER.md, "Workers")


def system_clock() -> datetime:
    return datetime.now(UTC)


def server_engine(settings: Settings) -> Engine:
    if settings.database_url is None:
        raise ConfigError(
            "The server needs PATTERNLIFT_DATABASE_URL: postgresql+psycopg://... "
            "(or sqlite:///path for a one-machine trial)."
        )
    # No pre-ping per checkout: on a busy server it doubled the round trips of a short
    # transaction. Idle connections are still pinged, and old ones recycled (db/engine.py).
    # 15 connections kept open, none opened beyond them (it was 5 kept + 10 overflow): under
    # load the overflow ones were closed and reopened all the time, each a new PostgreSQL
    # backend whose statements had to be planned again before psycopg prepared them.
    return create_engine_for(
        normalize_database_url(settings.database_url), settings, ping_every_checkout=False, pool_size=SERVER_POOL_SIZE
    )


def mailer_for(settings: Settings) -> Mailer | None:
    if settings.smtp_url is None:
        return None
    target = parse_smtp_url(settings.smtp_url.get_secret_value())
    if not settings.smtp_from:
        raise ConfigError("PATTERNLIFT_SMTP_FROM is not set: sign-in mail needs a From address.")
    return Mailer(target, settings.smtp_from, settings.smtp_timeout_seconds)


def check_ready(engine: Engine) -> str:
    """The schema revision, or SchemaOutOfDateError / DatabaseUnreachableError (one line)."""
    migrate.ensure_schema(engine, auto_migrate=False)
    return migrate.head_revision()


def check_settings(settings: Settings) -> None:
    """What the server refuses to start without; each failure is one line."""
    if settings.auth_pepper is None:
        raise ConfigError(
            "PATTERNLIFT_AUTH_PEPPER is not set: the server keys sign-in code hashes with it.",
            hint="Make one with `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`; "
            "every replica needs the same value.",
        )
    mailer_for(settings)


def preflight(settings: Settings) -> tuple[str, str]:
    """Everything `patternlift server` checks before it starts a worker: (dialect, where the data is)."""
    check_settings(settings)
    engine = server_engine(settings)
    try:
        check_ready(engine)
        return engine.dialect.name, describe_location(engine.url)
    finally:
        engine.dispose()  # each worker opens its own pool


def create_app(settings: Settings, *, clock: Clock | None = None, engine: Engine | None = None) -> FastAPI:
    check_settings(settings)
    owned_engine = engine is None
    engine = engine or server_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(check_ready, engine)
        await run_in_threadpool(content_version)  # loaded here, not on the event loop by a request
        yield
        if owned_engine:
            engine.dispose()

    app = FastAPI(
        title="PatternLift",
        version=__version__,
        summary="Learners' progress, AI spend and subscription, on a platform they cannot tamper with.",
        lifespan=lifespan,
        docs_url=None,  # the Swagger and ReDoc pages load scripts from a CDN; /openapi.json is enough
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock or system_clock
    app.state.mailer = mailer_for(settings)
    app.state.supabase = SupabaseVerifier(settings)
    install_problem_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.server_max_body_bytes)
    app.include_router(_health_router())
    app.include_router(routes_auth.router)
    app.include_router(routes_learning.router)
    app.include_router(routes_review.router)
    app.include_router(routes_stripe.router)
    app.include_router(routes_billing.router)
    app.include_router(ai_router)
    return app


def _health_router():  # type: ignore[no-untyped-def]
    from fastapi import APIRouter

    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up (it does not touch the database)."""
        return {"status": "ok"}

    @router.get("/readyz")
    def readyz(request: Request) -> dict[str, str]:
        """The database answers and its schema is the one this server needs."""
        engine: Engine = request.app.state.engine
        with database_errors(engine), engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        revision = check_ready(engine)
        return {"status": "ready", "database": engine.dialect.name, "schema": revision}

    return router

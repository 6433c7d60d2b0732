"""The server app for bench/server_learn.py: the real app, plus the baseline it is measured against.

    uvicorn --factory bench._server_app:create --workers 2

`POST /bench/touch/{n}`: a bare FastAPI endpoint doing one single-row UPDATE on the same
database (its own small table), in a threadpool handler as the learning routes are.
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI

from patternlift_cli.config import get_settings
from patternlift_cli.server import create_app

TOUCH = sa.text("UPDATE bench_rows SET n = n + 1 WHERE id = :id")


def create() -> FastAPI:
    app = create_app(get_settings())
    engine: sa.Engine = app.state.engine

    @app.post("/bench/touch/{row_id}")
    def touch(row_id: int) -> dict[str, int]:
        with engine.begin() as connection:
            connection.execute(TOUCH, {"id": row_id})
        return {"id": row_id}

    return app

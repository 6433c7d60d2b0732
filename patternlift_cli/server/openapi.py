"""The OpenAPI document without a database: the same app, built on a placeholder engine."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr

from patternlift_cli.config import Settings


def openapi_document() -> dict[str, Any]:
    from patternlift_cli.server.app import create_app

    # Placeholders only, and nothing read from the environment: describing the routes opens no
    # connection and sends no mail.
    settings = Settings.model_construct(auth_pepper=SecretStr("x" * 32), database_url="sqlite://")
    app = create_app(settings, engine=sa.create_engine("sqlite://"))
    return app.openapi()

"""The PatternLift server: the use cases over HTTP (FastAPI on uvicorn); `create_app(settings)`,
see docs/SERVER.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from patternlift_cli.config import Settings


def create_app(settings: Settings, **options: Any) -> FastAPI:
    from patternlift_cli.server.app import create_app as build

    return build(settings, **options)

"""The app uvicorn (or any ASGI server) loads: settings from the environment, one line on failure.

    uvicorn --factory patternlift_cli.server.main:app_from_environment --workers 4

`patternlift server` runs exactly this factory in each worker.
"""

from __future__ import annotations

import sys

from fastapi import FastAPI

from patternlift_cli.errors import PatternLiftError


def app_from_environment() -> FastAPI:
    from patternlift_cli.config import get_settings
    from patternlift_cli.server.app import check_ready, create_app

    try:
        app = create_app(get_settings())
        check_ready(app.state.engine)
    except PatternLiftError as error:
        # One line and the error's exit code, not a traceback from inside uvicorn.
        print(f"Error: {error}", file=sys.stderr)
        raise SystemExit(error.exit_code) from None
    return app

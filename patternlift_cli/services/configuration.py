"""`config show`: every setting and endpoint in effect, where each came from, and where each
secret comes from."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULT_AI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_STRIPE_API_BASE = "https://api.stripe.com"
ENV_PREFIX = "PATTERNLIFT_"


def setting_source(name: str, env_file: Path | None = None) -> str:
    """'environment', '.env' or 'default': where pydantic-settings took the setting from.

    The environment wins over .env, as in Settings; names match case-insensitively, as there.
    """
    variable = (ENV_PREFIX + name).upper()
    if any(key.upper() == variable for key in os.environ):
        return "environment"
    path = env_file if env_file is not None else Path(".env")
    if path.is_file():
        from dotenv import dotenv_values

        try:
            if any(key.upper() == variable for key in dotenv_values(path)):
                return ".env"
        except (OSError, UnicodeDecodeError):
            pass  # get_settings() has already said what is wrong with the file
    return "default"


def settings_in_effect(*, server_url: str | None = None, server_source: str | None = None) -> dict[str, Any]:
    """{"settings": name -> value, "sources": name -> where it came from,
    "keys": provider -> {"value" (masked), "source"}}.

    The endpoints are all here: the database, where AI calls go, Stripe's API, the checkout
    return pages and (connected mode, passed in by the CLI) the PatternLift server.
    """
    from patternlift_cli.config import (
        SECRET_SOURCES,
        get_secret,
        get_settings,
        mask_secret,
        secret_source,
    )
    from patternlift_cli.db.engine import normalize_database_url
    from patternlift_cli.errors import ConfigError

    settings = get_settings()
    try:
        shown_url = normalize_database_url(settings.effective_database_url).render_as_string(hide_password=True)
    except ConfigError:
        shown_url = "(not a valid URL: check PATTERNLIFT_DATABASE_URL)"
    values = {
        "database": shown_url,
        "data_dir": str(settings.data_dir),
        "workspace": str(settings.workspace_dir),
        "ai_model": settings.ai_model,
        "ai_base_url": settings.ai_base_url or DEFAULT_AI_BASE_URL,
        "ai_max_completion_tokens": settings.ai_max_completion_tokens,
        "stripe_api_base": settings.stripe_api_base or DEFAULT_STRIPE_API_BASE,
        "stripe_price_id": settings.stripe_price_id,
        "checkout_success_url": settings.checkout_success_url,
        "checkout_cancel_url": settings.checkout_cancel_url,
        "server_url": server_url,
    }
    setting_names = {"database": "database_url", "data_dir": "home", "workspace": "workspace"}
    sources = {name: setting_source(setting_names.get(name, name)) for name in values}
    if server_url is not None and server_source is not None:
        sources["server_url"] = server_source
    keys = {
        provider: {"value": mask_secret(get_secret(provider)), "source": secret_source(provider)}
        for provider in SECRET_SOURCES
    }
    return {"settings": values, "sources": sources, "keys": keys}

"""`config show`: every setting and endpoint in effect, and where each secret comes from."""

from __future__ import annotations

from typing import Any

DEFAULT_AI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_STRIPE_API_BASE = "https://api.stripe.com"


def settings_in_effect() -> dict[str, Any]:
    """{"settings": name -> value, "keys": provider -> {"value" (masked), "source"}}."""
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
    }
    keys = {
        provider: {"value": mask_secret(get_secret(provider)), "source": secret_source(provider)}
        for provider in SECRET_SOURCES
    }
    return {"settings": values, "keys": keys}

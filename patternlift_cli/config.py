"""Settings from the environment and `.env`, with secrets kept in the OS keyring.

Every setting is `PATTERNLIFT_<NAME>`; `.env.example` lists them all. API keys are not settings:
they come from the keyring (`patternlift config set-key ...`) or the provider's usual variable.
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from patternlift_cli.errors import ConfigError

APP_NAME = "patternlift"
KEYRING_SERVICE = "patternlift"

# provider name -> (keyring username, environment variable used when the keyring has nothing)
# A price override above this (USD per 1M tokens) is a typo, not a model: the dearest models
# listed anywhere cost a few hundred dollars per million tokens.
MAX_PRICE_PER_MILLION = Decimal(10_000)

SECRET_SOURCES: dict[str, tuple[str, str]] = {
    "openai": ("openai_api_key", "OPENAI_API_KEY"),
    "stripe": ("stripe_api_key", "STRIPE_API_KEY"),
    "stripe-webhook": ("stripe_webhook_secret", "STRIPE_WEBHOOK_SECRET"),
    # The connected-mode access token; patternlift_cli.remote.token_store keys it by server.
    "server-token": ("server_token", "PATTERNLIFT_TOKEN"),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PATTERNLIFT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # NaN passes no bound check and fails every comparison, so `gt=0, le=60` would call
        # "nan" too big; reject non-finite numbers for what they are, in every setting.
        allow_inf_nan=False,
    )

    home: Path | None = Field(
        default=None, description="Relocates every user file (database, workspace, config)."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means an SQLite file in the user data directory.",
    )
    db_prepared_statements: bool = Field(
        default=True,
        description="Set false behind a transaction pooler (Supabase port 6543, PgBouncer).",
    )
    db_connect_timeout_seconds: int = Field(default=5, ge=1, le=120)
    content_dir: Path | None = Field(
        default=None,
        description="Load the curriculum from this folder instead of the packaged one (authors' preview).",
    )
    workspace: Path | None = Field(
        default=None, description="Folder for practice files; default <data dir>/workspace."
    )

    ai_model: str = "gpt-4o-mini"
    ai_base_url: str | None = None
    # NoDecode: the raw text reaches _parse_overrides, so empty means none and numbers stay exact.
    ai_price_overrides: Annotated[dict[str, dict[str, Decimal]], NoDecode] = Field(
        default_factory=dict,
        description='JSON: {"model": {"input": "0.15", "output": "0.60"}} in USD per 1M tokens.',
    )
    ai_max_completion_tokens: int = Field(default=700, ge=16, le=32768)
    ai_min_completion_tokens: int = Field(default=64, ge=1, le=32768)
    ai_timeout_seconds: float = Field(default=60.0, gt=0)
    ai_max_attempts: int = Field(default=3, ge=1, le=10)
    ai_reservation_ttl_seconds: int = Field(default=300, ge=10)
    ai_prompt_max_chars: int = Field(default=12000, ge=1000)

    stripe_price_id: str | None = None
    stripe_api_base: str | None = Field(
        default=None, description="Override Stripe's API address (tests, stripe-mock)."
    )
    stripe_max_network_retries: int = Field(default=2, ge=0, le=10)
    checkout_timeout_seconds: int = Field(default=900, ge=1)
    checkout_poll_seconds: float = Field(default=2.0, gt=0)
    # No defaults: the pages Stripe sends the browser back to belong to whoever runs checkout.
    checkout_success_url: str | None = None
    checkout_cancel_url: str | None = None
    webhook_tolerance_seconds: int = Field(default=300, ge=1)

    judge_time_limit_seconds: float = Field(default=2.0, gt=0, le=60)
    judge_memory_limit_mb: int = Field(default=256, ge=32, le=8192)
    judge_output_limit_kb: int = Field(default=64, ge=1, le=10240)
    judge_sandbox: Literal["auto", "bwrap", "none"] = Field(
        default="auto",
        description="auto: bubblewrap when it works here, else the unisolated fallback; bwrap: required; none: fallback.",
    )

    # ----- the server (`patternlift server`) and connected mode (docs/SERVER.md) --------------
    server_url: str | None = Field(
        default=None, description="Connected mode: the PatternLift server this CLI talks to."
    )
    token: SecretStr | None = Field(
        default=None, description="Connected mode: an access token for scripts and CI."
    )
    server_timeout_seconds: float = Field(default=15.0, gt=0, le=600)
    server_max_attempts: int = Field(default=3, ge=1, le=10)
    server_max_body_bytes: int = Field(default=1_048_576, ge=1024)
    server_judge_queue: int = Field(
        default=8, ge=0, le=1000,
        description="Server: assessment solutions waiting for a worker's judge before it answers busy (503).",
    )
    server_forwarded_allow_ips: str | None = Field(
        default=None,
        description="Proxies whose X-Forwarded-For/-Proto are trusted (comma list, or *).",
    )
    smtp_url: SecretStr | None = Field(
        default=None, description="smtp://, smtp+starttls:// or smtps://[user:password@]host[:port]"
    )
    smtp_from: str | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    auth_pepper: SecretStr | None = Field(
        default=None, description="Server secret keying the sign-in code hashes (>= 32 chars)."
    )
    auth_token_ttl_seconds: int = Field(default=30 * 86400, ge=60)
    auth_code_requests_per_email: int = Field(default=5, ge=1, description="per hour")
    auth_code_requests_per_address: int = Field(default=30, ge=1, description="per hour")
    auth_code_tries_per_email: int = Field(default=10, ge=1, description="per 15 minutes")
    auth_code_tries_per_address: int = Field(default=60, ge=1, description="per 15 minutes")
    supabase_jwt_secret: SecretStr | None = None
    supabase_jwks_url: str | None = None
    supabase_jwt_issuer: str | None = None
    supabase_jwt_audience: str = "authenticated"

    @field_validator("server_url", "supabase_jwks_url")
    @classmethod
    def _server_side_http_url(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"'{value}' is not an http(s) URL (like https://host)")
        return value.strip().rstrip("/")

    @field_validator("auth_pepper")
    @classmethod
    def _long_enough_pepper(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (secrets.token_urlsafe(32) makes one)")
        return value

    @field_validator("token", "smtp_url", "supabase_jwt_secret", "smtp_from", "supabase_jwt_issuer")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        if isinstance(value, SecretStr) and not value.get_secret_value().strip():
            return None
        return value or None

    @field_validator("database_url")
    @classmethod
    def _empty_url_is_default(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("ai_base_url", "stripe_api_base", "checkout_success_url", "checkout_cancel_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Caught here, a typo is one clear line; caught by the SDK, it is three retried
        # "connection errors" that never name the setting.
        if not value or not value.strip():
            return None  # empty means the provider's own address, or (checkout URLs) not set
        from urllib.parse import urlsplit

        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"'{value}' is not an http(s) URL (like https://host/path)")
        return value.strip()

    @field_validator("ai_price_overrides", mode="before")
    @classmethod
    def _parse_overrides(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return {}
            try:
                return json.loads(value, parse_float=Decimal)
            except ValueError:
                raise ValueError("not valid JSON") from None
        return value

    @field_validator("ai_price_overrides")
    @classmethod
    def _prices_in_range(cls, value: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, Decimal]]:
        for model, prices in value.items():
            for kind, price in prices.items():
                if not 0 <= price <= MAX_PRICE_PER_MILLION:
                    raise ValueError(
                        f"'{model}' {kind} price {price} is out of range "
                        f"(0 to {MAX_PRICE_PER_MILLION:,} USD per 1M tokens)"
                    )
        return value

    # ----- derived locations -------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        if self.home is not None:
            return self.home / "data"
        from platformdirs import user_data_path

        return user_data_path(APP_NAME, appauthor=False)

    @property
    def cache_dir(self) -> Path:
        """Files PatternLift can rebuild at any time (the parsed curriculum)."""
        if self.home is not None:
            return self.home / "cache"
        from platformdirs import user_cache_path

        return user_cache_path(APP_NAME, appauthor=False)

    @property
    def workspace_dir(self) -> Path:
        return self.workspace if self.workspace is not None else self.data_dir / "workspace"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "patternlift.db"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def is_default_sqlite(self) -> bool:
        return self.database_url is None


def _describe_validation_error(error: ValidationError) -> str:
    first = error.errors()[0]
    field = str(first["loc"][0]) if first.get("loc") else "?"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"Invalid setting PATTERNLIFT_{field.upper()}: {message}"


def _not_utf8(error: UnicodeDecodeError) -> ConfigError:
    line = error.object[: error.start].count(b"\n") + 1
    env_file = Path(str(Settings.model_config.get("env_file") or ".env")).resolve()
    return ConfigError(
        f"{env_file}: line {line} is not UTF-8 text (byte 0x{error.object[error.start]:02x}); "
        "save the file as UTF-8 (PatternLift left it as it is)."
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except UnicodeDecodeError as error:  # the .env file, read as UTF-8
        raise _not_utf8(error) from None
    except ValidationError as error:
        raise ConfigError(
            _describe_validation_error(error),
            hint="Fix it in the environment or in .env (see .env.example).",
        ) from error
    except SettingsError as error:  # a complex value (JSON) that does not parse
        match = re.search(r'field "(\w+)"', str(error))
        name = f"PATTERNLIFT_{match.group(1).upper()}" if match else "a PATTERNLIFT_ setting"
        raise ConfigError(
            f"Invalid setting {name}: not valid JSON",
            hint="Fix it in the environment or in .env (see .env.example).",
        ) from error


def reset_settings_cache() -> None:
    get_settings.cache_clear()


def get_secret(provider: str) -> str | None:
    """A secret from the OS keyring, else its environment variable, else None."""
    username, env_var = SECRET_SOURCES[provider]
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            value = keyring.get_password(KEYRING_SERVICE, username)
        except KeyringError:
            value = None
    except Exception:  # a broken keyring backend must not take the CLI down
        value = None
    return value or os.environ.get(env_var) or None


def secret_source(provider: str) -> str | None:
    """Where the secret comes from: 'keyring', 'environment', or None."""
    username, env_var = SECRET_SOURCES[provider]
    try:
        import keyring

        if keyring.get_password(KEYRING_SERVICE, username):
            return "keyring"
    except Exception:
        pass
    return "environment" if os.environ.get(env_var) else None


def set_secret(provider: str, value: str) -> None:
    username, _ = SECRET_SOURCES[provider]
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, username, value)
    except KeyringError as error:
        _, env_var = SECRET_SOURCES[provider]
        raise ConfigError(
            f"No usable OS keyring here ({error}).",
            hint=f"Set {env_var} in the environment instead.",
        ) from error


def delete_secret(provider: str) -> bool:
    username, _ = SECRET_SOURCES[provider]
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, username)
        return True
    except PasswordDeleteError:
        return False
    except KeyringError as error:
        raise ConfigError(f"No usable OS keyring here ({error}).") from error


def mask_secret(value: str | None) -> str:
    if not value:
        return "(not set)"
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:3]}…{value[-4:]}"

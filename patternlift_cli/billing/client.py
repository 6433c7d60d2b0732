"""The Stripe client, configured in one place (current SDK style: StripeClient, client.v1.*)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from patternlift_cli.errors import BillingNotConfiguredError

if TYPE_CHECKING:
    from stripe import StripeClient


def stripe_client() -> StripeClient:
    from stripe import StripeClient

    from patternlift_cli.config import get_secret, get_settings

    settings = get_settings()
    api_key = get_secret("stripe")
    if api_key is None:
        raise BillingNotConfiguredError(
            "No Stripe secret key.",
            hint="Run `patternlift config set-key stripe` (or set STRIPE_API_KEY).",
        )
    base = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
    # A StripeClient retries nothing unless told; network retries are safe with idempotency keys.
    return StripeClient(
        api_key,
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=settings.stripe_max_network_retries,
    )


def require_price_id() -> str:
    from patternlift_cli.config import get_settings

    price_id = get_settings().stripe_price_id
    if not price_id:
        raise BillingNotConfiguredError(
            "No plan price is configured.",
            hint="Set PATTERNLIFT_STRIPE_PRICE_ID to the Stripe price id of the plan (price_...).",
        )
    return price_id

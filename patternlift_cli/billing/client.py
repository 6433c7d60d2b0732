"""The Stripe adapter: the official SDK, configured in one place, and its errors translated at
one seam (as httpx maps httpcore's exceptions), so nothing above sees a `stripe` exception.

This package imports no other layer of PatternLift; its callers pass in the key and addresses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from patternlift_cli.errors import BillingError, WebhookVerificationError

if TYPE_CHECKING:
    from stripe import StripeClient


def stripe_client(api_key: str, *, api_base: str | None, max_network_retries: int) -> StripeClient:
    from stripe import StripeClient

    base = {"api": api_base} if api_base else None
    # A StripeClient retries nothing unless told; network retries are safe with idempotency keys.
    return StripeClient(api_key, base_addresses=base, max_network_retries=max_network_retries)  # type: ignore[arg-type]


def plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as plain dicts and lists (StripeObject keys like `items` shadow methods)."""
    to_dict = getattr(obj, "to_dict", None)
    return to_dict() if callable(to_dict) else dict(obj)


@contextmanager
def stripe_errors(what: str) -> Iterator[None]:
    """Translate every Stripe SDK failure inside the block into one BillingError line."""
    import stripe

    try:
        yield
    except stripe.AuthenticationError as error:
        raise BillingError("Stripe rejected the secret key.", hint="Check it with `patternlift config show`.") from error
    except stripe.StripeError as error:
        message = getattr(error, "user_message", None) or str(error).strip() or type(error).__name__
        raise BillingError(f"Stripe could not {what}: {message}") from error


def call(what: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Call the SDK; the result as plain dicts."""
    with stripe_errors(what):
        return plain(method(*args, **kwargs))


def verify_event(client: StripeClient, payload: bytes, signature: str | None, secret: str, tolerance: int) -> dict[str, Any]:
    """The event, if the Stripe-Signature header proves Stripe sent this very body recently."""
    import stripe

    if not signature:
        raise WebhookVerificationError("Missing Stripe-Signature header.")
    try:
        event = client.construct_event(payload, signature, secret, tolerance=tolerance)
    except stripe.SignatureVerificationError as error:
        raise WebhookVerificationError(f"Signature rejected: {error.user_message or error}") from error
    except ValueError as error:
        raise WebhookVerificationError(f"Not a Stripe event: {error}") from error
    return event.to_dict()

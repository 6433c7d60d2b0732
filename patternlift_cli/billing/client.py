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


def verify_signature(payload: bytes, signature: str | None, secret: str, tolerance: int) -> None:
    """Prove Stripe signed this very body within `tolerance` seconds of now, either way.

    The SDK checks the signature and refuses a timestamp too far in the past; one too far in
    the future (a delivery signed ahead of time, or a clock gone wrong) is refused here too.
    """
    import time

    import stripe

    if not signature:
        raise WebhookVerificationError("Missing Stripe-Signature header.")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, tolerance)
    except stripe.SignatureVerificationError as error:
        raise WebhookVerificationError(f"Signature rejected: {error.user_message or error}") from error
    except UnicodeDecodeError:
        raise WebhookVerificationError("Signature rejected: the body is not UTF-8 text.") from None
    signed_at = signature_timestamp(signature)
    if signed_at > time.time() + tolerance:
        raise WebhookVerificationError(
            f"Signature rejected: its timestamp ({signed_at}) is more than {tolerance} s in the future."
        )


def signature_timestamp(signature: str) -> int:
    """The `t=` of a Stripe-Signature header, read as the SDK reads it (the first one)."""
    for item in signature.split(","):
        key, _, value = item.partition("=")
        if key == "t":
            return int(value)
    raise WebhookVerificationError("Signature rejected: no timestamp in the Stripe-Signature header.")

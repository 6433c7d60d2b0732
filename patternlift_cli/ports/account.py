"""Who is signed in, and the learner aggregate the CLI holds for them."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from patternlift_cli.ports.base import Model

if TYPE_CHECKING:
    from patternlift_cli.ports.ai import Tutor, Usage
    from patternlift_cli.ports.billing import Billing
    from patternlift_cli.ports.learning import Learning
    from patternlift_cli.ports.review import Review


class ProfileSummary(Model):
    id: str
    email: str
    full_name: str | None = None
    plan: str
    status: str
    trial_ends_at: str | None = None
    trial_days_left: int | None = None
    ai_limit_usd: Decimal
    ai_spent_this_month_usd: Decimal
    ai_allowed: bool          # entitled and configured: the one answer to "is the AI tutor on?"
    ai_access: str
    mode: str = "solo"        # solo | direct | connected
    server: str | None = None


class Account(Protocol):
    def whoami(self) -> ProfileSummary: ...


class Learner(Protocol):
    """Everything the signed-in learner can do, whichever mode serves it."""

    email: str
    account: Account
    learning: Learning
    review: Review
    tutor: Tutor
    usage: Usage
    billing: Billing

"""Learner accounts on a database: create or find a profile, and summarise it.

Who is signed in on *this machine* is not kept here (see `patternlift_cli.signin`): the same
use cases serve the server, where the signed-in learner comes from a token.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from patternlift_cli.db.models import UserProfile
from patternlift_cli.domain.budget import month_start, monthly_limit
from patternlift_cli.domain.entitlement import Entitlement, decide_entitlement
from patternlift_cli.errors import NotLoggedInError, UsageError
from patternlift_cli.ports.account import ProfileSummary

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def ai_limit(profile_limit: Decimal | None) -> Decimal:
    """The learner's monthly AI limit; a profile without one has the schema's default."""
    return monthly_limit(profile_limit).quantize(Decimal("0.000001"))


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise UsageError(f"'{email}' is not an email address.")
    return email


def create_profile(session: Session, email: str, full_name: str | None) -> uuid.UUID:
    profile_id = uuid.uuid4()
    if session.get_bind().dialect.name == "postgresql":
        # user_profiles.id references auth.users(id): the identity comes first, as on Supabase.
        session.execute(
            sa.text("INSERT INTO auth.users (id, email) VALUES (:id, :email)"), {"id": profile_id, "email": email}
        )
    # Core insert so the schema's defaults (trial end, AI limit, status) apply.
    session.execute(sa.insert(UserProfile).values(id=profile_id, email=email, full_name=full_name))
    return profile_id


def login(db: object, email: str, full_name: str | None = None) -> tuple[UserProfile, bool]:
    """The profile for `email`, created on first use. Returns (profile, created)."""
    email = normalize_email(email)
    with db.session(write=True) as session:  # type: ignore[attr-defined]
        profile = session.exec(select(UserProfile).where(UserProfile.email == email)).first()
        created = profile is None
        if created:
            create_profile(session, email, full_name)
        elif full_name and profile.full_name != full_name:
            profile.full_name = full_name
            profile.updated_at = datetime.now(UTC)
        session.flush()
        return session.exec(select(UserProfile).where(UserProfile.email == email)).one(), created


def find_profile(db: object, email: str) -> UserProfile | None:
    with db.session() as session:  # type: ignore[attr-defined]
        return session.exec(select(UserProfile).where(UserProfile.email == email)).first()


def require_profile(db: object, email: str | None) -> UserProfile:
    profile = find_profile(db, email) if email else None
    if profile is None:
        raise NotLoggedInError(
            "No learner is signed in.", hint="Run `patternlift login --email you@example.com` first."
        )
    return profile


def entitlement_for(session: Session, profile: UserProfile, now: datetime) -> Entitlement:
    from patternlift_cli.db.billing_models import Subscription
    from patternlift_cli.services.billing_records import paid_through

    subscription = session.exec(select(Subscription).where(Subscription.user_id == profile.id)).first()
    status = profile.subscription_status
    return decide_entitlement(
        status=status.value if status is not None else None,
        trial_ends_at=profile.trial_ends_at,
        current_period_end=subscription.current_period_end if subscription else None,
        paid_through=paid_through(session.connection(), profile.id) if subscription else None,
        now=now,
    )


def trial_days_left(status: str, trial_ends_at: datetime | None, now: datetime) -> int | None:
    if status != "trial" or trial_ends_at is None:
        return None
    seconds = (trial_ends_at - now).total_seconds()
    return max(0, int(-(-seconds // 86400)))  # whole days, rounded up


def summarize(session: Session, profile: UserProfile, *, ai_configured: bool, now: datetime,
              unconfigured: str = "not configured") -> ProfileSummary:
    """`unconfigured` says why the tutor is off without a provider key, as the reader can act on it."""
    entitlement = entitlement_for(session, profile, now)
    status = profile.subscription_status.value if profile.subscription_status else "trial"
    spent = profile.current_month_ai_cost or Decimal(0)
    if profile.ai_cost_month is not None and profile.ai_cost_month != month_start(now):
        spent = Decimal(0)  # last month's total; it rolls over at the next AI call
    allowed = entitlement.allowed and ai_configured
    access = entitlement.reason if ai_configured else f"{unconfigured} ({entitlement.reason})"
    return ProfileSummary(
        id=str(profile.id),
        email=profile.email,
        full_name=profile.full_name,
        plan=profile.subscription_tier or "basic",
        status=status,
        trial_ends_at=profile.trial_ends_at.isoformat() if profile.trial_ends_at else None,
        trial_days_left=trial_days_left(status, profile.trial_ends_at, now),
        ai_limit_usd=ai_limit(profile.monthly_ai_usage_limit),
        ai_spent_this_month_usd=Decimal(spent).quantize(Decimal("0.000001")),
        ai_allowed=allowed,
        ai_access=access,
    )


class LocalAccount:
    """`ports.account.Account` on a database."""

    def __init__(self, db: object, user_id: uuid.UUID, *, mode: str, ai_configured: bool) -> None:
        self.db = db
        self.user_id = user_id
        self.mode = mode
        self.ai_configured = ai_configured

    def whoami(self) -> ProfileSummary:
        with self.db.session() as session:  # type: ignore[attr-defined]
            profile = session.get(UserProfile, self.user_id)
            if profile is None:
                raise NotLoggedInError("That learner no longer exists.", hint="Run `patternlift login` again.")
            # A connected learner cannot add the key: it is the server's to have.
            unconfigured = "the server has no AI provider" if self.mode == "connected" else "not configured"
            summary = summarize(session, profile, ai_configured=self.ai_configured, now=datetime.now(UTC),
                                unconfigured=unconfigured)
        return summary.model_copy(update={"mode": self.mode})

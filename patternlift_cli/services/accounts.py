"""Local learner accounts: create or select a profile, remember who is signed in, entitlement."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from patternlift_cli.config import get_settings
from patternlift_cli.db.database import ready_engine
from patternlift_cli.db.engine import session_scope
from patternlift_cli.db.models import Subscription, UserProfile
from patternlift_cli.domain.entitlement import Entitlement, decide_entitlement
from patternlift_cli.errors import NotLoggedInError, UsageError

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ProfileSummary:
    id: str
    email: str
    full_name: str | None
    plan: str
    status: str
    trial_ends_at: str | None
    trial_days_left: int | None
    ai_limit_usd: str
    ai_spent_this_month_usd: str
    ai_allowed: bool
    ai_access: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _state_file() -> Path:
    return get_settings().data_dir / "current_learner.json"


def _remember(email: str) -> None:
    path = _state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"email": email}), encoding="utf-8")


def remembered_email() -> str | None:
    try:
        data = json.loads(_state_file().read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, OSError):
        return None
    email = data.get("email") if isinstance(data, dict) else None
    return email if isinstance(email, str) else None


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise UsageError(f"'{email}' is not an email address.")
    return email


def _create_profile(session: Session, email: str, full_name: str | None) -> None:
    profile_id = uuid.uuid4()
    if session.get_bind().dialect.name == "postgresql":
        # user_profiles.id references auth.users(id): the identity comes first, as on Supabase.
        session.execute(
            sa.text("INSERT INTO auth.users (id, email) VALUES (:id, :email)"),
            {"id": profile_id, "email": email},
        )
    # Core insert so the schema's defaults (trial end, AI limit, status) apply.
    session.execute(
        sa.insert(UserProfile).values(id=profile_id, email=email, full_name=full_name)
    )


def login(email: str, full_name: str | None = None) -> tuple[UserProfile, bool]:
    """Select the profile for `email`, creating it on first use. Returns (profile, created)."""
    email = normalize_email(email)
    with session_scope(ready_engine()) as session:
        profile = session.exec(select(UserProfile).where(UserProfile.email == email)).first()
        created = profile is None
        if created:
            _create_profile(session, email, full_name)
        elif full_name and profile.full_name != full_name:
            profile.full_name = full_name
            profile.updated_at = datetime.now(UTC)
        session.flush()
        profile = session.exec(select(UserProfile).where(UserProfile.email == email)).one()
    _remember(email)
    return profile, created


def logout() -> str | None:
    email = remembered_email()
    _state_file().unlink(missing_ok=True)
    return email


def find_current_profile(session: Session) -> UserProfile | None:
    email = remembered_email()
    if email is None:
        return None
    return session.exec(select(UserProfile).where(UserProfile.email == email)).first()


def require_current_profile(session: Session) -> UserProfile:
    profile = find_current_profile(session)
    if profile is None:
        raise NotLoggedInError(
            "No learner is signed in.",
            hint="Run `patternlift login --email you@example.com` first.",
        )
    return profile


def subscription_for(session: Session, user_id: uuid.UUID) -> Subscription | None:
    return session.exec(select(Subscription).where(Subscription.user_id == user_id)).first()


def entitlement_for(session: Session, profile: UserProfile, now: datetime) -> Entitlement:
    subscription = subscription_for(session, profile.id)
    status = profile.subscription_status
    return decide_entitlement(
        status=status.value if status is not None else None,
        trial_ends_at=profile.trial_ends_at,
        current_period_end=subscription.current_period_end if subscription else None,
        now=now,
    )


def summarize(session: Session, profile: UserProfile, now: datetime | None = None) -> ProfileSummary:
    now = now or datetime.now(UTC)
    entitlement = entitlement_for(session, profile, now)
    days_left = None
    status = profile.subscription_status.value if profile.subscription_status else "trial"
    if status == "trial" and profile.trial_ends_at is not None:
        seconds = (profile.trial_ends_at - now).total_seconds()
        days_left = max(0, int(-(-seconds // 86400)))  # whole days, rounded up
    spent = profile.current_month_ai_cost or Decimal(0)
    if profile.ai_cost_month is not None and (
        profile.ai_cost_month.year,
        profile.ai_cost_month.month,
    ) != (now.year, now.month):
        spent = Decimal(0)  # last month's total; it rolls over at the next AI call
    return ProfileSummary(
        id=str(profile.id),
        email=profile.email,
        full_name=profile.full_name,
        plan=profile.subscription_tier or "basic",
        status=status,
        trial_ends_at=profile.trial_ends_at.isoformat() if profile.trial_ends_at else None,
        trial_days_left=days_left,
        ai_limit_usd=f"{(profile.monthly_ai_usage_limit or Decimal('3.00')):.2f}",
        ai_spent_this_month_usd=f"{spent:.6f}",
        ai_allowed=entitlement.allowed,
        ai_access=entitlement.reason,
    )


def whoami() -> ProfileSummary:
    with session_scope(ready_engine()) as session:
        return summarize(session, require_current_profile(session))

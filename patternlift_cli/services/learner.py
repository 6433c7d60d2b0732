"""The signed-in learner on a database (solo and direct mode): every area's use cases.

Each area is built on first use, so a command pays only for what it touches.
"""

from __future__ import annotations

import uuid
from functools import cached_property

from patternlift_cli.db.unit import Database


def local_database() -> Database:
    """The configured database, its schema checked (SQLite is migrated on first use)."""
    from patternlift_cli.db.database import ready_engine

    return Database(ready_engine())


def sign_in_locally(email: str, full_name: str | None = None) -> tuple[str, str | None, bool]:
    """Select (or create) the local profile for `email` and remember it on this machine.

    Returns (email as stored, full name, created)."""
    from patternlift_cli import signin
    from patternlift_cli.services import accounts

    profile, created = accounts.login(local_database(), email, full_name)
    signin.remember(profile.email)
    return profile.email, profile.full_name, created


def local_learner(email: str | None, *, mode: str) -> LocalLearner | None:
    """The learner whose profile has `email`, or None when there is none.

    One Core read of the profile's id: every command starts here, and most never need the ORM.
    """
    import sqlalchemy as sa

    from patternlift_cli.db.tables import user_profiles

    db = local_database()
    if not email:
        return None
    with db.connection() as connection:
        profile = connection.execute(
            sa.select(user_profiles.c.id, user_profiles.c.email).where(user_profiles.c.email == email)
        ).first()
    return LocalLearner(db, profile.id, profile.email, mode=mode) if profile else None


class LocalLearner:
    def __init__(self, db: Database, user_id: uuid.UUID, email: str, *, mode: str) -> None:
        self.db = db
        self.user_id = user_id
        self.email = email
        self.mode = mode

    @cached_property
    def account(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.services.accounts import LocalAccount
        from patternlift_cli.services.tutor import ai_configured

        return LocalAccount(self.db, self.user_id, mode=self.mode, ai_configured=ai_configured())

    @cached_property
    def learning(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.services.learning import LocalLearning

        return LocalLearning(self.db, self.user_id)

    @cached_property
    def review(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.services.learning.review import LocalReview

        return LocalReview(self.db, self.user_id, clock=lambda: self.learning.clock())

    @cached_property
    def tutor(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.services.tutor import LocalTutor

        return LocalTutor(self.db, self.user_id, learning=self.learning)

    @cached_property
    def usage(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.services.ai_usage import LocalUsage

        return LocalUsage(self.db, self.user_id)

    @cached_property
    def billing(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.services.billing import LocalBilling

        return LocalBilling(self.db, self.user_id, self.email)

"""Learner identities on the server: the auth.users row the seed's foreign key needs, then the
profile (whose column defaults give the 14-day trial and the $3.00 limit)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from patternlift_cli.db.models import UserProfile
from patternlift_cli.errors import NotLoggedInError

_profiles = UserProfile.__table__
# Migration 20250101000002 marks the minimal auth schema it creates on plain PostgreSQL.
_OURS = sa.text(
    "SELECT coalesce(obj_description('auth.users'::regclass, 'pg_class'), '') = 'created by patternlift'"
)


def profile_id_for_email(connection: sa.Connection, email: str) -> uuid.UUID | None:
    return connection.execute(sa.select(_profiles.c.id).where(_profiles.c.email == email)).scalar()


def has_profile(connection: sa.Connection, learner_id: uuid.UUID) -> bool:
    return connection.execute(sa.select(_profiles.c.id).where(_profiles.c.id == learner_id)).first() is not None


def create_learner(connection: sa.Connection, email: str) -> uuid.UUID:
    """A new learner signed in by email code: identity first, then the profile."""
    learner_id = uuid.uuid4()
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text("INSERT INTO auth.users (id, email) VALUES (:id, :email)"),
            {"id": learner_id, "email": email},
        )
    # Core insert with only id and email, so the schema's defaults apply.
    connection.execute(sa.insert(_profiles).values(id=learner_id, email=email))
    return learner_id


def ensure_profile(connection: sa.Connection, learner_id: uuid.UUID, email: str) -> None:
    """A learner known to Supabase Auth gets a profile on their first request.

    On Supabase the auth.users row exists already (Supabase Auth made it). On plain PostgreSQL
    with PatternLift's own minimal auth schema it is created here; on a real Supabase auth
    schema a missing user is refused rather than half-made behind Supabase Auth's back.
    """
    if has_profile(connection, learner_id):
        return
    if connection.dialect.name == "postgresql":
        known = connection.execute(
            sa.text("SELECT 1 FROM auth.users WHERE id = :id"), {"id": learner_id}
        ).first()
        if known is None:
            if not connection.execute(_OURS).scalar():
                raise NotLoggedInError("This Supabase account no longer exists.")
            connection.execute(
                sa.text("INSERT INTO auth.users (id, email) VALUES (:id, :email) ON CONFLICT DO NOTHING"),
                {"id": learner_id, "email": email},
            )
    if profile_id_for_email(connection, email) not in (None, learner_id):
        raise NotLoggedInError(
            f"{email} already has a PatternLift account that signs in by email code.",
            hint="Sign in with `patternlift login` and the emailed code instead.",
        )
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    connection.execute(insert(_profiles).values(id=learner_id, email=email).on_conflict_do_nothing())

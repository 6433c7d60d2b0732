"""Row-level security at run time: requests run as the learner, so a handler that forgets its
user filter still sees only the caller's rows, and the columns that hold money and entitlement
cannot be written through the learner's role at all."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
import sqlalchemy as sa

from patternlift_cli.db.engine import create_engine_for, normalize_database_url
from patternlift_cli.db.models import (
    LearningSession,
    PatternProgress,
    UserAchievement,
    UserCalibration,
    UserProfile,
)
from patternlift_cli.db.platform_models import PLATFORM_TABLES
from patternlift_cli.server.database import Learner, LearnerDatabase, RequestDatabase
from tests.server_support import Platform, sign_in

PROTECTED_COLUMNS = {
    "monthly_ai_usage_limit": "1000000",
    "current_month_ai_cost": "0",
    "ai_cost_month": "'2000-01-01'",
    "subscription_status": "'active'",
    "subscription_tier": "'premium'",
    "trial_ends_at": "now() + interval '100 years'",
    "email": "'someone-else@example.com'",
}


@pytest.fixture
def two_learners(platform: Platform) -> tuple[dict[str, str], dict[str, str]]:
    learners = []
    for email, cost in (("alice@example.com", "0.010000"), ("bob@example.com", "0.020000")):
        token = sign_in(platform, email)
        platform.sql(
            "INSERT INTO ai_interactions (user_id, interaction_type, prompt_tokens, completion_tokens, "
            "model_used, cost_usd) VALUES (:id, 'hint', 10, 10, 'm', :cost)",
            id=uuid.UUID(token.learner_id),
            cost=Decimal(cost),
        )
        learners.append({"id": token.learner_id, "token": token.access_token, "email": email, "cost": cost})
    return learners[0], learners[1]


@pytest.fixture
def engine(platform: Platform) -> Iterator[sa.Engine]:
    from patternlift_cli.config import get_settings

    engine = create_engine_for(normalize_database_url(platform.database_url), get_settings())
    yield engine
    engine.dispose()


@pytest.fixture
def engine_owner(database_url: str) -> sa.Engine:
    from patternlift_cli.db.database import ready_engine

    return ready_engine()


def as_learner(engine: sa.Engine, learner: dict[str, str]) -> LearnerDatabase:
    return LearnerDatabase(engine, Learner(uuid.UUID(learner["id"]), learner["email"], "email-code"))


# ----- through the running server -------------------------------------------------------------


def test_a_handler_without_a_user_filter_returns_only_the_callers_rows(platform: Platform, two_learners) -> None:
    for learner in two_learners:
        headers = {"Authorization": f"Bearer {learner['token']}"}
        rows = httpx.get(f"{platform.url}/test/ai-interactions", headers=headers).json()
        assert rows == [{"user_id": learner["id"], "cost_usd": learner["cost"]}]
        assert httpx.get(f"{platform.servers[1].url}/test/profiles", headers=headers).json() == [learner["email"]]


def test_no_request_can_raise_the_learners_own_limit(platform: Platform, two_learners) -> None:
    alice, _ = two_learners
    response = httpx.post(f"{platform.url}/test/raise-my-limit", headers={"Authorization": f"Bearer {alice['token']}"})
    assert response.status_code == 500
    assert response.json()["type"] == "urn:patternlift:problem:internal"
    assert "permission" not in response.text  # no internals in the answer
    [row] = platform.sql("SELECT monthly_ai_usage_limit FROM user_profiles WHERE id = :id", id=uuid.UUID(alice["id"]))
    assert Decimal(row.monthly_ai_usage_limit) == Decimal("3.00")


# ----- direct SQL through LearnerDatabase -------------------------------------------------------


def test_learner_sql_sees_and_changes_only_their_rows(engine: sa.Engine, two_learners) -> None:
    alice, bob = two_learners
    with as_learner(engine, alice).connection(write=True) as connection:
        assert connection.execute(sa.text("SELECT current_user")).scalar() == "authenticated"
        assert connection.execute(sa.text("SELECT auth.uid()")).scalar() == uuid.UUID(alice["id"])
        claims = connection.execute(sa.text("SELECT current_setting('request.jwt.claims')::jsonb")).scalar()
        assert claims == {"sub": alice["id"], "role": "authenticated", "aud": "authenticated", "email": alice["email"]}
        assert connection.execute(sa.text("SELECT user_id FROM ai_interactions")).scalars().all() == [uuid.UUID(alice["id"])]
        # Bob's profile is invisible, so even an allowed column cannot be changed on it.
        changed = connection.execute(sa.text("UPDATE user_profiles SET full_name = 'x' WHERE id = :id"), {"id": bob["id"]})
        assert changed.rowcount == 0
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), connection.begin_nested():
            connection.execute(sa.text("INSERT INTO learning_sessions (user_id) VALUES (:id)"), {"id": bob["id"]})
        # What a learner may change on their own profile, they can.
        mine = connection.execute(
            sa.text("UPDATE user_profiles SET full_name = 'Alice', learning_preferences = '{\"persona\": \"a\"}', "
                    "updated_at = now() WHERE id = :id"),
            {"id": alice["id"]},
        )
        assert mine.rowcount == 1
    # The role and claims were transaction-local: the pooled connection is the owner again.
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT current_user")).scalar() == "postgres"
        assert connection.execute(sa.text("SELECT current_setting('request.jwt.claim.sub', true)")).scalar() in (None, "")


@pytest.mark.parametrize("column", sorted(PROTECTED_COLUMNS))
def test_learner_sql_cannot_write_money_or_entitlement_columns(engine: sa.Engine, two_learners, column: str) -> None:
    alice, _ = two_learners
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied for table user_profiles"):
        with as_learner(engine, alice).connection(write=True) as connection:
            connection.execute(
                sa.text(f"UPDATE user_profiles SET {column} = {PROTECTED_COLUMNS[column]} WHERE id = :id"),
                {"id": alice["id"]},
            )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ai_interactions SET cost_usd = 0",
        "DELETE FROM ai_interactions",
        "INSERT INTO ai_interactions (user_id, interaction_type, prompt_tokens, completion_tokens, model_used, cost_usd) "
        "VALUES (auth.uid(), 'hint', 1, 1, 'm', 0)",
        "DELETE FROM ai_budget_reservations",
        "INSERT INTO subscriptions (user_id, stripe_customer_id, status) VALUES (auth.uid(), 'cus_x', 'active')",
        "UPDATE subscriptions SET status = 'active'",
        "INSERT INTO user_profiles (id, email) VALUES (gen_random_uuid(), 'new@example.com')",
        "DELETE FROM user_profiles",
        "TRUNCATE user_achievements",
        "UPDATE patterns SET name = 'x'",
        *(f"SELECT * FROM {table}" for table in PLATFORM_TABLES),
        "SELECT * FROM monthly_ai_usage",
        "SELECT * FROM auth.users",
    ],
)
def test_learner_sql_is_refused_what_only_the_platform_may_do(engine: sa.Engine, two_learners, statement: str) -> None:
    alice, _ = two_learners
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        with as_learner(engine, alice).connection(write=True) as connection:
            connection.execute(sa.text(statement))


def test_the_learning_use_cases_writes_all_work_as_the_learner(engine: sa.Engine, platform: Platform, two_learners) -> None:
    """Every kind of statement the learning service issues, run as the learner: the grants are complete."""
    alice, _ = two_learners
    alice_id = uuid.UUID(alice["id"])
    now = datetime.now(UTC)
    platform.sql("INSERT INTO patterns (id, name, summary) VALUES ('two-pointers', 'Two pointers', 's')")
    [interaction] = platform.sql("SELECT id FROM ai_interactions WHERE user_id = :id", id=alice_id)
    database = as_learner(engine, alice)
    with database.session(write=True) as session:
        assert session.get(UserProfile, alice_id) is not None
        assert session.execute(sa.text("SELECT id FROM patterns")).scalars().all() == ["two-pointers"]
        row = LearningSession(user_id=alice_id, pattern_id="two-pointers", created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        locked = session.execute(
            sa.select(LearningSession).where(LearningSession.id == row.id).with_for_update()
        ).scalar_one()
        locked.understanding_level = Decimal("61.5")
        locked.stage_progress = {"knowledge_check": {"answers": {}}}
        session.add(
            UserCalibration(
                user_id=alice_id, pattern_id="two-pointers", persona_type="explorer", total_score=7,
                responses={}, guidance_config={}, created_at=now, updated_at=now,
            )
        )
        from sqlalchemy.dialects.postgresql import insert

        for _ in range(2):  # the second is a conflict, as a concurrent unlock would be
            session.execute(
                insert(UserAchievement)
                .values(id=uuid.uuid4(), user_id=alice_id, achievement_id="first-steps", achievement_name="First steps",
                        achievement_data={}, unlocked_at=now, created_at=now)
                .on_conflict_do_nothing(index_elements=["user_id", "achievement_id"])
            )
        session.add(
            PatternProgress(user_id=alice_id, pattern_id="two-pointers", session_id=row.id, mastery_score=Decimal(80),
                            assessment_score=Decimal(90), mastered_at=now, created_at=now, updated_at=now)
        )
        session.flush()
        session.execute(sa.update(PatternProgress).where(PatternProgress.user_id == alice_id).values(assessment_score=95))
        session.execute(
            sa.text("UPDATE ai_interactions SET response_quality_score = 4, user_feedback = 5 WHERE id = :id"),
            {"id": interaction.id},
        )
        session.execute(sa.text("UPDATE user_profiles SET learning_preferences = '{}' WHERE id = :id"), {"id": alice_id})
    [stored] = platform.sql("SELECT understanding_level, user_id FROM learning_sessions")
    assert Decimal(stored.understanding_level) == Decimal("61.5") and stored.user_id == alice_id
    assert len(platform.sql("SELECT 1 FROM user_achievements WHERE user_id = :id", id=alice_id)) == 1


def test_the_owner_database_writes_what_the_learner_cannot(engine: sa.Engine, platform: Platform, two_learners) -> None:
    alice, _ = two_learners
    with RequestDatabase(engine).connection(write=True) as connection:
        assert connection.execute(sa.text("SELECT current_user")).scalar() == "postgres"
        connection.execute(
            sa.text("UPDATE user_profiles SET current_month_ai_cost = current_month_ai_cost + 0.5 WHERE id = :id"),
            {"id": alice["id"]},
        )
    [row] = platform.sql("SELECT current_month_ai_cost FROM user_profiles WHERE id = :id", id=uuid.UUID(alice["id"]))
    assert Decimal(row.current_month_ai_cost) == Decimal("0.50")


@pytest.mark.parametrize("backend", ["postgres"])
def test_the_whole_learning_loop_runs_as_the_learner(backend: str, mini_course, learner, engine_owner) -> None:
    """The real learning use cases, every stage from the lesson to mastery and a restart, through
    LearnerDatabase: the learner role's grants cover all they write."""
    from patternlift_cli.db.unit import Database
    from patternlift_cli.services.catalog import sync_patterns
    from patternlift_cli.services.learning import LocalLearning
    from tests.test_learning_service import test_whole_pattern_through_the_use_cases as whole_pattern

    sync_patterns(Database(engine_owner))  # the catalogue is the platform's: the server syncs it as owner
    as_learner = LearnerDatabase(engine_owner, Learner(learner.id, learner.email, "email-code"))
    whole_pattern(LocalLearning(as_learner, learner.id), engine_owner)

"""The schema contract on both backends: migrations, constraints, drift check, RLS, types."""

from __future__ import annotations

import json
import subprocess
import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from patternlift_cli.cli.app import app
from tests.conftest import reset_caches

runner = CliRunner()

# DROP DATABASE waits for a checkpoint, seconds long while other tests write: the drops run
# beside the module's other tests, and the module waits for them once, at its end.
_drops: list[threading.Thread] = []


@pytest.fixture(scope="module", autouse=True)
def _scratch_databases_dropped() -> Iterator[None]:
    yield
    for drop in _drops:
        drop.join()
    _drops.clear()


def _drop_in_background(admin: sa.Engine, name: str) -> None:
    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    thread = threading.Thread(target=drop, name=f"drop {name}")
    thread.start()
    _drops.append(thread)


@pytest.fixture
def empty_database_url(
    backend: str, home: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty database with no schema at all, configured for the CLI."""
    if backend == "sqlite":
        url = f"sqlite:///{home / 'empty.db'}"
        monkeypatch.setenv("PATTERNLIFT_DATABASE_URL", url)
        reset_caches()
        yield url
        return
    base_url = sa.make_url(request.getfixturevalue("pg_database_url"))
    name = f"patternlift_empty_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = base_url.set(database=name).render_as_string(hide_password=False)
    monkeypatch.setenv("PATTERNLIFT_DATABASE_URL", url)
    reset_caches()
    try:
        yield url
    finally:
        reset_caches()
        _drop_in_background(admin, name)


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


SEED_TABLES = {
    "user_profiles",
    "subscriptions",
    "payment_history",
    "patterns",
    "learning_sessions",
    "pattern_progress",
    "user_calibrations",
    "user_achievements",
    "ai_interactions",
}


def test_migrations_upgrade_downgrade_and_upgrade_again(empty_database_url: str) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert SEED_TABLES <= _tables(empty_database_url)

    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 0, result.output

    # One step back removes is_active, the seed's last migration; forward restores it.
    result = runner.invoke(app, ["db", "downgrade", "20250624120013", "--yes"])
    assert result.exit_code == 0, result.output
    engine = sa.create_engine(empty_database_url)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("learning_sessions")}
    engine.dispose()
    assert "is_active" not in columns and "best_score" in columns

    result = runner.invoke(app, ["db", "downgrade", "base", "--yes"])
    assert result.exit_code == 0, result.output
    assert _tables(empty_database_url) <= {"alembic_version"}

    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["db", "check", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["in_sync"] is True


def test_db_check_lists_every_difference(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX idx_ai_interactions_cost")
        connection.exec_driver_sql("ALTER TABLE patterns ADD COLUMN stray_column integer")
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 1
    assert "idx_ai_interactions_cost" in result.output
    assert "patterns.stray_column" in result.output
    with engine.begin() as connection:  # leave the shared database as we found it
        connection.exec_driver_sql("ALTER TABLE patterns DROP COLUMN stray_column")
        connection.exec_driver_sql(
            "CREATE INDEX idx_ai_interactions_cost ON ai_interactions (user_id, created_at, cost_usd)"
        )


def test_postgres_schema_out_of_date_says_how_to_migrate(
    empty_database_url: str, backend: str
) -> None:
    if backend != "postgres":
        # SQLite is migrated on first use instead.
        result = runner.invoke(app, ["login", "--email", "auto@example.com"])
        assert result.exit_code == 0, result.output
        return
    result = runner.invoke(app, ["login", "--email", "someone@example.com"])
    assert result.exit_code == 4
    assert "patternlift db upgrade" in result.output


def test_head_revision_constant_is_alembics_head() -> None:
    """Commands compare `alembic_version` with HEAD_REVISION instead of asking Alembic."""
    from patternlift_cli.db.migrate import script_directory
    from patternlift_cli.db.revision import HEAD_REVISION

    heads = script_directory().get_heads()
    assert len(heads) == 1, f"the migrations have {len(heads)} heads: {heads}; chain them"
    assert HEAD_REVISION == heads[0], (
        f"set HEAD_REVISION = {heads[0]!r} in patternlift_cli/db/revision.py (a migration was added)"
    )


def _set_revision(url: str, revision: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def test_database_newer_than_the_code_says_upgrade_patternlift(database_url: str) -> None:
    from patternlift_cli.db.revision import HEAD_REVISION

    _set_revision(database_url, "20991231000000")
    try:
        for command in (["login", "--email", "new@example.com"], ["db", "upgrade"]):
            result = runner.invoke(app, command)
            assert result.exit_code == 4, result.output
            assert "revision 20991231000000, newer than this PatternLift" in result.output
            assert "Upgrade PatternLift" in result.output and "db upgrade" not in result.output
            assert "Traceback" not in result.output
        status = runner.invoke(app, ["db", "status"])
        assert "newer than this PatternLift" in " ".join(status.output.split())
    finally:
        _set_revision(database_url, HEAD_REVISION)


def test_unknown_target_revision_is_one_line(database_url: str) -> None:
    for command in (["db", "upgrade", "nosuchrev"], ["db", "downgrade", "nosuchrev", "--yes"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert result.output.count("\n") == 1 and "Traceback" not in result.output
        assert "'nosuchrev'" in result.output


def test_documented_relative_downgrade_parses(tmp_path: Path) -> None:
    """`patternlift db downgrade -1 --yes`, through the real entry point."""
    from patternlift_cli.db.migrate import script_directory
    from patternlift_cli.db.revision import HEAD_REVISION
    from tests.test_cli_entrypoint import _run, entry_point

    assert _run([entry_point(), "db", "upgrade"], tmp_path).returncode == 0
    result = _run([entry_point(), "db", "downgrade", "-1", "--yes"], tmp_path)
    assert result.returncode == 0, result.stderr
    previous = script_directory().get_revision(HEAD_REVISION).down_revision
    assert f"Database now at revision {previous}." in result.stdout
    result = _run([entry_point(), "db", "upgrade", "+1"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"-> {HEAD_REVISION}" in result.stdout.replace("\n", " ")


@pytest.mark.parametrize("backend", ["postgres"])
def test_concurrent_upgrades_take_turns(backend: str, empty_database_url: str, tmp_path: Path) -> None:
    """Two `db upgrade` runs on one empty PostgreSQL: one migrates, the other waits and finds head."""
    import time

    from patternlift_cli.db.migrate import MIGRATION_LOCK_KEY
    from patternlift_cli.db.revision import HEAD_REVISION
    from tests.test_cli_entrypoint import _environment, entry_point

    holder = sa.create_engine(empty_database_url, isolation_level="AUTOCOMMIT")
    with holder.connect() as lock:
        lock.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        environment = _environment(tmp_path, PATTERNLIFT_DATABASE_URL=empty_database_url)
        runs = [
            subprocess.Popen([entry_point(), "db", "upgrade"], env=environment, cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        waiting, deadline = 0, time.monotonic() + 60
        while waiting < 2 and time.monotonic() < deadline:  # both are queued behind our lock
            waiting = lock.execute(sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )).scalar()
            time.sleep(0.1)
        assert waiting == 2
        lock.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    holder.dispose()
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    said = sorted(" ".join(out.split()) for out, _ in outputs)
    assert "Traceback" not in "".join(err for _, err in outputs)
    assert said[0].startswith("Migrated") and f"empty -> {HEAD_REVISION}" in said[0]
    assert said[1].endswith(f"is already at revision {HEAD_REVISION}.")


# ----- constraints ---------------------------------------------------------------------------


def _profile(connection: sa.Connection) -> uuid.UUID:
    user_id = uuid.uuid4()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("INSERT INTO auth.users (id) VALUES (:id)"), {"id": user_id})
    connection.execute(
        sa.text("INSERT INTO user_profiles (id, email) VALUES (:id, :email)"),
        {"id": user_id.hex if connection.dialect.name == "sqlite" else user_id, "email": f"{user_id}@x.io"},
    )
    return user_id


def _uid(connection: sa.Connection, value: uuid.UUID) -> object:
    return value.hex if connection.dialect.name == "sqlite" else value


BAD_ROWS = {
    "understanding_level 101": (
        "INSERT INTO learning_sessions (id, user_id, pattern_id, understanding_level) "
        "VALUES (:sid, :uid, 'two-pointers', 101)"
    ),
    "current_level 4": (
        "INSERT INTO learning_sessions (id, user_id, pattern_id, current_level) "
        "VALUES (:sid, :uid, 'two-pointers', 4)"
    ),
    "unknown stage": (
        "INSERT INTO learning_sessions (id, user_id, pattern_id, current_stage) "
        "VALUES (:sid, :uid, 'two-pointers', 'daydreaming')"
    ),
    "negative cost_usd": (
        "INSERT INTO ai_interactions (id, user_id, interaction_type, prompt_tokens, "
        "completion_tokens, model_used, cost_usd) VALUES (:sid, :uid, 'hint', 1, 1, 'm', -0.01)"
    ),
    "negative prompt_tokens": (
        "INSERT INTO ai_interactions (id, user_id, interaction_type, prompt_tokens, "
        "completion_tokens, model_used, cost_usd) VALUES (:sid, :uid, 'hint', -1, 1, 'm', 0)"
    ),
    "user_feedback 6": (
        "INSERT INTO ai_interactions (id, user_id, interaction_type, prompt_tokens, "
        "completion_tokens, model_used, cost_usd, user_feedback) "
        "VALUES (:sid, :uid, 'hint', 1, 1, 'm', 0, 6)"
    ),
    "response_quality_score 0": (
        "INSERT INTO ai_interactions (id, user_id, interaction_type, prompt_tokens, "
        "completion_tokens, model_used, cost_usd, response_quality_score) "
        "VALUES (:sid, :uid, 'hint', 1, 1, 'm', 0, 0)"
    ),
    "unknown subscription status": (
        "UPDATE user_profiles SET subscription_status = 'lifetime' WHERE id = :uid"
    ),
    "currency not lowercase ISO": (
        "INSERT INTO payment_history (id, user_id, stripe_invoice_id, amount_minor, currency, "
        "status) VALUES (:sid, :uid, 'in_1', 900, 'USD', 'paid')"
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_constraints_reject_bad_rows(engine: sa.Engine, case: str) -> None:
    with engine.begin() as connection:
        user_id = _profile(connection)
        connection.execute(
            sa.text("INSERT INTO patterns (id, name, summary) VALUES ('two-pointers', 'Two Pointers', 's')")
        )
    # PostgreSQL reports an unknown enum label as a DataError, a failed CHECK as IntegrityError.
    with pytest.raises((sa.exc.IntegrityError, sa.exc.DataError), match=r"(?i)check|constraint|enum"):
        with engine.begin() as connection:
            connection.execute(
                sa.text(BAD_ROWS[case]),
                {"sid": _uid(connection, uuid.uuid4()), "uid": _uid(connection, user_id)},
            )
    # A sound row goes in, so the rejection was about the bad value.
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO ai_interactions (id, user_id, interaction_type, prompt_tokens, "
                "completion_tokens, model_used, cost_usd) VALUES (:sid, :uid, 'hint', 1, 1, 'm', 0.000001)"
            ),
            {"sid": _uid(connection, uuid.uuid4()), "uid": _uid(connection, user_id)},
        )


UNIQUE_ROWS = {
    "learning_sessions (user_id, pattern_id)": (
        "INSERT INTO learning_sessions (id, user_id, pattern_id) VALUES (:sid, :uid, 'two-pointers')"
    ),
    "user_calibrations (user_id, pattern_id)": (
        "INSERT INTO user_calibrations (id, user_id, pattern_id, persona_type, total_score, "
        "responses, guidance_config) VALUES (:sid, :uid, 'two-pointers', 'balanced_learner', 5, '{}', '{}')"
    ),
    "user_achievements (user_id, achievement_id)": (
        "INSERT INTO user_achievements (id, user_id, achievement_id, achievement_name, "
        "achievement_data) VALUES (:sid, :uid, 'first-steps', 'First steps', '{}')"
    ),
}


@pytest.mark.parametrize("case", sorted(UNIQUE_ROWS))
def test_unique_keys_reject_duplicates(engine: sa.Engine, case: str) -> None:
    with engine.begin() as connection:
        user_id = _profile(connection)
        connection.execute(
            sa.text("INSERT INTO patterns (id, name, summary) VALUES ('two-pointers', 'Two Pointers', 's')")
        )
        connection.execute(
            sa.text(UNIQUE_ROWS[case]),
            {"sid": _uid(connection, uuid.uuid4()), "uid": _uid(connection, user_id)},
        )
    with pytest.raises(sa.exc.IntegrityError, match=r"(?i)unique|duplicate"):
        with engine.begin() as connection:
            connection.execute(
                sa.text(UNIQUE_ROWS[case]),
                {"sid": _uid(connection, uuid.uuid4()), "uid": _uid(connection, user_id)},
            )


def test_money_is_exact_decimal_both_ways(engine: sa.Engine) -> None:
    from sqlmodel import Session, select

    from patternlift_cli.db.models import AIInteraction

    with engine.begin() as connection:
        user_id = _profile(connection)
    amounts = [Decimal("0.000001"), Decimal("1.234567"), Decimal("2.999999"), Decimal("0.1")]
    with Session(engine) as session:
        for amount in amounts:
            session.add(
                AIInteraction(
                    user_id=user_id,
                    interaction_type="hint",
                    prompt_tokens=1,
                    completion_tokens=1,
                    model_used="m",
                    cost_usd=amount,
                )
            )
        session.commit()
        stored = sorted(session.exec(select(AIInteraction.cost_usd)).all())
    assert stored == sorted(amounts)
    assert all(isinstance(value, Decimal) for value in stored)
    assert sum(stored) == Decimal("4.334567")


def test_timestamps_come_back_timezone_aware_utc(learner) -> None:
    assert learner.created_at.utcoffset().total_seconds() == 0
    assert learner.trial_ends_at.tzinfo is not None


# ----- row-level security (PostgreSQL only) ---------------------------------------------------


@pytest.mark.parametrize("backend", ["postgres"])  # row-level security is PostgreSQL's
def test_rls_keeps_two_learners_apart(backend: str, engine: sa.Engine) -> None:
    alice, bob = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as connection:
        for user_id, email in ((alice, "alice@example.com"), (bob, "bob@example.com")):
            connection.execute(sa.text("INSERT INTO auth.users (id) VALUES (:id)"), {"id": user_id})
            connection.execute(
                sa.text("INSERT INTO user_profiles (id, email) VALUES (:id, :email)"),
                {"id": user_id, "email": email},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO ai_interactions (user_id, interaction_type, prompt_tokens, "
                    "completion_tokens, model_used, cost_usd) VALUES (:id, 'hint', 10, 10, 'm', 0.01)"
                ),
                {"id": user_id},
            )

    def as_learner(connection: sa.Connection, user_id: uuid.UUID) -> None:
        connection.exec_driver_sql("SET LOCAL ROLE authenticated")
        connection.execute(
            sa.text("SELECT set_config('request.jwt.claim.sub', :sub, true)"), {"sub": str(user_id)}
        )

    with engine.connect() as connection, connection.begin():
        as_learner(connection, alice)
        emails = connection.execute(sa.text("SELECT email FROM user_profiles")).scalars().all()
        assert emails == ["alice@example.com"]
        owners = connection.execute(sa.text("SELECT user_id FROM ai_interactions")).scalars().all()
        assert owners == [alice]
        # Bob's rows are invisible, so an update cannot touch them ...
        changed = connection.execute(
            sa.text("UPDATE user_profiles SET full_name = 'hacked' WHERE id = :bob"), {"bob": bob}
        ).rowcount
        assert changed == 0
        # ... and Alice cannot write rows in Bob's name (AI spend she cannot insert at all).
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            with connection.begin_nested():
                connection.execute(
                    sa.text("INSERT INTO learning_sessions (user_id) VALUES (:bob)"), {"bob": bob}
                )

    with engine.connect() as connection, connection.begin():
        as_learner(connection, bob)
        emails = connection.execute(sa.text("SELECT email FROM user_profiles")).scalars().all()
        assert emails == ["bob@example.com"]

    with engine.connect() as connection:
        assert connection.execute(
            sa.text("SELECT full_name FROM user_profiles WHERE id = :bob"), {"bob": bob}
        ).scalar() is None


# ----- TypeScript types -----------------------------------------------------------------------


def test_db_types_cover_the_gaps_the_seed_reports(database_url: str, home: Path) -> None:
    out = home / "database.ts"
    result = runner.invoke(app, ["db", "types", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "export type Database = {" in text
    for table in ("user_calibrations", "user_achievements", "learning_sessions"):
        assert f"      {table}: {{" in text
    sessions = text.split("      learning_sessions: {", 1)[1].split("        Insert: {", 1)[0]
    for column, ts in (
        ("best_score", "number | null"),
        ("current_score", "number | null"),
        ("attempts_count", "number | null"),
        ("persona_type", "string | null"),
        ("is_active", "boolean | null"),
        ("struggle_indicators", "string[] | null"),
        ("attempt_history", "Json | null"),
        ("current_stage", 'Database["public"]["Enums"]["learning_stage"] | null'),
    ):
        assert f"          {column}: {ts}\n" in sessions, column
    calibrations = text.split("      user_calibrations: {", 1)[1].split("        Insert: {", 1)[0]
    for column in ("persona_type: string", "total_score: number", "responses: Json", "guidance_config: Json"):
        assert f"          {column}\n" in calibrations
    assert 'user_subscription_status: "trial" | "active" | "canceled" | "past_due" | "unpaid"' in text
    assert "monthly_ai_usage: {" in text

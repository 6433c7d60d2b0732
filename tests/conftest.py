"""Shared fixtures: an isolated PATTERNLIFT_HOME per test, and real SQLite and PostgreSQL.

PostgreSQL: PATTERNLIFT_TEST_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test)
names a server; each test session creates its own fresh database there and drops it at the
end. The suite runs under pytest-xdist (`-n auto` in pyproject's addopts): every worker is its
own session, so every worker gets its own database, named after the worker. Under CI=true an
unreachable server fails the run; elsewhere the Postgres tests skip with one line saying why.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

# The server tests' fixtures (uvicorn replicas, SMTP, JWKS), registered once so that their
# session scope really is one per run (importing them into each module would start them per module).
pytest_plugins = ("tests.server_support", "tests.connected_support")

DEFAULT_TEST_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")



def reset_caches() -> None:
    from patternlift_cli.config import reset_settings_cache
    from patternlift_cli.db.database import forget_ready_engines
    from patternlift_cli.db.engine import dispose_engines

    reset_settings_cache()
    dispose_engines()
    forget_ready_engines()


# ----- PostgreSQL ---------------------------------------------------------------------------


def _server_url() -> sa.URL:
    from patternlift_cli.db.engine import normalize_database_url

    return normalize_database_url(os.environ.get("PATTERNLIFT_TEST_DATABASE_URL", DEFAULT_TEST_PG_URL))


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test run."""
    server = _server_url()
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as error:
        admin.dispose()
        reason = f"PostgreSQL not reachable at {server.host}:{server.port or 5432} ({str(error.orig).splitlines()[0]})"
        if IN_CI:
            pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
        pytest.skip(reason)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1, ... under xdist
    name = f"patternlift_test_{worker}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    template = f"patternlift_test_template_{RUN_ID}"
    with admin.connect() as connection, _run_lock(connection):
        _migrate_once(connection, server, template)
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        # A commit need not wait for the disk here: a test kills processes, never PostgreSQL.
        connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            with _run_lock(connection):  # the workers still to come make it again if they need it
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        admin.dispose()


# The xdist workers of one run migrate one template database, one at a time, and copy it; each
# migrating its own took ~3.5 s of CPU alone and ~11 s at the run's start, four at once.
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:12]


@contextlib.contextmanager
def _run_lock(connection: sa.Connection) -> Iterator[None]:
    key = int(hashlib.sha256(RUN_ID.encode()).hexdigest()[:15], 16)
    connection.exec_driver_sql(f"SELECT pg_advisory_lock({key})")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"SELECT pg_advisory_unlock({key})")


def _migrate_once(connection: sa.Connection, server: sa.URL, template: str) -> None:
    """Under the run's lock: the template exists and is migrated, nobody connected to it."""
    from patternlift_cli.config import get_settings
    from patternlift_cli.db import migrate
    from patternlift_cli.db.engine import create_engine_for

    found = connection.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": template})
    if found.first() is not None:
        return
    connection.exec_driver_sql(f'CREATE DATABASE "{template}"')
    engine = create_engine_for(server.set(database=template), get_settings())
    try:
        migrate.upgrade(engine)
    except BaseException:
        engine.dispose()
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        raise
    engine.dispose()  # a template is copied only while nobody is connected to it


@functools.cache
def all_tables() -> tuple[str, ...]:
    """Every table the models declare (the learners' and the platform's), to empty between tests,
    parents first (sorting them takes ~0.3 s: once per process)."""
    from patternlift_cli.db.models import all_tables as schema

    return tuple(table.name for table in schema().sorted_tables)


def empty_database(url: str) -> None:
    """Empty every table, children before their parents, on either backend. DELETE, not
    TRUNCATE: on tables this small it takes ~35 ms where TRUNCATE, which gives each table and
    index a new file, took ~1.1 s."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        for table in reversed(all_tables()):
            connection.exec_driver_sql(f"DELETE FROM {table}")
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("DELETE FROM auth.users")
            connection.exec_driver_sql("REFRESH MATERIALIZED VIEW monthly_ai_usage")
    engine.dispose()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers per core. About half of the suite waits (on servers it started, CLI
    processes, PostgreSQL), so a second worker per core runs while the first waits; measured on
    2 cores, 4 workers took the suite from 352 s to 317 s."""
    return 2 * (os.cpu_count() or 1)


# ----- SQLite -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating every time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    from patternlift_cli.config import get_settings
    from patternlift_cli.db import migrate
    from patternlift_cli.db.engine import create_engine_for, normalize_database_url

    engine = create_engine_for(normalize_database_url(f"sqlite:///{path}"), get_settings())
    migrate.upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


# ----- the environment a test runs in ------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _bytecode_for_child_processes() -> Iterator[None]:
    """The CLI, server and worker processes the tests start keep their bytecode, as an installed
    CLI does, in a cache outside the source tree that every xdist worker shares.

    With PYTHONDONTWRITEBYTECODE set (as on this project's machines) each of the hundreds of
    processes the suite starts compiled every module it imports again.
    """
    root = Path(__file__).resolve().parents[1]
    cache = Path(tempfile.gettempdir()) / f"patternlift-test-bytecode-{hashlib.sha256(bytes(root)).hexdigest()[:12]}"
    saved = {name: os.environ.get(name) for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(cache)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session", autouse=True)
def _private_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test touches the real user's data, config or cache, even one without `home`.

    A CI machine that has run the product holds a real database in ~/.local/share; a test that
    forgot its fixture once read that database and failed on its revision.
    """
    names = ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME")
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ[name] = str(tmp_path_factory.mktemp(name.lower()))
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An isolated PATTERNLIFT_HOME, keyring file and working directory (no stray .env)."""
    home_dir = tmp_path / "home"
    home_dir.mkdir()
    monkeypatch.setenv("PATTERNLIFT_HOME", str(home_dir))
    monkeypatch.delenv("PATTERNLIFT_DATABASE_URL", raising=False)
    for variable in ("OPENAI_API_KEY", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "EDITOR", "VISUAL"):
        monkeypatch.delenv(variable, raising=False)
    # A real keyring backend (a plaintext file) instead of the OS's, kept inside the test's dir.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.chdir(tmp_path)
    reset_caches()
    import keyring.core

    keyring.core._keyring_backend = None  # re-read PYTHON_KEYRING_BACKEND
    yield home_dir
    reset_caches()
    keyring.core._keyring_backend = None


@pytest.fixture
def mini_course(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The two-pattern curriculum of tests/mini_course.py in place of the packaged one."""
    from tests.mini_course import write_mini_course

    root = write_mini_course(tmp_path / "course")
    monkeypatch.setenv("PATTERNLIFT_CONTENT_DIR", str(root))
    reset_caches()
    return root


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(
    backend: str,
    home: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """A migrated, empty database of the parametrized backend, configured for the CLI."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = home / "data" / "patternlift.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        url = f"sqlite:///{target}"
        reset_caches()
        yield url
        return
    url = request.getfixturevalue("pg_database_url")
    empty_database(url)
    monkeypatch.setenv("PATTERNLIFT_DATABASE_URL", url)
    reset_caches()
    yield url
    reset_caches()


@pytest.fixture
def engine(database_url: str) -> sa.Engine:
    from patternlift_cli.db.database import ready_engine

    return ready_engine()


@pytest.fixture
def learner(database_url: str):
    """A signed-in learner on the configured backend."""
    from patternlift_cli import signin
    from patternlift_cli.services import accounts

    profile, _ = accounts.login(local_database(), "learner@example.com", "Test Learner")
    signin.remember(profile.email)
    return profile


def local_database():
    """The configured database, as the use cases take it (in connected mode: the platform's)."""
    platform_url = os.environ.get("PATTERNLIFT_TEST_PLATFORM_DB")
    if platform_url:
        from patternlift_cli.db.unit import Database

        return Database(sa.create_engine(platform_url, poolclass=sa.pool.NullPool))
    from patternlift_cli.services.learner import local_database as configured

    return configured()


def signed_in():
    """The signed-in learner's use cases (what the CLI holds), solo or direct mode."""
    from patternlift_cli.cli.context import current_learner

    return current_learner(ask=False)

"""Connected mode for tests: a learner signed in to the test platform, the CLI pointed at it.

The `connected` fixture signs a learner in the way a person does (emailed code), then sets
PATTERNLIFT_SERVER_URL and PATTERNLIFT_TOKEN as a script would; every `patternlift` command of
the test then talks to the real uvicorn replicas. `engine` reads the platform's database, to
check what the server stored; tests.conftest.local_database() serves the same database, so the
helpers that read a session's draw keep working.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.server_support import Platform, sign_in

EMAIL = "learner@example.com"


@dataclass
class Connected:
    platform: Platform
    email: str
    token: str
    learner_id: str
    engine: sa.Engine

    @property
    def url(self) -> str:
        return self.platform.url


def use_server(monkeypatch: pytest.MonkeyPatch, url: str, token: str, database_url: str) -> None:
    from tests.conftest import reset_caches

    monkeypatch.setenv("PATTERNLIFT_SERVER_URL", url)
    monkeypatch.setenv("PATTERNLIFT_TOKEN", token)
    monkeypatch.setenv("PATTERNLIFT_TEST_PLATFORM_DB", database_url)
    reset_caches()


@pytest.fixture
def connected(platform: Platform, home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connected]:
    issued = sign_in(platform, EMAIL)
    use_server(monkeypatch, platform.url, issued.access_token, platform.database_url)
    engine = sa.create_engine(platform.database_url, poolclass=sa.pool.NullPool)
    try:
        yield Connected(platform, issued.email, issued.access_token, issued.learner_id, engine)
    finally:
        engine.dispose()

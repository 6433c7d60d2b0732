"""Accounts: login creates a profile from the schema's defaults; whoami and logout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from typer.testing import CliRunner

from patternlift_cli.cli.app import app

runner = CliRunner()


def test_login_creates_profile_with_schema_defaults(database_url: str) -> None:
    result = runner.invoke(app, ["login", "--email", "Ada@Example.com", "--name", "Ada"])
    assert result.exit_code == 0, result.output
    assert "trial has started" in result.output

    from patternlift_cli.services import accounts
    from tests.conftest import local_database

    profile, created = accounts.login(local_database(), "ada@example.com")
    assert not created
    assert profile.full_name == "Ada"
    assert profile.subscription_status.value == "trial"
    assert profile.subscription_tier == "basic"
    assert profile.monthly_ai_usage_limit == Decimal("3.00")
    assert profile.current_month_ai_cost == Decimal("0")
    assert isinstance(profile.monthly_ai_usage_limit, Decimal)
    now = datetime.now(UTC)
    assert profile.trial_ends_at.tzinfo is not None
    assert timedelta(days=13, hours=23) < profile.trial_ends_at - now <= timedelta(days=14)


def test_whoami_json_and_logout(database_url: str) -> None:
    runner.invoke(app, ["login", "--email", "grace@example.com"])
    result = runner.invoke(app, ["whoami", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["email"] == "grace@example.com"
    assert data["status"] == "trial"
    assert data["trial_days_left"] == 14
    assert data["ai_limit_usd"] == "3.000000"
    # Entitled (the trial runs) but not configured: the AI tutor is off, and says why.
    assert data["ai_allowed"] is False and "not configured" in data["ai_access"]
    keyed = json.loads(runner.invoke(app, ["whoami", "--json"], env={"OPENAI_API_KEY": "sk-test"}).output)
    assert keyed["ai_allowed"] is True and keyed["mode"] == ("solo" if "sqlite" in database_url else "direct")

    result = runner.invoke(app, ["logout"])
    assert "Signed out grace@example.com" in result.output
    result = runner.invoke(app, ["whoami"])
    assert result.exit_code == 5
    assert "patternlift login --email" in result.output


def test_bad_email_is_one_line_and_exit_2(database_url: str) -> None:
    result = runner.invoke(app, ["login", "--email", "not-an-email"])
    assert result.exit_code == 2
    assert "is not an email address" in result.output
    assert "Traceback" not in result.output

"""`ask`, `usage`, `config` and the tutor inside `learn`, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.mini_course import CORRECT, PARTIAL
from tests.test_learning_loop import ALL_RIGHT, answer_for, invoke
from tests.test_tutor import _learner, _profile, _rows, _set_profile, fake_ai  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "patternlift_cli", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}, stdin=subprocess.DEVNULL, timeout=120,
    )


def test_ask_streams_the_answer_to_stdout_and_the_cost_to_stderr(fake_ai, engine) -> None:  # noqa: F811
    result = _cli("ask", "two-pointers", "Why must the input be sorted?")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Look at what your loop does")
    assert "AI cost $" in result.stderr and "of $3.00" in result.stderr
    assert "AI cost" not in result.stdout
    assert "Why must the input be sorted?" in fake_ai.requests[-1]["messages"][1]["content"]


def test_ask_exit_codes_say_why_ai_was_refused(fake_ai, engine) -> None:  # noqa: F811
    _set_profile(engine, current_month_ai_cost=Decimal("3.00"), ai_cost_month=datetime.now(UTC).date().replace(day=1))
    result = _cli("ask", "two-pointers", "Anything?")
    assert result.returncode == 12
    assert "AI budget reached: $3.00 of $3.00" in result.stderr and "Traceback" not in result.stderr

    _set_profile(engine, subscription_status="unpaid")
    result = _cli("ask", "two-pointers", "Anything?")
    assert result.returncode == 13 and "patternlift subscribe" in result.stderr


def test_ask_without_a_key_exits_11_in_one_line(mini_course, learner) -> None:
    result = _cli("ask", "two-pointers", "Anything?")
    assert result.returncode == 11
    assert "patternlift config set-key openai" in result.stderr


def test_usage_reports_the_month_exactly(fake_ai, engine) -> None:  # noqa: F811
    from tests.conftest import signed_in

    tutor = signed_in().tutor
    first = tutor.reply("question", pattern_id="two-pointers", question="one")
    second = tutor.reply("explain", pattern_id="two-pointers")
    runner = CliRunner()
    from patternlift_cli.cli.app import app

    result = runner.invoke(app, ["usage", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["spent_usd"] == str(first.cost_usd + second.cost_usd)
    assert data["limit_usd"] == "3.000000" and data["calls"] == 2 and data["open_reservations"] == 0
    assert Decimal(data["remaining_usd"]) == Decimal("3") - first.cost_usd - second.cost_usd
    assert {row["name"] for row in data["by_type"]} == {"question", "explain"}
    assert data["by_model"][0]["name"] == "tutor-test" and data["by_model"][0]["calls"] == 2
    assert data["history"][0]["cost_usd"] == data["spent_usd"]  # monthly_ai_usage (view)

    result = runner.invoke(app, ["usage"], env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert "AI usage" in result.output and "By type" in result.output and "resets" in result.output

    past = json.loads(runner.invoke(app, ["usage", "--month", "2020-01", "--json"]).output)
    assert past["calls"] == 0 and past["spent_usd"] == "0.000000"  # exact strings, one format
    bad = runner.invoke(app, ["usage", "--month", "January"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
    far = runner.invoke(app, ["usage", "--month", "9999-12"])
    assert far.exit_code == 2 and "Traceback" not in far.output


def test_refresh_usage_refreshes_the_materialized_view(fake_ai, engine, backend) -> None:  # noqa: F811
    from patternlift_cli.cli.app import app
    from patternlift_cli.db.models import monthly_ai_usage
    from tests.conftest import signed_in

    reply = signed_in().tutor.reply("question", pattern_id="two-pointers", question="one")
    result = CliRunner().invoke(app, ["db", "refresh-usage"])
    assert result.exit_code == 0, result.output
    with engine.begin() as connection:
        (row,) = connection.execute(sa.select(monthly_ai_usage)).all()
    assert row.total_cost_usd == reply.cost_usd and row.interaction_count == 1


def test_config_keys_live_in_the_keyring_and_show_masked(home) -> None:
    from patternlift_cli.cli.app import app
    from patternlift_cli.config import get_secret

    runner = CliRunner()
    result = runner.invoke(app, ["config", "set-key", "openai", "--stdin"], input="sk-live-abcdefghijkl\n")
    assert result.exit_code == 0, result.output
    assert get_secret("openai") == "sk-live-abcdefghijkl"
    shown = json.loads(runner.invoke(app, ["config", "show", "--json"]).output)
    assert shown["keys"]["openai"] == {"value": "sk-…ijkl", "source": "keyring"}
    assert "abcdefgh" not in runner.invoke(app, ["config", "show"]).output
    assert runner.invoke(app, ["config", "delete-key", "openai"]).exit_code == 0
    assert get_secret("openai") is None
    assert runner.invoke(app, ["config", "set-key", "nope", "--stdin"], input="x\n").exit_code == 2


def test_learn_offers_an_ai_hint_takes_a_rating_and_scores_it_by_the_next_run(fake_ai, engine, monkeypatch) -> None:  # noqa: F811
    from patternlift_cli.content.loader import get_problem
    from patternlift_cli.db.models import AIInteraction
    from patternlift_cli.practice.workspace import workspace_file

    def write(text: str):
        return lambda: workspace_file(get_problem("two-pointers-1-a")).write_text(text)

    steps = ["e", "3",                     # the AI explains the first page again, rated 3
             "", "", "", "", "", "",       # lesson
             *[answer_for(ALL_RIGHT)] * 4,  # knowledge check
             write(PARTIAL), "r",          # 3 of 10
             "a", "4",                     # AI hint, rated 4
             "q"]                          # and stop for today
    result = invoke(monkeypatch, ["learn", "two-pointers", "--skip-calibration"], steps)
    assert result.exit_code == 0, result.output
    assert "Look at what your loop does" in result.output and "AI cost $" in result.output
    explain, hint = sorted(_rows(engine, AIInteraction), key=lambda row: row.created_at)
    assert explain.interaction_type == "explain" and "When it applies" in fake_ai.requests[0]["messages"][1]["content"]
    assert explain.user_feedback == 3
    assert (hint.interaction_type, hint.user_feedback, hint.session_id is not None) == ("hint", 4, True)
    assert hint.response_quality_score is None  # no run since the hint yet
    request = fake_ai.requests[-1]["messages"]
    assert "pair[0] < 3" in request[1]["content"]  # the learner's code went along

    # Next sitting: the first run after the hint still passes 3 of 10, as the run before it did,
    # so the hint scores 2 ("no change"); later runs do not rescore it.
    result = invoke(monkeypatch, ["learn", "two-pointers"], [write(PARTIAL), "r", write(CORRECT), "r", "n", "q"])
    assert result.exit_code == 0, result.output
    hint = next(row for row in _rows(engine, AIInteraction) if row.interaction_type == "hint")
    assert hint.response_quality_score == 2


def test_ask_piped_into_a_reader_that_leaves_stops_quietly_and_records_the_call(fake_ai, engine) -> None:  # noqa: F811
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction

    fake_ai.chunk_delay = 0.2
    process = subprocess.Popen(
        [sys.executable, "-m", "patternlift_cli", "ask", "two-pointers", "Why?"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert process.stdout.read(4) == b"Look"  # like `| head -c 4`
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141, stderr
    assert "Traceback" not in stderr
    (row,) = _rows(engine, AIInteraction)
    assert row.cost_usd > 0 and _rows(engine, AIBudgetReservation) == []


def test_usage_fits_80_columns_and_shows_sub_cent_amounts_as_they_are(learner, engine) -> None:
    from patternlift_cli.cli.app import app

    month = datetime.now(UTC).date().replace(day=1)
    _set_profile(engine, current_month_ai_cost=Decimal("0.000691"), monthly_ai_usage_limit=Decimal("0.0001"),
                 ai_cost_month=month)
    result = CliRunner().invoke(app, ["usage"], env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "Spent $0.000691 of $0.0001" in result.output
    lines = result.output.splitlines()
    remaining = next(line for line in lines if "Remaining" in line)
    assert "Remaining $0.00 · resets " in remaining and remaining.rstrip(" │").endswith("00:00 UTC")
    assert max(len(line) for line in lines) <= 80


@pytest.mark.parametrize("price", ['"1e30"', "1e999999999", '"-0.5"'])
def test_an_absurd_price_override_is_one_line_naming_the_setting(home, monkeypatch, price: str) -> None:
    monkeypatch.setenv("PATTERNLIFT_AI_PRICE_OVERRIDES", f'{{"tutor-test": {{"input": {price}, "output": "2"}}}}')
    result = _cli("ask", "two-pointers", "Anything?")
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    (first, *_) = result.stderr.strip().splitlines()
    assert "PATTERNLIFT_AI_PRICE_OVERRIDES" in first and "'tutor-test' input price" in first and "out of range" in first


@pytest.mark.parametrize("where", ["environment", ".env"])
def test_an_empty_price_override_means_none(home, monkeypatch, where: str) -> None:
    from patternlift_cli.config import get_settings, reset_settings_cache

    if where == "environment":
        monkeypatch.setenv("PATTERNLIFT_AI_PRICE_OVERRIDES", "")
    else:
        Path(".env").write_text("PATTERNLIFT_AI_PRICE_OVERRIDES=\n")
    reset_settings_cache()
    assert get_settings().ai_price_overrides == {}


def test_a_model_that_overran_is_refused_by_every_later_process(fake_ai, engine) -> None:  # noqa: F811
    from patternlift_cli.db.models import AIModelTrust

    fake_ai.script("overrun")
    first = _cli("ask", "two-pointers", "Why?")
    assert first.returncode == 0, first.stderr
    assert "was reserved" in first.stderr  # the overrun is logged where the operator sees it
    (trust,) = _rows(engine, AIModelTrust)
    assert trust.model_used == "tutor-test"

    second = _cli("ask", "two-pointers", "Why?")
    assert second.returncode == 14 and "Traceback" not in second.stderr
    (line, *_) = second.stderr.strip().splitlines()
    assert "'tutor-test'" in line and "PATTERNLIFT_AI_PRICE_OVERRIDES" in line
    assert len(fake_ai.requests) == 1

"""A problem's time limit is scaled to the machine's speed, so a slow machine gives the same verdict."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from patternlift_cli.practice import machine_speed
from patternlift_cli.practice.judge import JudgeSettings, judge_source
from tests.judge_support import SUM_HEADER, make_problem

# Spins for a fixed amount of CPU time, however fast the machine is.
SPIN = SUM_HEADER + (
    "        import time\n        end = time.process_time() + 0.4\n"
    "        while time.process_time() < end:\n            pass\n        return sum(nums)\n"
)
PROBLEM = make_problem(
    signature={"method": "total", "params": [{"name": "nums", "type": "List[int]"}], "returns": "int"},
    cases=[{"args": [[1, 2, 3]], "expected": 6}],
    time_limit_seconds=0.25,
)


def keep(folder: Path, factor: float, *, age_seconds: float = 0, python: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / machine_speed.FILE_NAME).write_text(json.dumps({
        "factor": factor, "measured_at": time.time() - age_seconds, "python": python or machine_speed._python(),
    }))


def test_a_problems_own_limit_is_scaled_and_an_explicit_one_is_not(home: Path) -> None:
    settings = JudgeSettings.current()
    at_calibration_speed = settings._replace(machine_speed=1.0)
    three_times_slower = settings._replace(machine_speed=3.0)

    assert judge_source(PROBLEM, SPIN, settings=at_calibration_speed).verdict == "time_limit"
    report = judge_source(PROBLEM, SPIN, settings=three_times_slower)  # 0.75 s for 0.4 s of work
    assert report.all_passed, report.message
    # A limit the caller gives is seconds on this machine, as asked.
    assert judge_source(PROBLEM, SPIN, settings=three_times_slower, time_limit_seconds=0.25).verdict == "time_limit"


def test_the_limit_a_learner_is_told_is_the_one_applied(home: Path) -> None:
    report = judge_source(PROBLEM, SPIN, settings=JudgeSettings.current()._replace(machine_speed=1.2))
    assert report.verdict == "time_limit"
    assert "0.3 s" in report.message, report.message


def test_the_factor_is_measured_once_kept_for_a_day_and_never_below_one(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = home / "cache"
    measured = []
    monkeypatch.setattr(machine_speed, "_measured", None)
    monkeypatch.setattr(machine_speed, "measure", lambda: measured.append(1) or 2.5)

    assert machine_speed.factor(folder) == 2.5
    assert json.loads((folder / machine_speed.FILE_NAME).read_text())["factor"] == 2.5
    keep(folder, 1.7)
    assert machine_speed.factor(folder) == 1.7  # what another process kept is used as it is
    assert len(measured) == 1

    for stale in ({"age_seconds": 2 * machine_speed.KEPT_SECONDS}, {"python": "cpython 2.7 /usr/bin/python"}):
        keep(folder, 1.7, **stale)
        assert machine_speed.factor(folder) == 2.5  # this process's measure, kept again
        assert json.loads((folder / machine_speed.FILE_NAME).read_text())["factor"] == 2.5
    for damaged in ("{", '{"factor": "fast"}', json.dumps({"factor": 0.2, "measured_at": time.time(),
                                                           "python": machine_speed._python()})):
        (folder / machine_speed.FILE_NAME).write_text(damaged)
        assert machine_speed.factor(folder) == 2.5
    assert len(measured) == 1


def test_the_measure_is_this_machines_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    factor = machine_speed.measure()
    assert 1.0 <= factor <= machine_speed.MOST
    # On a machine where the workload takes no time at all, the authored limits stay as they are.
    monkeypatch.setattr(machine_speed, "CALIBRATION_MACHINE_SECONDS", 1000.0)
    assert machine_speed.measure() == 1.0
    monkeypatch.setattr(machine_speed, "CALIBRATION_MACHINE_SECONDS", 1e-9)
    assert machine_speed.measure() == machine_speed.MOST


def test_a_cache_that_cannot_be_written_costs_a_measure_not_a_failure(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = home / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setattr(machine_speed, "_measured", 1.8)
    assert machine_speed.factor(blocked / "cache") == 1.8
    assert [path.name for path in home.iterdir()] == ["not-a-folder"]


def test_doctor_says_how_the_limits_are_scaled_here(home: Path) -> None:
    from typer.testing import CliRunner

    from patternlift_cli.cli.app import app

    keep(home / "cache", 2.5)
    shown = CliRunner().invoke(app, ["doctor"], env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert shown.exit_code == 0, shown.output
    assert "Time limits  x2.5: Python runs 2.5x slower here" in shown.output
    report = CliRunner().invoke(app, ["doctor", "--json"])
    assert json.loads(report.stdout)["machine_speed"] == 2.5

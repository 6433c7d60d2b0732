"""The lean `check` path's settings snapshot can never be stale: every change to what Settings
reads (an environment variable, the .env file) changes what the lean judge does, at once, and a
setting that does not validate is reported exactly as the full path reports it.

Observed through behaviour: a solution that takes 240 MB of address space when its file loads
passes under the default memory limit (256 MB) and fails under PATTERNLIFT_JUDGE_MEMORY_LIMIT_MB=32.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.test_check_lean import PROBLEM, environment, full, lean, lean_imports

ROOMY = (
    "ROOM = bytearray(240 * 2**20)\n\n"
    "class Solution:\n    def climbStairs(self, n: int) -> int:\n"
    "        a, b = 1, 1\n        for _ in range(n - 1):\n            a, b = b, a + b\n        return b\n"
)
ARGS = ["check", PROBLEM, "roomy.py", "--json"]


def verdict(result: tuple[int, bytes, bytes]) -> tuple[int, str]:
    status, stdout, stderr = result
    assert stdout, stderr
    return status, json.loads(stdout)["verdict"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "roomy.py").write_text(ROOMY)
    return tmp_path


def test_a_changed_environment_variable_changes_the_lean_judges_limit(folder: Path) -> None:
    roomy = environment(folder / "home")
    tight = environment(folder / "home", PATTERNLIFT_JUDGE_MEMORY_LIMIT_MB="32")
    assert verdict(full(ARGS, folder, roomy)) == (0, "accepted")  # writes the snapshot
    assert lean_imports(ARGS, folder, roomy) == (0, [])  # the lean path, on that snapshot
    assert verdict(lean(ARGS, folder, tight)) == (1, "memory_limit")  # a miss: the full path, which rewrites it
    assert lean_imports(ARGS, folder, tight) == (1, [])  # lean again, with the new limit
    assert verdict(lean(ARGS, folder, tight)) == (1, "memory_limit")
    assert verdict(lean(ARGS, folder, roomy)) == (0, "accepted")


def test_a_changed_env_file_changes_the_lean_judges_limit(folder: Path) -> None:
    env = environment(folder / "home")
    env_file = folder / ".env"
    env_file.write_text("PATTERNLIFT_JUDGE_MEMORY_LIMIT_MB=32\n##\n")
    assert verdict(lean(ARGS, folder, env)) == (1, "memory_limit")
    assert lean_imports(ARGS, folder, env) == (1, [])
    stat = env_file.stat()
    env_file.write_text("PATTERNLIFT_JUDGE_MEMORY_LIMIT_MB=512\n#\n")
    os.utime(env_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime: the bytes decide
    assert env_file.stat().st_size == stat.st_size
    assert verdict(lean(ARGS, folder, env)) == (0, "accepted")
    assert lean_imports(ARGS, folder, env) == (0, [])
    env_file.unlink()
    assert verdict(lean(ARGS, folder, env)) == (0, "accepted")


def test_the_sandbox_setting_reaches_the_lean_judge(folder: Path) -> None:
    env = environment(folder / "home")
    unsandboxed = environment(folder / "home", PATTERNLIFT_JUDGE_SANDBOX="none")
    lean(ARGS, folder, unsandboxed)
    _, stdout, _ = lean(ARGS, folder, unsandboxed)
    assert json.loads(stdout)["isolation"] == "none"
    assert lean_imports(ARGS, folder, unsandboxed) == (0, [])
    default = json.loads(full(ARGS, folder, env)[1])["isolation"]  # bwrap where it works here
    assert json.loads(lean(ARGS, folder, env)[1])["isolation"] == default


@pytest.mark.parametrize("setting", [{"PATTERNLIFT_AI_MAX_ATTEMPTS": "99"}, {"PATTERNLIFT_JUDGE_SANDBOX": "sometimes"}],
                         ids=["unrelated-setting", "judge-setting"])
def test_a_setting_that_does_not_validate_is_reported_as_the_full_path_reports_it(folder: Path, setting: dict) -> None:
    env = environment(folder / "home")
    full(ARGS, folder, env)  # a snapshot of the valid settings exists
    broken = environment(folder / "home", **setting)
    result = lean(ARGS, folder, broken)
    assert result == full(ARGS, folder, broken)
    assert result[0] == 3 and result[2].startswith(b"Error: Invalid setting PATTERNLIFT_")


def test_a_damaged_snapshot_is_a_miss_and_is_written_again(folder: Path) -> None:
    env = environment(folder / "home")
    full(ARGS, folder, env)
    snapshot = folder / "home" / "cache" / "check-settings.json"
    data = json.loads(snapshot.read_text())
    data["values"]["judge"]["memory_limit_mb"] = 32  # a value its key was not made from
    snapshot.write_text(json.dumps(data))
    assert verdict(lean(ARGS, folder, env)) == (0, "accepted")
    assert json.loads(snapshot.read_text())["values"]["judge"]["memory_limit_mb"] == 256
    snapshot.write_text("{")
    assert verdict(lean(ARGS, folder, env)) == (0, "accepted")
    assert lean_imports(ARGS, folder, env) == (0, [])

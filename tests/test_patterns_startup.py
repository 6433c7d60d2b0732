"""`patternlift patterns` starts lean (issue 10), checked by what a real run loads, never by time.

A signed-in SQLite learner with a warm curriculum cache: the course overview is read on
SQLAlchemy Core from the course outline, and only the `patterns` command is built.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

NOT_FOR_PATTERNS = ("sqlmodel", "sqlalchemy.orm", "yaml", "alembic", "patternlift_cli.content.models")
PROBE = f"""
NOT_FOR_PATTERNS = {NOT_FOR_PATTERNS!r}
import contextlib, io, json, sys
sys.argv = ["patternlift", *sys.argv[1:]]
from patternlift_cli.cli.app import main
shown = io.StringIO()
try:
    with contextlib.redirect_stdout(shown):
        main()
except SystemExit as stop:
    code = stop.code
else:
    code = 0
print(json.dumps({{
    "code": code,
    "stdout": shown.getvalue(),
    "loaded": [name for name in NOT_FOR_PATTERNS if name in sys.modules],
    "commands": sorted(name for name, module in sys.modules.items()
                       if name.startswith("patternlift_cli.cli.commands.") and hasattr(module, "register")),
}}))
"""


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PATTERNLIFT_", "OPENAI_", "STRIPE_"))}
    env.update({"PATTERNLIFT_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "120",
                "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"})
    return env


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("patternlift")
    return subprocess.run([str(script), *args], check=False, capture_output=True, text=True, timeout=60,
                          env=_environment(home), cwd=home, stdin=subprocess.DEVNULL)


def _probe(home: Path, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], check=False, capture_output=True, text=True,
                            timeout=60, env=_environment(home), cwd=home, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_patterns_builds_one_command_and_reads_neither_the_orm_nor_the_whole_course(tmp_path: Path) -> None:
    assert _cli(tmp_path, "login", "--email", "lean@example.com").returncode == 0
    screen = _cli(tmp_path, "patterns")  # fills the curriculum cache and the outline
    assert screen.returncode == 0, screen.stderr
    for args in (["patterns"], ["patterns", "--json"]):
        run = _probe(tmp_path, *args)
        assert run["code"] == 0
        assert run["loaded"] == [], args
        assert run["commands"] == ["patternlift_cli.cli.commands.patterns"], args
    assert _probe(tmp_path, "patterns")["stdout"] == screen.stdout  # the same screen the learner sees
    rows = json.loads(_probe(tmp_path, "patterns", "--json")["stdout"])
    assert rows[0]["id"] == "hashing" and rows[0]["prerequisites_met"] is True

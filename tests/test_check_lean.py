"""`patternlift check` on its lean path (cli/lean.py) against the full Typer path, byte for byte.

Both run as real processes over the same home, content cache and settings snapshot: the console
script (lean whenever it can be) and the Typer app's own `main` (always full). They must write
the same bytes on stdout and stderr and exit alike -- on a pipe, on a terminal (colours,
NO_COLOR, a narrow one), with --json -- for a pass, a wrong answer, a syntax error and a
missing file. Only the measured times in --json differ between any two runs and are masked.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli_entrypoint import entry_point

PROBLEM = "dynamic-programming-1d-1-climbing-stairs"
SOLUTIONS = {
    "pass": "class Solution:\n    def climbStairs(self, n: int) -> int:\n"
            "        a, b = 1, 1\n        for _ in range(n - 1):\n            a, b = b, a + b\n        return b\n",
    "wrong": "class Solution:\n    def climbStairs(self, n: int) -> int:\n        print('trying', n)\n        return n\n",
    "syntax": "class Solution\n    def climbStairs(self, n: int) -> int:\n        return n\n",
    # a message longer than the console is wide: rich wraps it, so the lean path lets rich write it
    "syntax-long": "class Solution:\n    def climbStairs(self, n: int) -> int\n        return n\n",
}
HEAVY = ("typer", "rich", "pydantic", "pydantic_settings", "yaml")
FULL = "import sys\nsys.argv[0] = 'patternlift'\nfrom patternlift_cli.cli.app import main\nmain()\n"
# The console script's own code, with a record of what the process imported by the time it ends.
LEAN_PROBE = (
    "import atexit, json, sys\n"
    "record = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(record, 'w').write(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules))))\n"
    "sys.argv[0] = 'patternlift'\n"
    "from patternlift_cli.cli.lean import main\nmain()\n"
)
TIMES = re.compile(rb'("(?:cpu_ms|duration_seconds|cpu_seconds)": )-?[0-9][0-9.e+-]*')


def environment(home: Path, **extra: str) -> dict[str, str]:
    skip = ("PATTERNLIFT_", "OPENAI_", "STRIPE_")
    quiet = ("TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS", "LINES")
    env = {key: value for key, value in os.environ.items() if not key.startswith(skip) and key not in quiet}
    env.update({"PATTERNLIFT_HOME": str(home), "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"})
    env.update(extra)
    return env


def run(command: list[str], cwd: Path, env: dict[str, str], *, tty: bool = False) -> tuple[int, bytes, bytes]:
    """Exit status, stdout and stderr; stdout on a pseudo-terminal when `tty`."""
    if not tty:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=120,
                              check=False)
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    output = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    error = process.stderr.read() if process.stderr else b""
    return process.wait(timeout=120), bytes(output), error


def lean(args: list[str], cwd: Path, env: dict[str, str], *, tty: bool = False) -> tuple[int, bytes, bytes]:
    return run([entry_point(), *args], cwd, env, tty=tty)


def full(args: list[str], cwd: Path, env: dict[str, str], *, tty: bool = False) -> tuple[int, bytes, bytes]:
    return run([sys.executable, "-c", FULL, *args], cwd, env, tty=tty)


def lean_imports(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    record = cwd / "imported.json"
    status, _, _ = run([sys.executable, "-c", LEAN_PROBE.format(heavy=HEAVY), str(record), *args], cwd, env)
    return status, json.loads(record.read_text())


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose curriculum cache and settings snapshot the first (full) check wrote."""
    folder = tmp_path_factory.mktemp("lean-check")
    for name, source in SOLUTIONS.items():
        (folder / f"{name}.py").write_text(source)
    status, _, stderr = full(["check", PROBLEM, "pass.py"], folder, environment(folder / "home"))
    assert status == 0, stderr
    assert (folder / "home" / "cache" / "check-settings.json").is_file()
    return folder


CASES = {"pass": ["pass.py"], "wrong": ["wrong.py"], "syntax": ["syntax.py"], "syntax-long": ["syntax-long.py"],
         "missing": ["absent.py"]}
TERMINALS = {
    "pipe": ({}, False),
    "terminal": ({"TERM": "xterm-256color"}, True),
    "no-color": ({"TERM": "xterm", "NO_COLOR": "1"}, True),
    "narrow": ({"TERM": "xterm", "COLUMNS": "40"}, True),  # lines rich wraps: the lean path lets rich write them
    "dumb": ({"TERM": "dumb"}, True),
}


@pytest.mark.parametrize("terminal", TERMINALS)
@pytest.mark.parametrize("case", CASES)
def test_the_lean_path_writes_what_the_full_path_writes(workdir: Path, case: str, terminal: str) -> None:
    extra, tty = TERMINALS[terminal]
    env = environment(workdir / "home", **extra)
    args = ["check", PROBLEM, *CASES[case]]
    result = lean(args, workdir, env, tty=tty)
    assert result == full(args, workdir, env, tty=tty)
    if case == "pass":  # what is compared: colours on a terminal, plain text elsewhere
        assert (b"\x1b[1;32mall 11 cases passed\x1b[0m" in result[1]) == (terminal in ("terminal", "narrow"))
        assert (b"\x1b[" in result[1]) == (terminal not in ("pipe", "dumb"))


@pytest.mark.parametrize("case", CASES)
def test_the_lean_path_writes_the_same_json(workdir: Path, case: str) -> None:
    env = environment(workdir / "home")
    args = ["check", "--json", PROBLEM, *CASES[case]]
    status, stdout, stderr = lean(args, workdir, env)
    full_status, full_stdout, full_stderr = full(args, workdir, env)
    assert (status, TIMES.sub(rb"\1#", stdout), stderr) == (full_status, TIMES.sub(rb"\1#", full_stdout), full_stderr)
    if case != "missing":
        assert json.loads(stdout)["file"] == CASES[case][0]


@pytest.mark.parametrize("case", ["pass", "wrong", "syntax"])
def test_the_lean_path_imports_neither_typer_nor_pydantic(workdir: Path, case: str) -> None:
    """What makes it fast: a pass or a syntax error needs no rich either; a wrong answer's
    panel is drawn by rich, still without typer or pydantic."""
    status, imported = lean_imports(["check", PROBLEM, f"{case}.py"], workdir, environment(workdir / "home"))
    assert status == (0 if case == "pass" else 1)
    assert imported == ([] if case != "wrong" else ["rich"])
    status, imported = lean_imports(["check", PROBLEM, f"{case}.py", "--json"], workdir, environment(workdir / "home"))
    assert imported == []


@pytest.mark.parametrize("args", [["check", "--help"], ["check", PROBLEM, "pass.py", "--verbose"], ["check"],
                                  ["check", PROBLEM, "pass.py", "extra"], ["check", "no-such-problem", "pass.py"],
                                  ["check", "dynamic-programming-1d-m-decode-ways", "pass.py"]],
                         ids=["help", "other-option", "no-problem", "three-arguments", "unknown-problem", "mastery"])
def test_every_other_form_is_the_typer_apps(workdir: Path, args: list[str]) -> None:
    env = environment(workdir / "home", COLUMNS="100")
    assert lean(args, workdir, env) == full(args, workdir, env)


def test_the_workspace_file_is_the_default(workdir: Path) -> None:
    # wide enough for the workspace file's long path on one line (else rich folds it)
    env = environment(workdir / "home", PATTERNLIFT_WORKSPACE=str(workdir / "ws"), COLUMNS="300")
    target = workdir / "ws" / "dynamic-programming-1d" / f"{PROBLEM}.py"
    assert lean(["check", PROBLEM], workdir, env) == full(["check", PROBLEM], workdir, env)  # missing: exit 2
    target.parent.mkdir(parents=True)
    target.write_text(SOLUTIONS["pass"])
    full(["check", PROBLEM], workdir, env)  # a new PATTERNLIFT_WORKSPACE: this one writes the snapshot
    status, imported = lean_imports(["check", PROBLEM], workdir, env)
    assert (status, imported) == (0, [])
    assert lean(["check", PROBLEM], workdir, env) == full(["check", PROBLEM], workdir, env)


def test_every_problems_judged_slice_judges_as_its_model(home: Path) -> None:
    """The lean path's problem (content/judged.py) is the validated model's, field for field and
    case for case, for the whole packaged course."""
    from patternlift_cli.config import get_settings
    from patternlift_cli.content import cache
    from patternlift_cli.content.judged import CASE_FIELDS
    from patternlift_cli.content.loader import PATTERNS_ROOT, load_curriculum
    from patternlift_cli.practice.cases import prepare, signature_of

    curriculum = load_curriculum()
    key = cache.content_key(PATTERNS_ROOT)
    cache.store(PATTERNS_ROOT, key, curriculum)
    fields = ("id", "pattern", "title", "level", "kind", "compare", "time_limit_seconds")
    for problem in curriculum.problems.values():
        judged = cache.load_judged(PATTERNS_ROOT, key, problem.id, get_settings().cache_dir)
        assert judged is not None, problem.id
        assert [getattr(judged, name) for name in fields] == [getattr(problem, name) for name in fields]
        assert signature_of(judged) == signature_of(problem)
        # What `prepare` reads of each case, for every case; `prepare` itself where it is cheap
        # (cases written as Python expressions build inputs of up to 10^5 elements).
        assert [tuple(getattr(case, name) for name in CASE_FIELDS) for case in judged.cases] == [
            tuple(getattr(case, name) for name in CASE_FIELDS) for case in problem.cases], problem.id
        if not any(case.args_py or case.expected_py for case in problem.cases):
            assert prepare(judged) == prepare(problem), problem.id

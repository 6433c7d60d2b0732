"""The practice file: a failed write leaves no truncated starter, and an empty file gets one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from patternlift_cli.content.loader import get_problem
from patternlift_cli.practice.workspace import starter_code, workspace_file, write_starter

PROBLEM_ID = "two-pointers-1-pair-with-target-sum"

# The kernel refuses writes past RLIMIT_FSIZE with EFBIG, as a full disk refuses with ENOSPC.
FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (40, 40))
from patternlift_cli.content.loader import get_problem
from patternlift_cli.errors import StorageError
from patternlift_cli.practice.workspace import write_starter
try:
    write_starter(get_problem(sys.argv[1]))
except StorageError as error:
    print("refused:", error.message)
"""


def test_a_write_that_fails_midway_leaves_no_file_and_the_next_one_writes_the_starter(home: Path) -> None:
    problem = get_problem(PROBLEM_ID)
    result = subprocess.run([sys.executable, "-c", FULL_DISK, PROBLEM_ID], capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("refused: Cannot write the practice file"), result.stderr
    path = workspace_file(problem)
    assert not path.exists()
    assert list(path.parent.iterdir()) == []  # no temporary file left behind
    assert write_starter(problem).read_text() == starter_code(problem)


def test_an_empty_file_gets_the_starter_and_real_work_stays(home: Path) -> None:
    problem = get_problem(PROBLEM_ID)
    path = workspace_file(problem)
    path.parent.mkdir(parents=True)
    path.write_text("")
    write_starter(problem)
    assert path.read_text() == starter_code(problem)
    path.write_text("# my work\n")
    write_starter(problem)
    assert path.read_text() == "# my work\n"

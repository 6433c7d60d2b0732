"""The curriculum cache: warm runs skip YAML, any edit is seen, damage is rebuilt, `check` reads one file.

Each run is a fresh process (the CLI's life), over the mini course as an author's preview
(PATTERNLIFT_CONTENT_DIR), with PATTERNLIFT_HOME holding the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from patternlift_cli.content import loader
from patternlift_cli.errors import ContentError, UsageError
from tests.mini_course import write_mini_course

PROBE = """
import json, sys
from patternlift_cli.content import loader
curriculum = loader.load_curriculum()
print(json.dumps({
    "titles": {pid: p.title for pid, p in sorted(curriculum.problems.items())},
    "patterns": [p.name for p in curriculum.ordered()],
    "yaml_imported": "yaml" in sys.modules,
}))
"""
PROBLEM_PROBE = """
import json, sys
from patternlift_cli.content import loader
problem = loader.get_problem(sys.argv[1])
print(json.dumps({"title": problem.title, "cases": len(problem.cases), "yaml_imported": "yaml" in sys.modules}))
"""


@pytest.fixture
def preview(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = write_mini_course(tmp_path / "course")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATTERNLIFT_")}
    env.update({"PATTERNLIFT_HOME": str(tmp_path / "home"), "PATTERNLIFT_CONTENT_DIR": str(root)})
    return root, env


def _run(env: dict[str, str], code: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _cache_files(env: dict[str, str]) -> list[Path]:
    folder = Path(env["PATTERNLIFT_HOME"]) / "cache"
    return sorted(folder.iterdir()) if folder.exists() else []


def _rewrite(path: Path, old: str, new: str) -> None:
    """Edit a file and move its mtime on, as an editor saving a second later would."""
    info = path.stat()
    path.write_text(path.read_text().replace(old, new, 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_a_warm_run_reads_the_cache_and_no_yaml(preview) -> None:
    _, env = preview
    cold = _run(env, PROBE)
    assert cold["yaml_imported"] is True
    [cache_file] = _cache_files(env)
    warm = _run(env, PROBE)
    assert warm == {**cold, "yaml_imported": False}
    assert _cache_files(env) == [cache_file]


def test_an_edited_file_is_seen_on_the_next_run(preview) -> None:
    root, env = preview
    _run(env, PROBE)
    _rewrite(root / "hashing" / "problems" / "hashing-2-b.yaml", "title: hashing-2-b", "title: Renamed By The Author")
    after = _run(env, PROBE)
    assert after["titles"]["hashing-2-b"] == "Renamed By The Author"
    assert after["yaml_imported"] is True  # the key missed, so the course was parsed again
    assert _run(env, PROBE) == {**after, "yaml_imported": False}


def test_a_new_problem_file_and_a_removed_one_are_seen(preview) -> None:
    root, env = preview
    _run(env, PROBE)
    problems = root / "two-pointers" / "problems"
    text = (problems / "two-pointers-2-b.yaml").read_text().replace("two-pointers-2-b", "two-pointers-2-z")
    (problems / "two-pointers-2-z.yaml").write_text(text)
    assert "two-pointers-2-z" in _run(env, PROBE)["titles"]
    (problems / "two-pointers-2-z.yaml").unlink()
    assert "two-pointers-2-z" not in _run(env, PROBE)["titles"]


@pytest.mark.parametrize(
    "damage",
    [b"", b"garbage\n\x00\xff", "truncated", "body_changed"],
    ids=["empty", "garbage", "truncated", "body-changed"],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(preview, damage) -> None:
    _, env = preview
    good = _run(env, PROBE)
    [cache_file] = _cache_files(env)
    original = cache_file.read_bytes()
    if damage == "truncated":
        cache_file.write_bytes(original[: len(original) // 2])
    elif damage == "body_changed":  # same key, but the JSON no longer parses or validates
        cache_file.write_bytes(original[:-40] + b"}" * 40)
    else:
        cache_file.write_bytes(damage)
    assert _run(env, PROBE) == {**good, "yaml_imported": True}
    assert cache_file.read_bytes() == original  # rebuilt whole
    assert _run(env, PROBE)["yaml_imported"] is False


def test_an_unwritable_cache_folder_only_costs_speed(preview) -> None:
    _, env = preview
    Path(env["PATTERNLIFT_HOME"]).mkdir(parents=True)
    (Path(env["PATTERNLIFT_HOME"]) / "cache").write_text("a file where the cache folder should be")
    first = _run(env, PROBE)
    assert _run(env, PROBE) == first and first["yaml_imported"] is True


def test_concurrent_cold_runs_leave_one_whole_cache(preview) -> None:
    _, env = preview
    runs = [
        subprocess.Popen([sys.executable, "-c", PROBE], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outputs]
    seen = [json.loads(out) for out, _ in outputs]
    assert all({**one, "yaml_imported": None} == {**seen[0], "yaml_imported": None} for one in seen)
    [cache_file] = _cache_files(env)  # one whole file, no temporary one left behind
    assert not cache_file.name.startswith(".")
    assert _run(env, PROBE) == {**seen[0], "yaml_imported": False}


def test_check_cold_parses_only_its_problem(preview) -> None:
    root, env = preview
    # Another pattern's file is broken: the whole course cannot load ...
    (root / "two-pointers" / "problems" / "two-pointers-1-a.yaml").write_text("title: [unclosed\n")
    failed = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert "ContentError: two-pointers/problems/two-pointers-1-a.yaml: line 2: not valid YAML" in failed.stderr
    # ... yet judging a hashing problem needs only that problem's file.
    assert _run(env, PROBLEM_PROBE, "hashing-2-b") == {"title": "hashing-2-b", "cases": 10, "yaml_imported": True}
    assert _cache_files(env) == []


def test_check_warm_reads_its_problem_from_the_cache(preview) -> None:
    root, env = preview
    _run(env, PROBE)
    assert _run(env, PROBLEM_PROBE, "two-pointers-3-c") == {"title": "two-pointers-3-c", "cases": 10, "yaml_imported": False}
    _rewrite(root / "two-pointers" / "problems" / "two-pointers-3-c.yaml", "title: two-pointers-3-c", "title: Edited")
    assert _run(env, PROBLEM_PROBE, "two-pointers-3-c")["title"] == "Edited"


def test_unknown_problem_suggests_the_closest(mini_course: Path) -> None:
    with pytest.raises(UsageError, match="Unknown problem 'hashing-2-bb'") as raised:
        loader.get_problem("hashing-2-bb")
    assert "hashing-2-b" in str(raised.value)
    with pytest.raises(UsageError, match="Unknown problem"):
        loader.get_problem("../hashing/problems/hashing-2-b")


def test_yaml_that_json_cannot_carry_is_not_cached_wrong(preview) -> None:
    root, env = preview
    problem = root / "hashing" / "problems" / "hashing-1-a.yaml"
    problem.write_text(problem.read_text().replace("expected: 0\n", "expected: 2024-01-01\n", 1))
    code = PROBE + "\nprint(repr(loader.get_problem('hashing-1-a').cases[0].expected))"
    for _ in range(2):
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "datetime.date(2024, 1, 1)"
    assert _cache_files(env) == []  # a date would come back from JSON as a string


def test_lesson_that_is_not_utf8_names_the_file(mini_course: Path) -> None:
    lesson = mini_course / "hashing" / "lesson.md"
    lesson.write_bytes(lesson.read_bytes() + "\n## Extra\ncaf\u00e9\n".encode("latin-1"))
    with pytest.raises(ContentError, match=r"^hashing/lesson.md: line \d+: not UTF-8 text \(byte 0xe9\)") as raised:
        loader.load_curriculum(mini_course)
    assert raised.value.exit_code == 6


def test_a_symlinked_pattern_folder_is_watched_too(preview, tmp_path: Path) -> None:
    root, env = preview
    elsewhere = tmp_path / "drafts" / "hashing"
    elsewhere.parent.mkdir()
    (root / "hashing").rename(elsewhere)
    (root / "hashing").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "loop").symlink_to(elsewhere, target_is_directory=True)  # must not walk forever
    _run(env, PROBE)
    _rewrite(elsewhere / "problems" / "hashing-3-c.yaml", "title: hashing-3-c", "title: Edited Through A Link")
    assert _run(env, PROBE)["titles"]["hashing-3-c"] == "Edited Through A Link"

"""The course outline `patterns` reads: the same as the whole course, fresh after any edit, rebuilt
when damaged, and read without the content models or YAML once it is there.

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

from tests.mini_course import write_mini_course

OUTLINE_PROBE = """
import json, sys
from patternlift_cli.content import loader
outline = loader.course_outline()
print(json.dumps({
    "patterns": [[p.id, p.name, p.order, list(p.prerequisites)] for p in outline.patterns],
    "planned": [[entry.id, entry.name] for entry in outline.planned],
    "models_imported": "patternlift_cli.content.models" in sys.modules,
    "yaml_imported": "yaml" in sys.modules,
}))
"""
COURSE_PROBE = """
import json
from patternlift_cli.content import loader
curriculum = loader.load_curriculum()
print(json.dumps({
    "patterns": [[p.id, p.name, p.order, list(p.prerequisites)] for p in curriculum.ordered()],
    "planned": [[entry.id, entry.name] for entry in curriculum.planned()],
}))
"""


@pytest.fixture
def preview(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = write_mini_course(tmp_path / "course")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATTERNLIFT_")}
    env.update({"PATTERNLIFT_HOME": str(tmp_path / "home"), "PATTERNLIFT_CONTENT_DIR": str(root)})
    return root, env


def _run(env: dict[str, str], code: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _outline_file(env: dict[str, str]) -> Path:
    [found] = sorted((Path(env["PATTERNLIFT_HOME"]) / "cache").glob("*.outline"))
    return found


def _rewrite(path: Path, old: str, new: str) -> None:
    """Edit a file and move its mtime on, as an editor saving a second later would."""
    info = path.stat()
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def _shown(outline: dict) -> dict:
    return {"patterns": outline["patterns"], "planned": outline["planned"]}


def test_the_outline_is_the_course_and_a_warm_one_needs_no_models_or_yaml(preview) -> None:
    _, env = preview
    course = _run(env, COURSE_PROBE)
    assert course["planned"] == [["prefix-sum", "Prefix Sum"]]
    cold = _run(env, OUTLINE_PROBE)
    assert _shown(cold) == course
    warm = _run(env, OUTLINE_PROBE)
    assert _shown(warm) == course
    assert warm["models_imported"] is False and warm["yaml_imported"] is False


def test_an_edited_name_order_or_prerequisite_is_seen_on_the_next_run(preview) -> None:
    root, env = preview
    _run(env, OUTLINE_PROBE)
    _rewrite(root / "two-pointers" / "pattern.yaml", "name: Two Pointers", "name: Pointers From Both Ends")
    _rewrite(root / "two-pointers" / "pattern.yaml", "prerequisites:\n- hashing", "prerequisites: []")
    after = _run(env, OUTLINE_PROBE)
    assert _shown(after) == _run(env, COURSE_PROBE)
    assert ["two-pointers", "Pointers From Both Ends", 3, []] in after["patterns"]


@pytest.mark.parametrize("damage", [b"", b"garbage\n\x00\xff", "truncated", "other_key"])
def test_a_damaged_outline_is_ignored_and_rebuilt(preview, damage) -> None:
    _, env = preview
    good = _shown(_run(env, OUTLINE_PROBE))
    outline = _outline_file(env)
    original = outline.read_bytes()
    if damage == "truncated":
        outline.write_bytes(original[: len(original) // 2])
    elif damage == "other_key":  # a well-formed outline written for other content
        magic, _, rest = original.partition(b" ")
        outline.write_bytes(magic + b" " + b"0" * 64 + rest[64:])
    else:
        outline.write_bytes(damage)
    assert _shown(_run(env, OUTLINE_PROBE)) == good
    assert outline.read_bytes() == original  # rebuilt whole


def test_patterns_lists_an_edited_course_as_the_author_left_it(preview, tmp_path: Path) -> None:
    """The command a learner types: the renamed pattern and the planned entry, from a warm cache."""
    root, env = preview
    script = Path(sys.executable).with_name("patternlift")
    env = {**env, "NO_COLOR": "1", "COLUMNS": "120"}

    def patterns() -> str:
        result = subprocess.run([str(script), "patterns"], check=False, env=env, capture_output=True, text=True, timeout=60,
                                cwd=tmp_path, stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stderr
        return result.stdout

    login = subprocess.run([str(script), "login", "--email", "outline@example.com"], check=False, env=env, capture_output=True,
                           text=True, timeout=60, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert login.returncode == 0, login.stderr
    first = patterns()
    assert "Two Pointers" in first and "Coming later in the course: Prefix Sum." in first
    assert patterns() == first  # warm: the same screen
    _rewrite(root / "two-pointers" / "pattern.yaml", "name: Two Pointers", "name: Pointers From Both Ends")
    edited = patterns()
    assert "Pointers From Both Ends" in edited and "Two Pointers" not in edited

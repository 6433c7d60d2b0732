"""The learner's practice files: `<workspace>/<pattern>/<problem-id>.py`.

The workspace folder is `PATTERNLIFT_WORKSPACE`, by default `workspace/` in PatternLift's data
folder (under `PATTERNLIFT_HOME` when that is set).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def workspace_file(problem: Any, folder: Path | None = None) -> Path:
    """The problem's practice file in `folder`, by default the workspace the settings name."""
    return (folder if folder is not None else _workspace_dir()) / problem.pattern / f"{problem.id}.py"


def _workspace_dir() -> Path:
    # Imported here: the lean `check` path passes the folder from its settings snapshot.
    from patternlift_cli.config import get_settings

    return get_settings().workspace_dir


def review_file(problem: Any) -> Path:
    """The review's own file: a review is solved again from scratch, beside the practice file."""
    regular = workspace_file(problem)
    return regular.parent / "review" / regular.name


def starter_code(problem: Any) -> str:
    header = f"# {problem.title} ({problem.pattern}, {problem.level_label})\n"
    header += "# Run `patternlift check " + problem.id + "` or use [r]un in `patternlift learn`.\n"
    header += "# LeetCode's usual imports (List, Optional, deque, heapq, ...) and ListNode/TreeNode exist.\n\n"
    signature = problem.signature
    if problem.kind == "design":
        methods = "".join(
            f"\n    def {name}(self, *args):\n        pass\n" for name in (signature.methods or [])
        )
        return header + f"class {signature.class_name}:\n    def __init__(self, *args):\n        pass\n{methods}"
    params = ", ".join(f"{param.name}: {param.type}" for param in signature.params)
    returns = f" -> {signature.returns}" if signature.returns else ""
    import textwrap

    body = textwrap.indent("pass\n", " " * 8)
    return header + f"class Solution:\n    def {signature.method}(self, {params}){returns}:\n{body}"


def write_starter(problem: Any, *, overwrite: bool = False) -> Path:
    """Create the problem's file with starter code; an existing file (the learner's work) stays.

    Written to a temporary file and renamed into place, so a full disk leaves either no file or
    the whole starter, never a truncated one; an empty file (left by an older version or a
    crash) counts as missing and gets the starter.
    """
    path = workspace_file(problem)
    try:
        if not overwrite and _has_work(path):
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, starter_code(problem))
    except OSError as error:
        from patternlift_cli.errors import StorageError

        raise StorageError(
            f"Cannot write the practice file {path}: {error.strerror or error}.",
            hint=f"Point PATTERNLIFT_WORKSPACE at a folder you can write (now {_workspace_dir()}).",
        ) from error
    return path


def _has_work(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def _write_atomically(path: Path, text: str) -> None:
    import os
    import tempfile

    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise

"""The learner's practice files: `<workspace>/<pattern>/<problem-id>.py`.

The workspace folder is `PATTERNLIFT_WORKSPACE`, by default `workspace/` in PatternLift's data
folder (under `PATTERNLIFT_HOME` when that is set).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from patternlift_cli.config import get_settings


def workspace_file(problem: Any) -> Path:
    return get_settings().workspace_dir / problem.pattern / f"{problem.id}.py"


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
    body = textwrap.indent("pass\n", " " * 8)
    return header + f"class Solution:\n    def {signature.method}(self, {params}){returns}:\n{body}"


def write_starter(problem: Any, *, overwrite: bool = False) -> Path:
    """Create the problem's file with starter code; an existing file (the learner's work) stays."""
    path = workspace_file(problem)
    if path.exists() and not overwrite:
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(starter_code(problem), encoding="utf-8")
    except OSError as error:
        from patternlift_cli.errors import StorageError

        raise StorageError(
            f"Cannot write the practice file {path}: {error.strerror or error}.",
            hint=f"Point PATTERNLIFT_WORKSPACE at a folder you can write (now {get_settings().workspace_dir}).",
        ) from error
    return path

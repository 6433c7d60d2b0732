"""Loads and validates the packaged curriculum; a broken file is one error naming file and field."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from patternlift_cli.content import cache
from patternlift_cli.errors import ContentError, UsageError

if TYPE_CHECKING:
    from patternlift_cli.content.models import Lesson, Pattern, Problem
    from patternlift_cli.content.outline import CourseOutline

# The content models are imported where a course is parsed or validated: the course outline
# (`course_outline`, what `patterns` shows) is read without them.

PATTERNS_ROOT = cache.PACKAGED_ROOT
COURSE_FILE = "course.yaml"


@dataclass(frozen=True)
class CoursePattern:
    id: str
    name: str


@dataclass(frozen=True)
class Curriculum:
    patterns: dict[str, Pattern]
    problems: dict[str, Problem]
    course: tuple[CoursePattern, ...] = ()

    def planned(self) -> list[CoursePattern]:
        """Course patterns whose content is not written yet, in course order."""
        return [entry for entry in self.course if entry.id not in self.patterns]

    def ordered(self) -> list[Pattern]:
        return sorted(self.patterns.values(), key=lambda pattern: (pattern.order, pattern.id))


def _location(path: Path) -> str:
    """`<pattern-id>/<file>`: the name an author finds the file by, wherever the root is."""
    for folder in path.parents:
        if (folder / "pattern.yaml").exists():
            return str(path.relative_to(folder.parent))
    return str(path)


def _field_path(location: tuple[Any, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("multiple_choice", "short_answer", "recognition", "variant", "function-after"):
            continue  # the discriminator's branch name, not a field the author wrote
        else:
            text += f".{part}" if text else str(part)
    return text or "(file)"


def _parse_yaml(text: str) -> Any:
    # Imported here: with the curriculum cached, most commands never parse YAML at all.
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _read_text(path: Path) -> str:
    """A content file's text; a missing, unreadable or non-UTF-8 file is one error naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ContentError(f"{_location(path)}: file missing") from error
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise ContentError(
            f"{_location(path)}: line {line}: not UTF-8 text (byte 0x{error.object[error.start]:02x}); save it as UTF-8"
        ) from error
    except OSError as error:
        raise ContentError(f"{_location(path)}: cannot be read ({error.strerror or error})") from error


def _read_yaml(path: Path) -> Any:
    import yaml

    text = _read_text(path)
    try:
        return _parse_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark else ""
        raise ContentError(f"{_location(path)}:{where} not valid YAML ({getattr(error, 'problem', error)})") from error


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        raise ContentError(f"{_location(path)}: {_field_path(first['loc'])}: {message}") from error


def parse_lesson(path: Path) -> Lesson:
    from patternlift_cli.content.models import LESSON_SECTIONS, Lesson

    markdown = _read_text(path)
    title_match = re.search(r"^# (.+)$", markdown, re.MULTILINE)
    if not title_match:
        raise ContentError(f"{_location(path)}: title: the lesson needs a '# Title' line")
    sections: dict[str, str] = {}
    for match in re.finditer(r"^## (.+?)\s*$\n(.*?)(?=^## |\Z)", markdown, re.MULTILINE | re.DOTALL):
        sections[match.group(1).strip()] = match.group(2).strip()
    for name in LESSON_SECTIONS:
        if not sections.get(name):
            raise ContentError(f"{_location(path)}: section '## {name}' is missing or empty")
    if "```python" not in sections["Template"]:
        raise ContentError(f"{_location(path)}: section '## Template' needs a ```python code block")
    return Lesson(title=title_match.group(1).strip(), sections=sections, markdown=markdown)


def _content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_problem_file(path: Path, pattern_id: str) -> Problem:
    from patternlift_cli.content.models import Problem

    problem: Problem = _validate(Problem, _read_yaml(path), path)
    if problem.id != path.stem:
        raise ContentError(f"{_location(path)}: id: '{problem.id}' differs from its file name")
    if problem.pattern != pattern_id:
        raise ContentError(f"{_location(path)}: pattern: '{problem.pattern}' but the file is in '{pattern_id}'")
    return problem


def load_pattern_folder(folder: Path) -> Pattern:
    from patternlift_cli.content.models import (
        Mastery,
        Pattern,
        PatternMeta,
        QuestionFile,
    )

    meta: PatternMeta = _validate(PatternMeta, _read_yaml(folder / "pattern.yaml"), folder / "pattern.yaml")
    if meta.id != folder.name:
        raise ContentError(f"{_location(folder / 'pattern.yaml')}: id: '{meta.id}' differs from its folder '{folder.name}'")
    questions: QuestionFile = _validate(QuestionFile, _read_yaml(folder / "questions.yaml"), folder / "questions.yaml")
    mastery: Mastery = _validate(Mastery, _read_yaml(folder / "mastery.yaml"), folder / "mastery.yaml")
    problems = [load_problem_file(path, meta.id) for path in sorted((folder / "problems").glob("*.yaml"))]
    levels = {problem.level for problem in problems}
    for level in (1, 2, 3):
        if level not in levels:
            raise ContentError(f"{meta.id}/problems: no practice problem at level {level}")
    by_id = {problem.id: problem for problem in problems}
    for index, problem_id in enumerate(mastery.problems):
        if by_id.get(problem_id) is None or by_id[problem_id].level != "mastery":
            raise ContentError(
                f"{meta.id}/mastery.yaml: problems[{index}]: '{problem_id}' is not a mastery-level problem of this pattern"
            )
    ids = [question.id for question in questions.questions] + [q.id for q in mastery.recognition]
    duplicates = sorted({qid for qid in ids if ids.count(qid) > 1})
    if duplicates:
        raise ContentError(f"{meta.id}/questions.yaml: id: '{duplicates[0]}' is used twice")
    return Pattern(
        **meta.model_dump(),
        lesson=parse_lesson(folder / "lesson.md"),
        questions=questions.fixed,
        variants=questions.variants,
        mastery=mastery,
        problems=sorted(problems, key=lambda p: (p.level == "mastery", str(p.level), p.id)),
        content_hash=_content_hash(folder),
    )


def load_course(root: Path) -> tuple[CoursePattern, ...]:
    """The course outline; without one, the pattern folders found are the whole course."""
    path = root / COURSE_FILE
    if not path.exists():
        return ()
    import yaml

    text = _read_text(path)
    try:
        data = _parse_yaml(text)
    except yaml.YAMLError as exc:
        raise ContentError(f"{COURSE_FILE}: not valid YAML ({exc})") from exc
    if not isinstance(data, list):
        raise ContentError(f"{COURSE_FILE}: expected a list of {{id, name}} entries")
    course: list[CoursePattern] = []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not isinstance(entry.get("name"), str):
            raise ContentError(f"{COURSE_FILE}: [{index}]: needs an 'id' and a 'name'")
        course.append(CoursePattern(id=entry["id"], name=entry["name"]))
    ids = [entry.id for entry in course]
    duplicates = sorted({pid for pid in ids if ids.count(pid) > 1})
    if duplicates:
        raise ContentError(f"{COURSE_FILE}: id: '{duplicates[0]}' is listed twice")
    return tuple(course)


def _check_references(patterns: dict[str, Pattern], course: tuple[CoursePattern, ...]) -> None:
    from patternlift_cli.content.models import Recognition

    known = {entry.id for entry in course} or set(patterns)
    for pattern in patterns.values():
        if pattern.id not in known:
            raise ContentError(f"{pattern.id}/pattern.yaml: id: '{pattern.id}' is not listed in {COURSE_FILE}")
        position = {entry.id: index for index, entry in enumerate(course, start=1)}.get(pattern.id)
        if position is not None and pattern.order != position:
            raise ContentError(
                f"{pattern.id}/pattern.yaml: order: is {pattern.order} but {COURSE_FILE} puts it at {position}"
            )
        for index, prerequisite in enumerate(pattern.prerequisites):
            if prerequisite not in known:
                raise ContentError(f"{pattern.id}/pattern.yaml: prerequisites[{index}]: unknown pattern '{prerequisite}'")
        recognition = [
            (f"{pattern.id}/questions.yaml", q) for q in pattern.questions if isinstance(q, Recognition)
        ] + [(f"{pattern.id}/mastery.yaml", q) for q in pattern.mastery.recognition]
        for file, question in recognition:
            for choice in question.choices:
                if choice not in known:
                    raise ContentError(f"{file}: {question.id}.choices: unknown pattern '{choice}'")


def content_root() -> Path:
    """The packaged curriculum's folder, or the one PATTERNLIFT_CONTENT_DIR names (authors' preview)."""
    from patternlift_cli.config import get_settings

    preview = get_settings().content_dir
    return PATTERNS_ROOT if preview is None else preview.resolve()


def load_curriculum(root: Path | None = None) -> Curriculum:
    """The curriculum in use (cached on disk and in the process), or the one at `root`, parsed afresh."""
    if root is not None:
        return _load(root)
    chosen = content_root()
    if chosen == PATTERNS_ROOT:
        return _packaged_curriculum()
    return _preview_curriculum(chosen)


def _load(root: Path) -> Curriculum:
    patterns: dict[str, Pattern] = {}
    problems: dict[str, Problem] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and (p / "pattern.yaml").exists()):
        pattern = load_pattern_folder(folder)
        patterns[pattern.id] = pattern
        for problem in pattern.problems:
            if problem.id in problems:
                raise ContentError(f"{pattern.id}/problems/{problem.id}.yaml: id: used by another pattern too")
            problems[problem.id] = problem
    course = load_course(root)
    _check_references(patterns, course)
    return Curriculum(patterns=patterns, problems=problems, course=course)


def _content_key(root: Path) -> bytes | None:
    try:
        return cache.content_key(root)
    except OSError:  # an unreadable folder: no cache, and the loader names what is wrong
        return None


def _cached_load(root: Path) -> Curriculum:
    key = _content_key(root)  # taken before reading, so an edit made meanwhile misses next time
    if key is not None:
        cached = cache.load(root, key)
        if cached is not None:
            return cached
    curriculum = _load(root)
    if key is not None:
        cache.store(root, key, curriculum)
    return curriculum


# Within one process the curriculum is read once; across processes the disk cache's key decides.
@lru_cache(maxsize=1)
def _packaged_curriculum() -> Curriculum:
    return _cached_load(PATTERNS_ROOT)


@lru_cache(maxsize=4)
def _preview_curriculum(root: Path) -> Curriculum:
    if not root.is_dir():
        raise ContentError(f"PATTERNLIFT_CONTENT_DIR: '{root}' is not a folder")
    return _cached_load(root)


def warm_cache() -> None:
    """Build the disk cache of the curriculum in use when it is missing or stale, so that the
    next `check` takes the lean path (which reads only the cache). A course that does not load
    is left as it is: a lone problem is still read from its own file."""
    root = content_root()
    key = _content_key(root) if root.is_dir() else None
    if key is None or cache.is_current(root, key) or not cache.writable():
        return  # a cache that cannot be written would have every check parse the whole course
    try:
        load_curriculum()
    except ContentError:
        pass


def list_patterns() -> list[Pattern]:
    return load_curriculum().ordered()


def course_outline() -> CourseOutline:
    """Each pattern's id, name, order and prerequisites in course order, and the planned entries:
    what the course overview shows, read without the rest of the course (content/outline.py)."""
    return _outline(content_root())


@lru_cache(maxsize=4)
def _outline(root: Path) -> CourseOutline:
    from patternlift_cli.content import outline

    key = _content_key(root)  # taken before reading, as for the curriculum cache
    found = outline.load(root, key) if key is not None else None
    if found is None:
        found = outline.of(load_curriculum())  # parse errors are reported as for any command
        if key is not None:
            outline.store(root, key, found)
    return found


def get_pattern(pattern_id: str) -> Pattern:
    curriculum = load_curriculum()
    wanted = pattern_id.strip().lower()
    pattern = curriculum.patterns.get(wanted)
    if pattern is None:
        from patternlift_cli.content.pattern_ids import refuse

        refuse(pattern_id, {entry.id: entry.name for entry in curriculum.planned()}, list(curriculum.patterns))
    return pattern


def _lone_problem(root: Path, problem_id: str) -> Problem | None:
    """One problem without the rest of the course: its slice of the cache, else its own file.

    A problem id starts with its pattern's id, so the file is found from the name alone.
    """
    from patternlift_cli.content.models import KEBAB

    if not re.fullmatch(KEBAB, problem_id) or not root.is_dir():
        return None
    key = _content_key(root)
    if key is not None:
        cached = cache.load_problem(root, key, problem_id)
        if cached is not None:
            return cached
    for index in (i for i, char in enumerate(problem_id) if char == "-"):
        folder = root / problem_id[:index]
        path = folder / "problems" / f"{problem_id}.yaml"
        if path.is_file() and (folder / "pattern.yaml").is_file():
            return load_problem_file(path, folder.name)
    return None


def get_problem(problem_id: str) -> Problem:
    wanted = problem_id.strip()
    problem = _lone_problem(content_root(), wanted)
    if problem is not None:
        return problem
    curriculum = load_curriculum()  # for the closest names
    problem = curriculum.problems.get(wanted)
    if problem is None:
        close = difflib.get_close_matches(problem_id, list(curriculum.problems), n=3, cutoff=0.5)
        hint = f"Did you mean {' or '.join(repr(c) for c in close)}?" if close else "Run `patternlift problems` to list them."
        raise UsageError(f"Unknown problem '{problem_id}'.", hint=hint)
    return problem

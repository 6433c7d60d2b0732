"""The validated curriculum, cached on disk so a command does not re-parse 169 YAML files.

One file per content root in the user's cache directory::

    PLC3 <key>\\n
    {"course": [...], "patterns": {id: [offset, length, [problem ids]]}, "problems": {id: [offset, length]},
     "judged": {id: [offset, length, sha256]}}\\n
    <each pattern's JSON without its problems, each problem's JSON, and each problem's judged
     slice (content/judged.py), at those offsets>

The key is a digest of the package version, the cache format, the content root's path, and
the path, size and mtime of every file under it (and of the modules that define the content's
shape), so an edited lesson, a new problem or an upgrade all miss. Nothing is trusted before
the key matches, and what is read is validated again by the same pydantic models (a measured
~13 ms for the whole course, faster in a fresh process than unpickling it), so a damaged or
foreign file can only miss. Each problem has its own slice so `check` can read just one. The
lean `check` path reads the judged slice instead, without pydantic (content/judged.py): its
sha256 in the header stands in for the validation, so a damaged slice is a miss too.

Writers write a temporary file beside the cache and `os.replace` it: a reader sees the old
file or the new one, never half of either. Any error reading or writing the cache is a miss.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from patternlift_cli import __version__

if TYPE_CHECKING:
    from patternlift_cli.content.judged import JudgedProblem
    from patternlift_cli.content.loader import Curriculum
    from patternlift_cli.content.models import Problem

MAGIC = b"PLC3"
# The modules whose code decides what a valid course is: editing them (a new validator, a new
# field) must invalidate caches built by the old code even when the version did not change.
_SHAPE_MODULES = ("models.py", "loader.py", "cache.py", "judged.py")
try:  # CPython's own SHA-256: the same digests as hashlib's, without loading OpenSSL (~2 ms of a lean check)
    from _sha256 import sha256
except ImportError:  # another interpreter, or Python 3.12+ (_sha2)
    try:
        from _sha2 import sha256  # type: ignore[no-redef]
    except ImportError:
        from hashlib import sha256  # type: ignore[no-redef]
# The packaged curriculum (content.loader.PATTERNS_ROOT is this folder).
PACKAGED_ROOT = Path(__file__).with_name("patterns")


def cache_dir() -> Path:
    from patternlift_cli.config import get_settings

    return get_settings().cache_dir


def cache_file(root: Path, folder: Path | None = None) -> Path:
    """The cache of `root` in `folder`, by default the cache folder the settings name."""
    name = sha256(str(root).encode()).hexdigest()[:16]
    return (folder if folder is not None else cache_dir()) / f"curriculum-{name}.cache"


def content_key(root: Path) -> bytes:
    """A digest of everything the cached course was built from."""
    digest = sha256(f"{__version__}\0{MAGIC.decode()}\0{root}\0".encode())
    here = Path(__file__).parent
    for name in _SHAPE_MODULES:
        _add_stat(digest, name, here / name)
    stack = [root]
    seen: set[tuple[int, int]] = set()  # symlinked folders are followed, as the loader does, once
    entries: list[tuple[str, int, int]] = []
    while stack:
        folder = stack.pop()
        info = folder.stat()
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.is_dir(follow_symlinks=True):
                    stack.append(Path(entry.path))
                else:
                    info = entry.stat()
                    entries.append((entry.path, info.st_size, info.st_mtime_ns))
    for path, size, mtime in sorted(entries):
        digest.update(f"{path}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest().encode()


def _add_stat(digest: Any, name: str, path: Path) -> None:
    try:
        info = path.stat()
        digest.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    except OSError:
        digest.update(f"{name}\0missing\n".encode())


# ----- writing --------------------------------------------------------------------------------


def store(root: Path, key: bytes, curriculum: Curriculum) -> None:
    """Write the cache for `root`; a cache that cannot be written is simply not there."""
    body = bytearray()
    patterns: dict[str, list[Any]] = {}
    problems: dict[str, list[int]] = {}
    judged: dict[str, list[Any]] = {}
    for pattern in curriculum.patterns.values():
        data = pattern.model_dump(mode="json", exclude={"problems"})
        chunk = json.dumps(data, separators=(",", ":")).encode()
        patterns[pattern.id] = [len(body), len(chunk), [problem.id for problem in pattern.problems]]
        body += chunk
        for problem in pattern.problems:
            chunk = problem.model_dump_json(exclude_unset=True).encode()
            problems[problem.id] = [len(body), len(chunk)]
            body += chunk
            chunk = _judged_chunk(problem)
            if chunk is not None:
                judged[problem.id] = [len(body), len(chunk), sha256(chunk).hexdigest()]
                body += chunk
    header = {
        "course": [[entry.id, entry.name] for entry in curriculum.course],
        "patterns": patterns,
        "problems": problems,
        "judged": judged,
    }
    blob = b"%s %s\n%s\n%s" % (MAGIC, key, json.dumps(header, separators=(",", ":")).encode(), body)
    # YAML can say things JSON cannot (a date, an integer key, .nan): such a course would not
    # come back equal, so it is not cached at all rather than cached wrong.
    import io
    import tempfile  # here: the lean `check` path reads the cache and never writes it

    reader = _parse(io.BytesIO(blob), key)
    if reader is None or _read_all(reader) != curriculum:
        return
    target = cache_file(root)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=".curriculum-", delete=False)
        try:
            with handle:
                handle.write(blob)
            os.replace(handle.name, target)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
    except OSError:
        pass


def _judged_chunk(problem: Problem) -> bytes | None:
    """The problem's judged slice as JSON; None when JSON cannot hold it exactly (a date, a
    tuple...): that problem then always takes the full path."""
    from patternlift_cli.content.judged import judged_slice

    data = judged_slice(problem)
    try:
        chunk = json.dumps(data, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError):
        return None
    return chunk if json.loads(chunk) == data else None


# ----- reading --------------------------------------------------------------------------------


class _Reader:
    """A cache whose key matched; slices are parsed as they are asked for."""

    def __init__(self, handle: BinaryIO, header: dict[str, Any]) -> None:
        self.handle = handle
        self.header = header
        self.body_start = handle.tell()
        self.body: bytes | None = None

    def read_body(self) -> None:
        """Read every slice at once: one read instead of one per problem."""
        self.body = self.handle.read()

    def slice(self, offset: int, length: int) -> Any:
        if self.body is not None:
            chunk = self.body[offset : offset + length]
        else:
            self.handle.seek(self.body_start + offset)
            chunk = self.handle.read(length)
        if len(chunk) != length:
            raise ValueError("truncated cache")
        return json.loads(chunk)


def _parse(handle: BinaryIO, key: bytes) -> _Reader | None:
    try:
        if handle.readline().rstrip(b"\n") != MAGIC + b" " + key:
            return None
        return _Reader(handle, json.loads(handle.readline()))
    except Exception:
        return None


def _read_all(reader: _Reader) -> Curriculum:
    from patternlift_cli.content.loader import CoursePattern, Curriculum
    from patternlift_cli.content.models import Pattern, Problem

    reader.read_body()
    problems: dict[str, Problem] = {
        problem_id: Problem.model_validate(reader.slice(*where))
        for problem_id, where in reader.header["problems"].items()
    }
    patterns: dict[str, Pattern] = {}
    for pattern_id, (offset, length, problem_ids) in reader.header["patterns"].items():
        data = reader.slice(offset, length)
        data["problems"] = [problems[problem_id] for problem_id in problem_ids]
        patterns[pattern_id] = Pattern.model_validate(data)
    for offset, length, digest in reader.header["judged"].values():  # the lean path's slices, whole
        if sha256(reader.body[offset : offset + length]).hexdigest() != digest:  # type: ignore[index]
            raise ValueError("damaged judged slice")
    course = tuple(CoursePattern(id=entry_id, name=name) for entry_id, name in reader.header["course"])
    return Curriculum(patterns=patterns, problems=problems, course=course)


@contextmanager
def _opened(root: Path, key: bytes, folder: Path | None = None) -> Iterator[_Reader | None]:
    try:
        handle = open(cache_file(root, folder), "rb")  # noqa: SIM115 - closed below
    except OSError:
        yield None
        return
    with handle:
        yield _parse(handle, key)


def load(root: Path, key: bytes) -> Curriculum | None:
    """The cached course for `root`, or None when there is none for this key."""
    with _opened(root, key) as reader:
        if reader is None:
            return None
        try:
            return _read_all(reader)
        except Exception:  # damaged, truncated, or of another shape: rebuild
            return None


def load_problem(root: Path, key: bytes, problem_id: str) -> Problem | None:
    """One problem from the cache, reading only its slice; None on a miss."""
    from patternlift_cli.content.models import Problem

    with _opened(root, key) as reader:
        if reader is None:
            return None
        try:
            where = reader.header["problems"].get(problem_id)
            return None if where is None else Problem.model_validate(reader.slice(*where))
        except Exception:
            return None


def writable() -> bool:
    """Whether the cache folder can take a cache file (it is made if missing)."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def is_current(root: Path, key: bytes) -> bool:
    """Whether the cache of `root` is there for this key (its first line only is read)."""
    with _opened(root, key) as reader:
        return reader is not None


def load_judged(root: Path, key: bytes, problem_id: str, folder: Path) -> JudgedProblem | None:
    """One problem's judged slice from the cache in `folder`, without pydantic; None on a miss
    (no cache for this key, no slice for this problem, or a slice whose digest differs)."""
    from patternlift_cli.content.judged import from_slice

    with _opened(root, key, folder) as reader:
        if reader is None:
            return None
        try:
            where = reader.header.get("judged", {}).get(problem_id)
            if where is None:
                return None
            offset, length, digest = where
            reader.handle.seek(reader.body_start + offset)
            chunk = reader.handle.read(length)
            if len(chunk) != length or sha256(chunk).hexdigest() != digest:
                return None
            return from_slice(json.loads(chunk))
        except Exception:  # noqa: BLE001 - damaged or of another shape: the full path
            return None

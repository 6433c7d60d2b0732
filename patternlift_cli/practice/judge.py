"""The practice judge: runs a learner's file against a problem's cases in a limited process.

All cases run in one child Python process (`harness.py`), started isolated (`-I`) with limits
set before it executes anything: CPU seconds (RLIMIT_CPU, caught as "time limit exceeded on
case N"), address space (RLIMIT_AS, "memory limit exceeded") and file size (RLIMIT_FSIZE, so
output written straight to the file descriptors is capped too). A wall-clock timeout in the
parent kills the process group, so code that sleeps or blocks cannot hang the CLI either.
Results come back over a dedicated pipe as JSON lines, never by parsing the learner's output.
"""

from __future__ import annotations

import json
import math
import os
import resource
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from patternlift_cli.errors import JudgeError

HARNESS = Path(__file__).with_name("harness.py")
# The interpreter and the pre-imported modules need address space of their own.
INTERPRETER_HEADROOM_MB = 96
# Code that sleeps or blocks uses no CPU; the wall clock stops it. Generous enough that a busy
# machine does not turn a CPU-bound pass into a timeout.
WALL_CLOCK_FACTOR = 2
WALL_CLOCK_GRACE_SECONDS = 1.0


@dataclass(frozen=True)
class CaseResult:
    number: int
    status: str  # passed | failed | error | timeout | memory | not_run
    input: str | None = None
    expected: str | None = None
    actual: str | None = None
    traceback: list[str] = field(default_factory=list)
    cpu_ms: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class JudgeReport:
    problem_id: str
    verdict: str  # accepted | wrong_answer | runtime_error | time_limit | memory_limit | syntax_error | no_solution
    message: str
    cases: list[CaseResult]
    output: str = ""
    output_truncated: bool = False
    duration_seconds: float = 0.0

    @property
    def total(self) -> int:
        return len(self.cases)

    @property
    def passed_count(self) -> int:
        return sum(1 for case in self.cases if case.status == "passed")

    @property
    def all_passed(self) -> bool:
        return self.verdict == "accepted"

    @property
    def first_failure(self) -> CaseResult | None:
        return next((case for case in self.cases if case.status != "passed"), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready. Cases stay hidden as on LeetCode: only the first failure shows its data."""
        first_failure = self.first_failure
        data = asdict(self)
        data.update(
            cases=[
                asdict(case) if case is first_failure
                else {"number": case.number, "status": case.status, "cpu_ms": case.cpu_ms}
                for case in self.cases
            ],
            passed=self.passed_count,
            total=self.total,
            all_passed=self.all_passed,
            first_failure=asdict(first_failure) if first_failure else None,
        )
        return data


def _job(problem: Any, source: str, path: str, output_limit_bytes: int) -> dict[str, Any]:
    cases = []
    for case in problem.cases:
        cases.append(case.model_dump(exclude_none=True, exclude={"note"}) if hasattr(case, "model_dump") else dict(case))
    signature = problem.signature.model_dump(exclude_none=True) if hasattr(problem.signature, "model_dump") else dict(problem.signature)
    return {
        "path": path,
        "source": source,
        "kind": getattr(problem, "kind", "function"),
        "signature": signature,
        "compare": getattr(problem, "compare", "exact"),
        "cases": cases,
        "output_limit_bytes": output_limit_bytes,
    }


def _limits(cpu_seconds: float, memory_mb: int, output_bytes: int):
    cpu = max(1, math.ceil(cpu_seconds))
    memory = (memory_mb + INTERPRETER_HEADROOM_MB) * 1024 * 1024
    file_size = output_bytes * 4 + 64 * 1024

    def apply() -> None:
        os.setsid()  # its own process group, so a timeout kills everything it started
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))

    return apply


def judge_source(
    problem: Any,
    source: str,
    *,
    path: str = "solution.py",
    time_limit_seconds: float | None = None,
    memory_limit_mb: int | None = None,
    output_limit_kb: int | None = None,
) -> JudgeReport:
    from patternlift_cli.config import get_settings

    settings = get_settings()
    cpu_seconds = time_limit_seconds or getattr(problem, "time_limit_seconds", None) or settings.judge_time_limit_seconds
    memory_mb = memory_limit_mb or settings.judge_memory_limit_mb
    output_bytes = (output_limit_kb or settings.judge_output_limit_kb) * 1024
    job = json.dumps(_job(problem, source, path, output_bytes))

    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    with tempfile.TemporaryFile() as raw_output:
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", str(HARNESS), str(write_fd)],
                stdin=subprocess.PIPE,
                stdout=raw_output,
                stderr=raw_output,
                pass_fds=(write_fd,),
                preexec_fn=_limits(cpu_seconds, memory_mb, output_bytes),
                cwd=tempfile.gettempdir(),
            )
        except OSError as error:
            os.close(read_fd)
            os.close(write_fd)
            raise JudgeError(f"Could not start the judge's Python process: {error}") from error
        os.close(write_fd)
        events = _collect(process, job, read_fd, deadline=started + cpu_seconds * WALL_CLOCK_FACTOR + WALL_CLOCK_GRACE_SECONDS)
        raw_output.seek(0)
        stray = raw_output.read(output_bytes).decode("utf-8", "replace")
    return _report(problem, events, stray, output_bytes, time.monotonic() - started, cpu_seconds, process.returncode)


def judge_file(problem: Any, path: Path | str, **limits: Any) -> JudgeReport:
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        from patternlift_cli.errors import UsageError

        raise UsageError(
            f"No solution file at {path}.",
            hint=f"`patternlift learn {problem.pattern}` writes a starter there, or pass your own FILE.",
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        from patternlift_cli.errors import UsageError

        raise UsageError(f"Cannot read {path}: {error}") from error
    return judge_source(problem, source, path=str(path), **limits)


def _collect(process: subprocess.Popen, job: str, read_fd: int, deadline: float) -> list[dict[str, Any]]:
    assert process.stdin is not None
    try:
        process.stdin.write(job.encode("utf-8"))
        process.stdin.close()
    except BrokenPipeError:
        pass
    events: list[dict[str, Any]] = []
    buffer = b""
    selector = selectors.DefaultSelector()
    selector.register(read_fd, selectors.EVENT_READ)
    open_pipe = True
    try:
        while open_pipe:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _kill(process)
                events.append({"event": "limit", "kind": "wall_clock"})
                break
            for _ in selector.select(timeout=min(remaining, 0.5)):
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    open_pipe = False
                    break
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    try:
                        events.append(json.loads(line))
                    except json.JSONDecodeError:
                        continue  # learner code wrote to our pipe; ignore what is not ours
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _kill(process)
            events.append({"event": "limit", "kind": "wall_clock"})
    finally:
        selector.close()
        os.close(read_fd)
    return events


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _report(
    problem: Any,
    events: list[dict[str, Any]],
    stray_output: str,
    output_bytes: int,
    duration: float,
    cpu_seconds: float,
    returncode: int | None,
) -> JudgeReport:
    total = len(problem.cases)
    notes = [getattr(case, "note", None) for case in problem.cases]
    results: dict[int, CaseResult] = {}
    output = stray_output
    truncated = False
    verdict, message = None, None
    last_started = 1
    for event in events:
        kind = event.get("event")
        if kind == "case":
            number = event["case"]
            results[number] = CaseResult(
                number=number,
                status=event["status"],
                input=event.get("input"),
                expected=event.get("expected"),
                actual=event.get("actual"),
                traceback=event.get("traceback") or [],
                cpu_ms=event.get("cpu_ms"),
                note=notes[number - 1] if number - 1 < len(notes) else None,
            )
            last_started = number + 1
        elif kind == "syntax_error":
            verdict = "syntax_error"
            text = f": {event['text'].strip()}" if event.get("text") else ""
            message = f"syntax error on line {event.get('line')}: {event.get('message')}{text}"
        elif kind in ("load_error", "memory") and event.get("case") == 0:
            verdict = "memory_limit" if kind == "memory" else "runtime_error"
            results[1] = CaseResult(number=1, status="error", traceback=event.get("traceback") or [])
            message = "memory limit exceeded" if kind == "memory" else "your file failed before any case ran"
        elif kind == "limit":
            number = event.get("case") or last_started
            limit_kind = event.get("kind")
            if limit_kind == "memory":
                verdict, message = "memory_limit", f"memory limit exceeded on case {number}"
                results[number] = CaseResult(number=number, status="memory")
            else:
                verdict, message = "time_limit", f"time limit exceeded on case {number} ({cpu_seconds:g} s)"
                results[number] = CaseResult(number=number, status="timeout")
            output = event.get("output") or output
        elif kind == "done":
            output = (event.get("output") or "") + stray_output
            truncated = bool(event.get("dropped"))
    if verdict is None and not any(e.get("event") == "done" for e in events):
        # The child died without a word: the kernel enforced a limit (or the learner killed it).
        number = last_started
        if returncode is not None and returncode < 0 and -returncode in (signal.SIGXCPU, signal.SIGKILL):
            verdict, message = "time_limit", f"time limit exceeded on case {number} ({cpu_seconds:g} s)"
            results[number] = CaseResult(number=number, status="timeout")
        else:
            verdict, message = "memory_limit" if returncode == -signal.SIGSEGV else "runtime_error", (
                f"the program stopped on case {number} (exit status {returncode})"
            )
            results[number] = CaseResult(number=number, status="error")
    cases = [results.get(number, CaseResult(number=number, status="not_run")) for number in range(1, total + 1)]
    if verdict is None:
        failed = [case for case in cases if case.status != "passed"]
        if not failed:
            verdict, message = "accepted", f"all {total} cases passed"
        else:
            first = failed[0]
            verdict = "runtime_error" if first.status == "error" else "wrong_answer"
            what = "raised an exception" if first.status == "error" else "gave a wrong answer"
            message = f"{total - len(failed)} of {total} cases passed; case {first.number} {what}"
    if len(output) > output_bytes:
        output, truncated = output[:output_bytes], True
    return JudgeReport(
        problem_id=getattr(problem, "id", "?"),
        verdict=verdict,
        message=message or "",
        cases=cases,
        output=output,
        output_truncated=truncated,
        duration_seconds=round(duration, 3),
    )

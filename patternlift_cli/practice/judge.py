"""The practice judge: runs a learner's file on a problem's cases and decides the verdict.

The answer key never enters the learner's process. The child (`inside/driver.py`, in a bubblewrap
sandbox where one works) receives the source and then each case's arguments, one case at a time,
and reports what the solution returned; this process compares with the expected answers and
decides. Limits are watched from outside (`child.py`): CPU for the whole run, resident memory
of the whole process tree, the wall clock. docs/JUDGE.md has the threat model and protocol.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any, NamedTuple

from patternlift_cli.errors import JudgeError
from patternlift_cli.practice import cases as case_data
from patternlift_cli.practice import machine_speed, sandbox
from patternlift_cli.practice.child import ChildProcess, Stopped
from patternlift_cli.practice.compare import matches
from patternlift_cli.practice.prelude import table as prelude_table
from patternlift_cli.practice.verdicts import Outcome, finish, stop_result

# Resident memory the interpreter and the sandbox's own processes need besides the solution.
RSS_HEADROOM_MB = 48
# Address space per process: the limit, the solution thread's deep-recursion stack, malloc's slack.
ADDRESS_HEADROOM_MB = 96 + 128 + 64
MAX_PROCESSES = sandbox.MAX_SANDBOX_PROCESSES  # threads count too; a solution needs one process, two threads
FILE_BYTES = 16 * 1024 * 1024
PER_CASE_OUTPUT_BYTES = 8 * 1024
MAX_SOURCE_BYTES = 1024 * 1024
WALL_CLOCK_FACTOR = 2
WALL_CLOCK_GRACE_SECONDS = 1.0


# The judge's values are NamedTuples, not dataclasses: `dataclasses` imports `inspect` and builds
# each class at import, ~13 ms of a fresh `check` process (measured); these cost ~1 ms.
_NO_LINES: list[str] = []  # the default traceback; results are values, never changed in place


class CaseResult(NamedTuple):
    number: int
    status: str  # passed | failed | error | timeout | memory | not_run
    input: str | None = None
    expected: str | None = None
    actual: str | None = None
    traceback: list[str] = _NO_LINES
    cpu_ms: float | None = None
    note: str | None = None
    output: str = ""
    # The JSON values the comparison saw (for diagnoses): {param: value}, expected, returned.
    arguments: dict[str, Any] | None = None
    expected_value: Any = None
    actual_value: Any = None


class JudgeReport(NamedTuple):
    problem_id: str
    verdict: str  # accepted | wrong_answer | runtime_error | time_limit | memory_limit | syntax_error | no_solution
    message: str
    cases: list[CaseResult]
    output: str = ""  # what the first failing case printed, a few lines, control characters visible
    output_truncated: bool = False
    duration_seconds: float = 0.0
    cpu_seconds: float = 0.0
    isolation: str = "bwrap"  # bwrap | none
    notice: str | None = None  # said once per process when learner code is not isolated

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
        data = self._asdict()
        data.update(
            cases=[
                _shown_case(case) if case is first_failure
                else {"number": case.number, "status": case.status, "cpu_ms": case.cpu_ms}
                for case in self.cases
            ],
            passed=self.passed_count,
            total=self.total,
            all_passed=self.all_passed,
            first_failure=_shown_case(first_failure) if first_failure else None,
        )
        return data


def _shown_case(case: CaseResult) -> dict[str, Any]:
    """A failing case for --json: the values too when they are small enough to read."""
    import copy
    import json

    shown = copy.deepcopy(case._asdict())
    for key in ("arguments", "expected_value", "actual_value"):
        if len(json.dumps(shown[key], default=repr)) > 4096:
            shown[key] = None
    return shown


class JudgeSettings(NamedTuple):
    """The settings the judge reads (PATTERNLIFT_JUDGE_*): from config.Settings, or the validated
    snapshot of them that the lean `check` path uses (services.settings_snapshot)."""

    time_limit_seconds: float
    memory_limit_mb: int
    output_limit_kb: int
    sandbox: str  # auto | bwrap | none
    # This machine's slowness against the one the problems' limits were set on (machine_speed);
    # measured, not a setting, so never part of the snapshot.
    machine_speed: float = 1.0

    @classmethod
    def current(cls) -> JudgeSettings:
        from patternlift_cli.config import get_settings

        return cls.of(get_settings())

    @classmethod
    def of(cls, settings: Any) -> JudgeSettings:  # settings: config.Settings
        return cls(settings.judge_time_limit_seconds, settings.judge_memory_limit_mb,
                   settings.judge_output_limit_kb, settings.judge_sandbox,
                   machine_speed.factor(settings.cache_dir))


def _settings_limits(problem: Any, settings: JudgeSettings, time_limit_seconds: float | None, memory_limit_mb: int | None, output_limit_kb: int | None):
    authored = getattr(problem, "time_limit_seconds", None)
    if time_limit_seconds:
        cpu = time_limit_seconds
    elif authored:
        cpu = round(authored * settings.machine_speed, 2)  # set on the calibration machine
    else:
        cpu = settings.time_limit_seconds
    memory = memory_limit_mb or settings.memory_limit_mb
    output = (output_limit_kb or settings.output_limit_kb) * 1024
    return cpu, memory, output


def judge_source(
    problem: Any,
    source: str,
    *,
    path: str = "solution.py",
    time_limit_seconds: float | None = None,
    memory_limit_mb: int | None = None,
    output_limit_kb: int | None = None,
    settings: JudgeSettings | None = None,
) -> JudgeReport:
    settings = settings or JudgeSettings.current()
    cpu_seconds, memory_mb, output_bytes = _settings_limits(problem, settings, time_limit_seconds, memory_limit_mb, output_limit_kb)
    started = time.monotonic()
    current = sandbox.isolation(settings.sandbox)
    if "\x00" in source:
        line = source[: source.index("\x00")].count("\n") + 1
        outcome = Outcome.syntax(f"your file contains a NUL byte (\\0) on line {line}; save it as plain text")
        return finish(problem, outcome, [], time.monotonic() - started, current, sandbox.take_notice(current))
    prepared = case_data.prepare(problem)
    job = {
        "source": source,
        "path": path,
        "kind": getattr(problem, "kind", "function"),
        "signature": case_data.signature_of(problem),
        "inplace": getattr(problem, "compare", "exact") == "inplace",
        "prelude": {name: list(origin) for name, origin in prelude_table().items()},
        "output_cap": PER_CASE_OUTPUT_BYTES,
        "limits": {
            "RLIMIT_CPU": math.ceil(cpu_seconds) + 2,
            "RLIMIT_AS": (memory_mb + ADDRESS_HEADROOM_MB) * 2**20,
            "RLIMIT_FSIZE": FILE_BYTES,
            "RLIMIT_CORE": 0,
        },
    }
    child, current = _start(job, current, cpu_seconds, memory_mb, output_bytes, settings.sandbox)
    try:
        outcome = _run_cases(child, problem, prepared)
    finally:
        child.kill()
    return finish(problem, outcome, prepared, time.monotonic() - started, current, sandbox.take_notice(current), child)


def _start(job: dict[str, Any], current: sandbox.Isolation, cpu_seconds: float, memory_mb: int, output_bytes: int,
           requested: str):
    """Start the child and see it speak; a sandbox that cannot start is the probe's answer."""
    while True:
        if requested == "bwrap" and not current.sandboxed:
            raise JudgeError(f"The sandbox is required (PATTERNLIFT_JUDGE_SANDBOX=bwrap) but {current.reason}.")
        launch = sandbox.launch("{cases}", "{answers}", current)
        limits = dict(job["limits"])
        if current.sandboxed or current.runs_as_root:
            # Counted per user: only meaningful for the sandbox's or the run's own uid.
            limits["RLIMIT_NPROC"] = MAX_PROCESSES
        child = ChildProcess(
            launch=launch,
            nonce=os.urandom(16).hex(),  # secrets.token_hex(16), without importing hmac and random
            cpu_budget=cpu_seconds,
            wall_budget=cpu_seconds * WALL_CLOCK_FACTOR + WALL_CLOCK_GRACE_SECONDS,
            memory_bytes=(memory_mb + RSS_HEADROOM_MB) * 2**20,
            output_limit=output_bytes,
        )
        child.start()
        try:
            child.send({
                **job, "limits": limits, "nonce": child.nonce,
                "lib": sandbox.library_path(current),
            })
            first = child.receive()
            if first.get("type") != "started":
                raise Stopped("malformed", "no greeting")
            return child, current
        except Stopped as stop:
            status = child.exit_status()
            child.kill()
            reason = (child.output_of(0).strip().splitlines() or [f"{stop.kind}, exit status {status}"])[-1][:200]
            if not current.sandboxed:
                raise JudgeError(f"The judge's Python process did not start: {reason}") from None
            if requested == "bwrap":
                raise JudgeError(f"The sandbox (bubblewrap) could not start here: {reason}", hint="`patternlift doctor` explains; PATTERNLIFT_JUDGE_SANDBOX=auto falls back.") from None
            sandbox.mark_broken(reason)
            current = sandbox.isolation(requested)


def _run_cases(child: ChildProcess, problem: Any, prepared: list[case_data.PreparedCase]) -> Outcome:
    try:
        loaded = child.receive()
    except Stopped as stop:
        return stop_result(stop, child, 0, 0.0, [])
    kind = loaded.get("type")
    if kind == "syntax_error":
        text = f": {loaded.get('text')}" if loaded.get("text") else ""
        where = f"line {loaded.get('line')}" if loaded.get("line") else "your file"
        return Outcome.syntax(f"syntax error on {where}: {loaded.get('message')}{text}")
    if kind == "load_error":
        return Outcome.load_error(loaded, child.output_of(0))
    if kind != "ready":
        return Outcome.protocol_error(1, "your file did not load as the judge expected")
    child.start_clock()
    results: list[CaseResult] = []
    compare = getattr(problem, "compare", "exact")
    for case in prepared:
        child.current = case.number
        before = child.cpu_used()
        try:
            child.send(case.frame)
            answer = child.receive()
        except Stopped as stop:
            return stop_result(stop, child, case.number, before, results)
        used = child.cpu_used() - before
        if answer.get("type") != "answer" or answer.get("case") != case.number:
            return stop_result(Stopped("malformed", "an answer for another case"), child, case.number, before, results)
        results.append(_case_result(case, answer, used, child, compare))
    return Outcome.ran(results)


def _case_result(case: case_data.PreparedCase, answer: dict[str, Any], used: float, child: ChildProcess, compare: str) -> CaseResult:
    reported = answer.get("cpu_ms")
    trusted_ms = used * 1000
    cpu_ms = reported if isinstance(reported, (int, float)) and 0 <= reported <= trusted_ms + 20 else round(trusted_ms, 1)
    printed = str(answer.get("output") or "") + child.output_of(case.number)
    common = dict(
        number=case.number, input=case.shown_input, cpu_ms=cpu_ms, note=case.note,
        output=case_data.visible(printed), arguments=case.arguments, expected_value=case.expected,
    )
    status = answer.get("status")
    if status == "ok":
        value = answer.get("value")
        passed = matches(value, case.expected, compare)
        return CaseResult(
            status="passed" if passed else "failed", expected=case_data.short_repr(case.expected),
            actual=case_data.short_repr(value), actual_value=value, **common,
        )
    if status == "memory":
        return CaseResult(status="memory", **common)
    if status == "unserialisable":
        message = case_data.visible(str(answer.get("message") or "the answer could not be read"))[:300]
        return CaseResult(status="error", traceback=[f"the returned value cannot be an answer: {message}"], **common)
    trace = [case_data.visible(str(line))[:400] for line in (answer.get("traceback") or [])][:12]
    return CaseResult(status="error", traceback=trace or ["the solution failed"], **common)


def _read_source(path: Path) -> bytes:
    """The file's bytes; a pipe, a device or a folder is refused before anything blocks on it."""
    import os
    import stat

    from patternlift_cli.errors import UsageError

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a pipe or a device?)"
            raise UsageError(f"{path} is {what}; give the judge your solution's .py file.")
        if info.st_size > MAX_SOURCE_BYTES:
            raise UsageError(f"{path} is over {MAX_SOURCE_BYTES // 1024} KB; a solution file is much smaller.")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            return stream.read(MAX_SOURCE_BYTES + 1)
    finally:
        os.close(fd)


def judge_file(problem: Any, path: Path | str, **options: Any) -> JudgeReport:
    return judge_source(problem, read_solution(problem, path), path=str(path), **options)


def read_solution(problem: Any, path: Path | str) -> str:
    """The solution file's text, or one UsageError line saying why it cannot be judged."""
    from patternlift_cli.errors import UsageError

    path = Path(path)
    try:
        source = _read_source(path).decode("utf-8")
    except FileNotFoundError as error:
        raise UsageError(
            f"No solution file at {path}.",
            hint=f"`patternlift learn {problem.pattern}` writes a starter there, or pass your own FILE.",
        ) from error
    except UnicodeDecodeError as error:
        raise UsageError(f"{path} is not UTF-8 text (byte {error.start} cannot be read); save it as UTF-8.") from error
    except IsADirectoryError as error:
        raise UsageError(f"{path} is a folder; give the judge your solution's .py file.") from error
    except OSError as error:
        raise UsageError(f"Cannot read {path}: {error.strerror or error}") from error
    return source


def isolation_report() -> dict[str, Any]:
    """What `patternlift doctor` says: the isolation in effect here, proven by a probe run."""
    from patternlift_cli.practice import procfs

    requested = sandbox.requested_mode()
    current = sandbox.isolation()
    report: dict[str, Any] = {
        "requested": requested,
        "bwrap": sandbox.bwrap_path(),
        "runs_as_root": current.runs_as_root,
        "procfs": procfs.available(),
        "probe": None,
    }
    if current.sandboxed or requested != "none":
        try:
            child, current = _start({"probe": True, "limits": {}}, current, 5.0, 256, 1024, requested)
            child.kill()
            report["probe"] = "ok"
        except JudgeError as error:
            report["probe"] = error.message
            current = sandbox.isolation() if requested != "bwrap" else sandbox.unisolated(error.message)
    report.update(isolation=current.mode, reason=current.reason, guarantees=sandbox.guarantees(current),
                  machine_speed=JudgeSettings.current().machine_speed)
    return report

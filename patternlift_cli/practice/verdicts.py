"""From what happened in a run to the report: the verdict, its message, each case's status.

Messages name what really happened: the case that was running when the CPU budget ran out (or,
when earlier cases used most of it, that the budget is for all cases together and which case
was slowest), a crash from C-stack exhaustion as likely deep recursion, a program that exited
instead of answering.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING, Any, NamedTuple

from patternlift_cli.practice import cases as case_data

if TYPE_CHECKING:
    from patternlift_cli.practice.child import ChildProcess, Stopped
    from patternlift_cli.practice.judge import JudgeReport
    from patternlift_cli.practice.sandbox import Isolation

OUTPUT_LINES, OUTPUT_LINE_CHARS = 12, 200


class Outcome(NamedTuple):
    results: list[Any] | tuple[()] = ()  # CaseResults of the cases that ran
    verdict: str | None = None  # None: decided from the results
    message: str = ""

    @classmethod
    def syntax(cls, message: str) -> Outcome:
        return cls(verdict="syntax_error", message=message)

    @classmethod
    def ran(cls, results: list[Any]) -> Outcome:
        return cls(results=results)

    @classmethod
    def load_error(cls, loaded: dict[str, Any], raw_output: str) -> Outcome:
        from patternlift_cli.practice.judge import CaseResult

        output = case_data.visible(str(loaded.get("output") or "") + raw_output)
        trace = [case_data.visible(str(line))[:400] for line in (loaded.get("traceback") or [])][:12]
        if loaded.get("status") == "memory":
            return cls([CaseResult(number=1, status="memory", output=output)], "memory_limit", "memory limit exceeded while your file was loading")
        return cls([CaseResult(number=1, status="error", traceback=trace, output=output)], "runtime_error", "your file failed before any case ran")

    @classmethod
    def protocol_error(cls, number: int, message: str) -> Outcome:
        from patternlift_cli.practice.judge import CaseResult

        return cls([CaseResult(number=number, status="error", traceback=[message])], "runtime_error", message)


def _signal_of(status: int | None, sandboxed: bool) -> int | None:
    if status is None:
        return None
    if status < 0:
        return -status
    if status > 128:
        return status - 128  # bwrap (and the fallback's shim) report a signal death as 128 + n
    return None


def stop_result(stop: Stopped, child: ChildProcess, number: int, before: float, results: list[Any]) -> Outcome:
    """The run stopped on case `number` (0: while loading): why, and what to say."""
    from patternlift_cli.practice.judge import CaseResult

    where = f"on case {number}" if number else "while your file was loading"
    shown = number or 1
    output = case_data.visible(child.output_of(number))
    budget = child.cpu_budget
    if stop.kind == "cpu":
        case_cpu = max(0.0, (stop.value if stop.value is not None else budget) - before)
        done = [*results, CaseResult(number=shown, status="timeout", cpu_ms=round(case_cpu * 1000, 1), output=output)]
        if number and case_cpu < budget / 2 and results:
            slowest = max(results, key=lambda case: case.cpu_ms or 0)
            message = (
                f"time limit exceeded: the {budget:g} s budget is for all cases together, and cases 1-{number} "
                f"used it up (slowest: case {slowest.number}, {(slowest.cpu_ms or 0) / 1000:.2f} s)"
            )
        else:
            message = f"time limit exceeded {where} ({budget:g} s of CPU for all cases)"
        return Outcome(done, "time_limit", message)
    if stop.kind == "wall":
        done = [*results, CaseResult(number=shown, status="timeout", output=output)]
        return Outcome(done, "time_limit", f"time limit exceeded {where}: still running after {child.wall_budget:g} s of wall-clock time (waiting or sleeping)")
    if stop.kind == "memory":
        done = [*results, CaseResult(number=shown, status="memory", output=output)]
        return Outcome(done, "memory_limit", f"memory limit exceeded {where} ({stop.detail})")
    if stop.kind == "processes":
        done = [*results, CaseResult(number=shown, status="error", traceback=[f"the program started too many processes ({stop.detail})"], output=output)]
        return Outcome(done, "runtime_error", f"the program started too many processes {where} ({stop.detail})")
    if stop.kind == "malformed":
        done = [*results, CaseResult(number=shown, status="error", traceback=[f"the judge could not read the answer: {stop.detail}"], output=output)]
        subject = f"case {number}" if number else "your file"
        return Outcome(done, "runtime_error", f"the judge could not read the answer of {subject} ({stop.detail})")
    status = child.exit_status()
    sig = _signal_of(status, child.launch.isolation.sandboxed)
    if sig in (signal.SIGSEGV, signal.SIGBUS):
        trace = ["the process crashed (segmentation fault): the C stack overflowed, most likely recursion too deep"]
        done = [*results, CaseResult(number=shown, status="error", traceback=trace, output=output)]
        return Outcome(done, "runtime_error", f"crashed (likely recursion too deep) {where}")
    if sig == getattr(signal, "SIGXCPU", None):
        done = [*results, CaseResult(number=shown, status="timeout", output=output)]
        return Outcome(done, "time_limit", f"time limit exceeded {where} ({budget:g} s of CPU for all cases)")
    if sig is not None:
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
        trace = [f"the process was killed by {name}"]
        done = [*results, CaseResult(number=shown, status="error", traceback=trace, output=output)]
        return Outcome(done, "runtime_error", f"the program was killed {where} ({name})")
    trace = [f"the program exited (status {status}) instead of returning an answer"]
    done = [*results, CaseResult(number=shown, status="error", traceback=trace, output=output)]
    return Outcome(done, "runtime_error", f"the program exited {where} instead of returning an answer")


def _capped(text: str) -> tuple[str, bool]:
    lines = text.splitlines()
    kept = [line if len(line) <= OUTPUT_LINE_CHARS else line[:OUTPUT_LINE_CHARS] + "…" for line in lines[:OUTPUT_LINES]]
    truncated = len(lines) > OUTPUT_LINES or any(len(line) > OUTPUT_LINE_CHARS for line in lines[:OUTPUT_LINES])
    return "\n".join(kept), truncated


def finish(
    problem: Any, outcome: Outcome, prepared: list, duration: float, isolation: Isolation,
    notice: str | None, child: ChildProcess | None = None,
) -> JudgeReport:
    from patternlift_cli.practice.judge import CaseResult, JudgeReport

    total = len(problem.cases)
    by_number = {result.number: result for result in outcome.results}
    numbered = {case.number: case for case in prepared}
    cases = []
    for number in range(1, total + 1):
        result = by_number.get(number)
        if result is None:
            result = CaseResult(number=number, status="not_run", note=numbered[number].note if number in numbered else None)
        elif result.input is None and number in numbered and result.status != "not_run":
            source = numbered[number]
            result = result._replace(input=source.shown_input, note=source.note, arguments=source.arguments,
                                     expected_value=source.expected, expected=case_data.short_repr(source.expected))
        cases.append(result)
    verdict, message = outcome.verdict, outcome.message
    failing = next((case for case in cases if case.status != "passed"), None)
    if verdict is None:
        if failing is None:
            verdict, message = "accepted", f"all {total} cases passed"
        else:
            passed = sum(case.status == "passed" for case in cases)
            if failing.status == "memory":
                verdict, message = "memory_limit", f"memory limit exceeded on case {failing.number}"
            else:
                verdict = "runtime_error" if failing.status == "error" else "wrong_answer"
                what = "raised an exception" if failing.status == "error" else "gave a wrong answer"
                message = f"{passed} of {total} cases passed; case {failing.number} {what}"
    output, truncated = _capped(failing.output) if failing is not None else ("", False)
    return JudgeReport(
        problem_id=getattr(problem, "id", "?"),
        verdict=verdict,
        message=message,
        cases=cases,
        output=output,
        output_truncated=truncated or bool(child and child.raw_dropped and failing is not None and failing.output),
        duration_seconds=round(duration, 3),
        cpu_seconds=round(child.final_cpu, 3) if child is not None else 0.0,
        isolation=isolation.mode,
        notice=notice,
    )

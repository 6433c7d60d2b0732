"""One judge child: started, fed one case at a time, watched from outside, and killed.

The parent creates two pipes of its own (cases out, answers in) and a third for whatever the
program writes straight to its stdout/stderr. It writes a frame, then reads exactly one answer
line, checking the run's nonce; while it waits it watches the child's process tree through
/proc (CPU time, resident memory), so a limit is the kernel's count, not the child's word.
"""

from __future__ import annotations

import json
import marshal
import os
import select
import signal
import subprocess
import time
from typing import Any

from patternlift_cli.errors import JudgeError
from patternlift_cli.practice import procfs
from patternlift_cli.practice.sandbox import Launch

TICK_SECONDS = 0.02
MAX_ANSWER_BYTES = 32 * 1024 * 1024
MAX_TREE_PROCESSES = 40
IDLE_WINDOW_SECONDS, IDLE_CPU_SHARE = 0.5, 0.1


class Stopped(Exception):
    """The child cannot answer: why, in one word (cpu, wall, memory, exited, malformed)."""

    def __init__(self, kind: str, detail: str = "", value: float | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.detail = detail
        self.value = value


class ChildProcess:
    def __init__(self, *, launch: Launch, nonce: str, cpu_budget: float, wall_budget: float, memory_bytes: int,
                 output_limit: int) -> None:
        self.launch = launch
        self.nonce = nonce
        self.cpu_budget = cpu_budget
        self.wall_budget = wall_budget
        self.memory_bytes = memory_bytes
        self.output_limit = output_limit
        self.process: subprocess.Popen | None = None
        self.raw_output: dict[int, bytearray] = {}
        self.raw_dropped = 0
        self.current = 0
        self.peak_rss = 0
        self.final_cpu = 0.0

    def start(self) -> None:
        cases_read, self._cases_write = os.pipe()
        self._answers_read, answers_write = os.pipe()
        self._output_read, output_write = os.pipe()
        self._reaper = None
        if not self.launch.isolation.sandboxed and procfs.available():
            self._reaper = procfs.Subreaper().__enter__()
        argv = [part.replace("{cases}", str(cases_read)).replace("{answers}", str(answers_write)) for part in self.launch.argv]
        try:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=output_write,
                stderr=output_write,
                pass_fds=(cases_read, answers_write, *self.launch.extra_fds),
                start_new_session=True,
                **self.launch.popen_options,
            )
        except OSError as error:
            for fd in (self._cases_write, self._answers_read, self._output_read):
                os.close(fd)
            if self._reaper is not None:
                self._reaper.__exit__()
            self.launch.close_extra_fds()
            self.launch.cleanup()
            raise JudgeError(f"Could not start the judge's process ({argv[0]}): {error.strerror or error}") from error
        finally:
            for fd in (cases_read, answers_write, output_write):
                os.close(fd)
        self.launch.after_start(self.process)
        for fd in (self._cases_write, self._answers_read, self._output_read):
            os.set_blocking(fd, False)
        # A bytearray, searched only where it grew: a 30 MB answer arriving in pipe-sized reads
        # cost ~0.5 s of copying and rescanning as an immutable bytes.
        self._buffer = bytearray()
        self._scanned = 0  # the buffer's first bytes, known to hold no newline
        self._started = time.monotonic()
        self._deadline = self._started + self.wall_budget
        self._cpu_base = 0.0
        self._last_cpu = 0.0
        self._last_check = 0.0
        self._answers_open = True
        self._rate_mark = (self._started, 0.0)
        self._idle = False

    # ----- budget ----------------------------------------------------------------------

    def start_clock(self) -> None:
        """The budget counts from here (the file is loaded); the time before is the loader's."""
        now = self.usage_now()
        self._cpu_base = self._last_cpu = now
        self.final_cpu = 0.0
        self._deadline = time.monotonic() + self.wall_budget
        self._rate_mark = (time.monotonic(), 0.0)

    def usage_now(self) -> float:
        if self.process is None or not procfs.available():
            return 0.0
        usage = procfs.usage(self.process.pid)
        self.peak_rss = max(self.peak_rss, usage.rss_bytes)
        if usage.rss_bytes > self.memory_bytes:
            raise Stopped("memory", f"{usage.rss_bytes // 2**20} MB in {usage.processes} processes")
        if usage.processes > MAX_TREE_PROCESSES:
            # RLIMIT_NPROC stops this in the sandbox; without one, the parent does.
            raise Stopped("processes", f"{usage.processes} processes")
        return usage.cpu_seconds

    def cpu_used(self) -> float:
        self.final_cpu = max(self.final_cpu, self.usage_now() - self._cpu_base)
        return self.final_cpu

    def _watch(self) -> None:
        cpu = self.cpu_used()
        if cpu > self.cpu_budget:
            raise Stopped("cpu", f"{cpu:.2f} s", value=cpu)
        now = time.monotonic()
        if now - self._rate_mark[0] >= IDLE_WINDOW_SECONDS:
            self._idle = (cpu - self._rate_mark[1]) < IDLE_CPU_SHARE * (now - self._rate_mark[0])
            self._rate_mark = (now, cpu)
        # Past the wall-clock budget a program that sleeps or blocks is stopped; one that is
        # computing but starved of CPU by a busy machine gets until the hard limit.
        if now > self._deadline and (self._idle or now > self._deadline + self.wall_budget):
            raise Stopped("wall")

    # ----- frames out, answers in -----------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        body = marshal.dumps(message, 2)  # version 2: no shared references, every list is fresh
        data = memoryview(len(body).to_bytes(4, "big") + body)
        while data:
            _, writable, _ = select.select([], [self._cases_write], [], TICK_SECONDS)
            if writable:
                try:
                    written = os.write(self._cases_write, data[: 1 << 16])
                except BrokenPipeError:
                    raise Stopped("exited") from None
                except BlockingIOError:
                    continue
                data = data[written:]
            self._drain_output()
            self._watch()

    def receive(self) -> dict[str, Any]:
        """The next answer line, parsed; anything else stops the run."""
        while True:
            newline = self._buffer.find(b"\n", self._scanned)
            if newline >= 0:
                line = bytes(self._buffer[:newline])
                del self._buffer[: newline + 1]
                self._scanned = 0
                return self._parse(line)
            self._scanned = len(self._buffer)
            if len(self._buffer) > MAX_ANSWER_BYTES:
                raise Stopped("malformed", "an answer over 32 MB")
            if not self._answers_open:
                raise Stopped("exited")
            readable, _, _ = select.select([self._answers_read, self._output_read], [], [], TICK_SECONDS)
            if self._output_read in readable:
                self._drain_output()
            if self._answers_read in readable:
                self._read_answers()
            if time.monotonic() - self._last_check >= TICK_SECONDS:
                self._last_check = time.monotonic()
                self._watch()

    def _read_answers(self) -> None:
        while True:
            try:
                chunk = os.read(self._answers_read, 1 << 20)
            except BlockingIOError:
                return
            if not chunk:
                self._answers_open = False
                return
            self._buffer += chunk
            if len(self._buffer) > MAX_ANSWER_BYTES:
                return

    def _parse(self, line: bytes) -> dict[str, Any]:
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            raise Stopped("malformed", "an answer the judge could not read") from None
        if not isinstance(message, dict) or message.get("nonce") != self.nonce:
            raise Stopped("malformed", "a line that is not the judge's")
        return message

    def _drain_output(self) -> None:
        while True:
            try:
                chunk = os.read(self._output_read, 1 << 16)
            except BlockingIOError:
                return
            except OSError:
                return
            if not chunk:
                return
            kept = sum(len(part) for part in self.raw_output.values())
            room = max(0, self.output_limit - kept)
            self.raw_output.setdefault(self.current, bytearray()).extend(chunk[:room])
            self.raw_dropped += max(0, len(chunk) - room)

    def output_of(self, case: int) -> str:
        return bytes(self.raw_output.get(case, b"")).decode("utf-8", "replace")

    # ----- the end ---------------------------------------------------------------------

    def exit_status(self, wait_seconds: float = 0.5) -> int | None:
        """The child's exit status once its answers pipe closed (None if it is still running)."""
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout=wait_seconds)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """Everything the run started ends now: the sandbox's PID namespace goes with bwrap."""
        if self.process is None:
            return
        if self._reaper is not None:
            self._reaper.kill_all(self.process.pid)
            self._reaper.__exit__()
            self._reaper = None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.kill()
        except ProcessLookupError:
            pass
        self.process.wait()
        self._drain_output()
        for fd in (self._cases_write, self._answers_read, self._output_read):
            try:
                os.close(fd)
            except OSError:
                pass
        self.launch.cleanup()
        self.process = None

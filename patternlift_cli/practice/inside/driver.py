"""The judge's child process: runs the learner's solution on each case it is sent, reports the answer.

Started as `python -I -S driver.py CASES_FD ANSWERS_FD [--drop] [--orphan-guard]`, inside the sandbox
(or, without one, in an empty temporary folder). It knows nothing of the expected answers: the parent
sends one frame (4-byte length + marshal) with the source and the run's settings, then one frame
per case with that case's arguments only, and reads back exactly one JSON line per frame:

    {"nonce": ..., "type": "ready" | "syntax_error" | "load_error"}
    {"nonce": ..., "type": "answer", "case": N, "status": "ok" | "error" | "memory",
     "value": <the return value in LeetCode's list forms>, "output": ..., "cpu_ms": ...}

The parent compares and decides. Anything here can be rewritten by the learner's code (it runs
in this process), which is why nothing here is trusted: a forged line can only claim an answer,
and an answer is only worth what the parent's comparison says.
"""

from __future__ import annotations

import builtins
import io
import json
import marshal
import os
import resource
import sys
import threading
import time

# Deep recursion works as on LeetCode: 5*10^5 plain Python calls, ~2*10^5 through @cache. A
# runaway recursion through C code overflows this stack (a crash the judge names) before it
# can grow past the memory limit.
STACK_BYTES = 128 * 1024 * 1024
RECURSION_LIMIT = 550_000  # deep enough for 10^5-node DFS; runaway recursion ends well under the memory limit
REPR_LIMIT = 300
TRACEBACK_HEAD, TRACEBACK_TAIL = 3, 5
SANDBOX_UID = 65534


class CappedText(io.TextIOBase):
    """What the solution prints: kept up to a limit per case, the rest counted and dropped."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.reset()

    def reset(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            kept = text[:room]
            self.parts.append(kept)
            self.size += len(kept)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self) -> tuple[str, int]:
        text, dropped = "".join(self.parts), self.dropped
        self.reset()
        return text, dropped


class Channel:
    def __init__(self, cases_fd: int, answers_fd: int) -> None:
        self.cases_fd, self.answers_fd = cases_fd, answers_fd
        self.nonce = ""

    def receive(self):
        header = self._read_exactly(4)
        if header is None:
            return None
        body = self._read_exactly(int.from_bytes(header, "big"))
        return None if body is None else marshal.loads(body)

    def _read_exactly(self, size: int):
        chunks, remaining = [], size
        while remaining:
            chunk = os.read(self.cases_fd, min(remaining, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def send(self, message: dict, default=None) -> None:
        message["nonce"] = self.nonce
        try:
            line = json.dumps(message, default=default, allow_nan=True)
        except (TypeError, ValueError, RecursionError) as error:
            line = json.dumps({
                "nonce": self.nonce, "type": message.get("type"), "case": message.get("case"),
                "status": "unserialisable", "message": _safe_str(error),
                "output": message.get("output", ""), "cpu_ms": message.get("cpu_ms"),
            })
        data = (line + "\n").encode("utf-8", "backslashreplace")
        while data:
            written = os.write(self.answers_fd, data)
            data = data[written:]


def _safe_str(value) -> str:
    try:
        text = str(value)
    except BaseException:  # noqa: BLE001 - a learner's __str__ may raise anything
        text = f"<{type(value).__name__}>"
    return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 15] + f"... ({len(text)} chars)"


def learner_traceback(error: BaseException, path: str, lines: list[str]) -> list[str]:
    """The learner's own frames, shortened for deep recursion; never the driver's."""
    frames = []
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            frames.append((tb.tb_frame.f_code.co_name, tb.tb_lineno))
        tb = tb.tb_next
    shown: list = frames
    if len(frames) > TRACEBACK_HEAD + TRACEBACK_TAIL:
        shown = frames[:TRACEBACK_HEAD] + [len(frames) - TRACEBACK_HEAD - TRACEBACK_TAIL] + frames[-TRACEBACK_TAIL:]
    result = []
    for item in shown:
        if isinstance(item, int):
            result.append(f"... {item} more calls ...")
            continue
        name, number = item
        code = lines[number - 1].strip() if 0 < number <= len(lines) else ""
        result.append(f"line {number}, in {name}: {code}")
    message = _safe_str(error)
    result.append(f"{type(error).__name__}: {message}" if message else type(error).__name__)
    return result


def _code_names(code) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if hasattr(constant, "co_names"):
            names |= _code_names(constant)
    return names


def bind_prelude(namespace: dict, code, table: dict, lib: str | None) -> None:
    """LeetCode's star imports, bound only for the names the solution uses (imports are costly)."""
    import importlib

    if lib and lib not in sys.path:
        sys.path.append(lib)
    for name in _code_names(code) & table.keys():
        module_name, attribute = table[name]
        try:
            module = importlib.import_module(module_name)
            namespace[name] = module if attribute is None else getattr(module, attribute)
        except (ImportError, AttributeError):
            continue


def apply_limits(limits: dict) -> None:
    for name, value in limits.items():
        kind = getattr(resource, name)
        try:
            resource.setrlimit(kind, (value, value))
        except (ValueError, OSError):
            soft, hard = resource.getrlimit(kind)
            resource.setrlimit(kind, (min(value, hard) if hard != resource.RLIM_INFINITY else value, hard))


def drop_privileges() -> None:
    """Root-run sandbox: in-namespace root keeps only what it needs to become the sandbox uid."""
    try:
        with open("/proc/sys/user/max_user_namespaces", "w") as limit:
            limit.write("0")  # no nested user namespaces for the learner's code
    except OSError:
        pass
    os.setgroups([])
    os.setresgid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)
    os.setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)
    if os.getuid() != SANDBOX_UID or os.geteuid() != SANDBOX_UID:
        raise SystemExit("the sandbox could not drop to its unprivileged uid")
    with open("/proc/self/status") as status:
        permitted = next(line for line in status if line.startswith("CapPrm:"))
    if int(permitted.split()[1], 16):
        raise SystemExit("the sandbox kept capabilities after dropping its uid")


def _die_with_parent() -> None:
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass


def guard_against_orphaning(keep_fds: tuple[int, ...]) -> None:
    """Without a sandbox: die with the CLI, and put a shim between the CLI and the learner's
    code, so that `os.kill(os.getppid(), ...)` hits the shim (and ends the run), not the CLI."""
    _die_with_parent()
    shim = os.getpid()
    worker = os.fork()
    if worker:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (*keep_fds, 0, 1, 2):
            os.dup2(devnull, fd) if fd < 3 else os.close(fd)
        _, status = os.waitpid(worker, 0)
        os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
    _die_with_parent()
    if os.getppid() != shim:
        os._exit(1)
    # The learner's own forks die with it too (a process that detaches is found by the parent).
    os.register_at_fork(after_in_child=_die_with_parent)

    def watch() -> None:  # where PR_SET_PDEATHSIG does not exist
        while True:
            time.sleep(0.5)
            if os.getppid() != shim:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


class Runner:
    def __init__(self, channel: Channel, job: dict) -> None:
        self.channel = channel
        self.job = job
        self.path = job["path"]
        self.lines = job["source"].splitlines()
        self.captured = CappedText(job["output_cap"])
        self.signature = job["signature"]

    def load(self):
        from leetcode import ListNode, TreeNode  # the sandbox puts this folder on sys.path

        try:
            code = compile(self.job["source"], self.path, "exec", dont_inherit=True)
        except SyntaxError as error:
            self.channel.send({
                "type": "syntax_error", "line": error.lineno, "message": _safe_str(error.msg),
                "text": (error.text or "").rstrip()[:REPR_LIMIT],
            })
            return None
        except (ValueError, MemoryError, RecursionError) as error:
            self.channel.send({"type": "syntax_error", "line": None, "message": _safe_str(error), "text": ""})
            return None
        namespace = {"__name__": "__main__", "__builtins__": builtins, "ListNode": ListNode, "TreeNode": TreeNode}
        bind_prelude(namespace, code, self.job["prelude"], self.job.get("lib"))
        sys.stdout = sys.stderr = self.captured
        try:
            exec(code, namespace)
        except BaseException as error:  # noqa: BLE001 - learner code may raise anything, even SystemExit
            kind = "memory" if isinstance(error, MemoryError) else "error"
            output, _ = self.captured.take()
            self.channel.send({"type": "load_error", "status": kind, "traceback": self._trace(error), "output": output})
            return None
        target_name = self.signature.get("class_name") or "Solution"
        target = namespace.get(target_name)
        problem = None
        if not isinstance(target, type):
            problem = f"NameError: your file defines no class {target_name}"
        elif self.signature.get("method") and not hasattr(target, self.signature["method"]):
            problem = f"AttributeError: {target_name} has no method {self.signature['method']}"
        if problem:
            self.channel.send({"type": "load_error", "status": "error", "traceback": [problem], "output": ""})
            return None
        self.channel.send({"type": "ready"})
        return target

    def _trace(self, error: BaseException) -> list[str]:
        return learner_traceback(error, self.path, self.lines)

    def run_case(self, target, case: dict):
        from leetcode import leetcode_form, result_form, to_argument

        if self.job["kind"] == "design":
            outputs, instance = [], None
            for name, args in zip(case["ops"], case["args"]):
                if instance is None:
                    instance = target(*args)
                    outputs.append(None)
                else:
                    outputs.append(getattr(instance, name)(*args))
            return outputs, leetcode_form
        params = self.signature.get("params", [])
        args = [to_argument(value, params[i]["type"] if i < len(params) else "") for i, value in enumerate(case["args"])]
        result = getattr(target(), self.signature["method"])(*args)
        if self.job.get("inplace"):
            return result_form(args[0], params[0]["type"] if params else ""), leetcode_form
        return result_form(result, self.signature.get("returns") or ""), leetcode_form

    def serve(self) -> None:
        target = self.load()
        if target is None:
            return
        while True:
            case = self.channel.receive()
            if case is None:
                return
            started = time.process_time()
            message = {"type": "answer", "case": case["case"]}
            try:
                value, form = self.run_case(target, case)
                message.update(status="ok", value=value)
            except MemoryError:
                form = None
                message.update(status="memory")
            except BaseException as error:  # noqa: BLE001
                form = None
                message.update(status="error", traceback=self._trace(error))
            output, dropped = self.captured.take()
            message.update(output=output, dropped=dropped, cpu_ms=round((time.process_time() - started) * 1000, 2))
            self.channel.send(message, default=form)


def main(argv: list[str]) -> None:
    cases_fd, answers_fd = int(argv[1]), int(argv[2])
    if "--drop" in argv:
        drop_privileges()
    if "--orphan-guard" in argv:
        guard_against_orphaning((cases_fd, answers_fd))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    channel = Channel(cases_fd, answers_fd)
    job = channel.receive()
    if job is None:
        return
    channel.nonce = job["nonce"]
    # Sent before any learner code exists in this process: proof that the sandbox started.
    channel.send({"type": "started", "uid": os.getuid()})
    if job.get("probe"):
        return
    apply_limits(job["limits"])
    sys.stdin = io.StringIO("")
    sys.setrecursionlimit(RECURSION_LIMIT)
    threading.stack_size(STACK_BYTES)
    worker = threading.Thread(target=Runner(channel, job).serve, name="solution")
    worker.start()
    threading.stack_size(0)  # the learner's own threads get the usual stack
    worker.join()
    sys.stdout.flush()
    os._exit(0)  # leftover threads of the solution do not keep the process alive


if __name__ == "__main__":
    main(sys.argv)

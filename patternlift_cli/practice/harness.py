"""Runs inside the judge's child process: loads the learner's file, runs every case, reports.

Started as `python -I harness.py RESULT_FD` with the job as JSON on stdin. It imports nothing
from PatternLift (the child must not depend on the project being importable) and writes one
JSON object per line to RESULT_FD: {"event": "case", ...} for each case as it finishes, then
{"event": "done"}. The parent reads them as they come, so a case that never returns is still
known by number.
"""

from __future__ import annotations

import io
import json
import linecache
import math
import os
import signal
import sys
import time
import traceback

PRELUDE = """
from typing import *
import collections, heapq, bisect, math, itertools, functools, string, re, operator, random
from collections import deque, defaultdict, Counter, OrderedDict
from heapq import heappush, heappop, heapify, heappushpop, heapreplace, nlargest, nsmallest
from bisect import bisect_left, bisect_right, insort, insort_left, insort_right
from functools import lru_cache, cache, reduce, cmp_to_key
from itertools import accumulate, combinations, permutations, product, chain, groupby, zip_longest, pairwise
from math import inf, gcd, sqrt, ceil, floor, comb, factorial, log2, isqrt


class ListNode:
    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next

    def __repr__(self):
        return f"ListNode({self.val})"


class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right

    def __repr__(self):
        return f"TreeNode({self.val})"
"""

REPR_LIMIT = 300


class CappedText(io.TextIOBase):
    """Learner prints go here: kept up to a limit, then counted and dropped."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.limit - self.size
        if room > 0:
            kept = text[:room]
            self.parts.append(kept)
            self.size += len(kept)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def value(self) -> str:
        return "".join(self.parts)


def short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 15] + f"... ({len(text)} chars)"


# ----- LeetCode list forms ------------------------------------------------------------------


def is_list_node(type_name: str) -> bool:
    return "ListNode" in type_name and not type_name.replace(" ", "").startswith("List[")


def is_list_of_list_nodes(type_name: str) -> bool:
    return "ListNode" in type_name and type_name.replace(" ", "").startswith("List[")


def is_tree(type_name: str) -> bool:
    return "TreeNode" in type_name and not type_name.replace(" ", "").startswith("List[")


def build_list(values, ns):
    head = None
    for value in reversed(values or []):
        head = ns["ListNode"](value, head)
    return head


def list_values(node, limit=200_000):
    values = []
    seen = 0
    while node is not None:
        values.append(node.val)
        node = node.next
        seen += 1
        if seen > limit:
            raise ValueError("returned linked list has a cycle or is too long")
    return values


def build_tree(values, ns):
    if not values or values[0] is None:
        return None
    TreeNode = ns["TreeNode"]
    root = TreeNode(values[0])
    queue = [root]
    position, index = 0, 1
    while position < len(queue) and index < len(values):
        node = queue[position]
        position += 1
        if index < len(values) and values[index] is not None:
            node.left = TreeNode(values[index])
            queue.append(node.left)
        index += 1
        if index < len(values) and values[index] is not None:
            node.right = TreeNode(values[index])
            queue.append(node.right)
        index += 1
    return root


def tree_values(root):
    if root is None:
        return []
    values, queue, position = [], [root], 0
    while position < len(queue):
        node = queue[position]
        position += 1
        if node is None:
            values.append(None)
            continue
        values.append(node.val)
        queue.append(node.left)
        queue.append(node.right)
    while values and values[-1] is None:
        values.pop()
    return values


def to_argument(value, type_name, ns):
    if is_list_of_list_nodes(type_name):
        return [build_list(item, ns) for item in value]
    if is_list_node(type_name):
        return build_list(value, ns)
    if is_tree(type_name):
        return build_tree(value, ns)
    return value


def from_result(value, type_name, ns):
    if value is None:
        return [] if (is_list_node(type_name) or is_tree(type_name)) else None
    if isinstance(value, ns["ListNode"]):
        return list_values(value)
    if isinstance(value, ns["TreeNode"]):
        return tree_values(value)
    if isinstance(value, tuple):
        return [from_result(item, "", ns) for item in value]
    if isinstance(value, list):
        return [from_result(item, "", ns) if isinstance(item, (ns["ListNode"], ns["TreeNode"], tuple)) else item for item in value]
    return value


# ----- comparison ---------------------------------------------------------------------------


def _sort_key(value):
    return json.dumps(value, sort_keys=True, default=repr)


def _close(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-5)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return a == b


def matches(actual, expected, mode):
    if mode == "float":
        return _close(actual, expected)
    if mode == "unordered":
        if not isinstance(actual, (list, tuple)) or not isinstance(expected, list):
            return False
        return sorted(map(_sort_key, actual)) == sorted(map(_sort_key, expected))
    if mode == "unordered_nested":
        if not isinstance(actual, (list, tuple)) or not isinstance(expected, list):
            return False
        try:
            normalise = lambda rows: sorted(_sort_key(sorted(row, key=_sort_key)) if isinstance(row, (list, tuple)) else _sort_key(row) for row in rows)
            return normalise(actual) == normalise(expected)
        except TypeError:
            return False
    return actual == expected


# ----- running ------------------------------------------------------------------------------


class Reporter:
    def __init__(self, fd: int) -> None:
        self.stream = os.fdopen(fd, "w", buffering=1, encoding="utf-8")

    def send(self, **event) -> None:
        self.stream.write(json.dumps(event, default=repr) + "\n")
        self.stream.flush()


TRACEBACK_HEAD, TRACEBACK_TAIL = 3, 5


def learner_traceback(error: BaseException, path: str) -> list[str]:
    """The learner's own frames (not the harness's), shortened for deep recursion."""
    frames = [(frame, line) for frame, line in traceback.walk_tb(error.__traceback__) if frame.f_code.co_filename == path]
    if len(frames) > TRACEBACK_HEAD + TRACEBACK_TAIL:
        skipped = len(frames) - TRACEBACK_HEAD - TRACEBACK_TAIL
        shown = frames[:TRACEBACK_HEAD] + [None] + frames[-TRACEBACK_TAIL:]
    else:
        skipped, shown = 0, frames
    lines = []
    for item in shown:
        if item is None:
            lines.append(f"... {skipped} more calls ...")
            continue
        frame, line_number = item
        code = linecache.getline(path, line_number).strip()
        lines.append(f"line {line_number}, in {frame.f_code.co_name}: {code}")
    message = str(error)
    lines.append(f"{type(error).__name__}: {message[:REPR_LIMIT]}" if message else type(error).__name__)
    return lines


def evaluate(expression: str, ns: dict):
    return eval(expression, dict(ns))


def run_case(index, case, job, ns, method_or_class):
    signature = job["signature"]
    if job.get("kind") == "design":
        operations, arguments = case["ops"], case["args"]
        outputs, instance = [], None
        for name, args in zip(operations, arguments):
            if instance is None:
                instance = method_or_class(*args)
                outputs.append(None)
            else:
                outputs.append(from_result(getattr(instance, name)(*args), "", ns))
        return outputs, short_repr(list(zip(operations, arguments)))
    raw_args = evaluate(case["args_py"], ns) if "args_py" in case else case["args"]
    params = signature.get("params", [])
    args = [to_argument(value, params[i]["type"] if i < len(params) else "", ns) for i, value in enumerate(raw_args)]
    shown = ", ".join(
        f"{params[i]['name']} = {short_repr(value)}" if i < len(params) else short_repr(value)
        for i, value in enumerate(raw_args)
    )
    solver = method_or_class()
    result = getattr(solver, signature["method"])(*args)
    if job.get("compare") == "inplace":
        return from_result(args[0], params[0]["type"] if params else "", ns), shown
    return from_result(result, signature.get("returns", ""), ns), shown


def main() -> None:
    reporter = Reporter(int(sys.argv[1]))
    job = json.loads(sys.stdin.read())
    sys.stdin = io.StringIO("")
    captured = CappedText(job["output_limit_bytes"])
    sys.stdout = sys.stderr = captured
    sys.setrecursionlimit(100_000)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    current = {"index": 0}

    def on_cpu_limit(_signum, _frame):
        reporter.send(event="limit", kind="timeout", case=current["index"], output=captured.value())
        os._exit(0)

    signal.signal(signal.SIGXCPU, on_cpu_limit)

    path = job["path"]
    ns: dict = {"__name__": "__main__"}
    exec(PRELUDE, ns)
    # Tracebacks quote the learner's lines even when the source never touched the disk.
    linecache.cache[path] = (len(job["source"]), None, job["source"].splitlines(True), path)
    try:
        code = compile(job["source"], path, "exec")
    except SyntaxError as error:
        reporter.send(event="syntax_error", line=error.lineno, message=error.msg, text=(error.text or "").rstrip())
        return
    try:
        exec(code, ns)
    except BaseException as error:  # noqa: BLE001 - learner code may raise anything, even SystemExit
        kind = "memory" if isinstance(error, MemoryError) else "load_error"
        reporter.send(event=kind, case=0, traceback=learner_traceback(error, path), output=captured.value())
        return
    target_name = job["signature"].get("class_name", "Solution")
    target = ns.get(target_name)
    if target is None:
        reporter.send(event="load_error", case=0, traceback=[f"NameError: your file defines no class {target_name}"], output="")
        return
    method = job["signature"].get("method")
    if method and not hasattr(target, method):
        reporter.send(event="load_error", case=0, traceback=[f"AttributeError: {target_name} has no method {method}"], output="")
        return

    for index, case in enumerate(job["cases"], start=1):
        current["index"] = index
        started = time.process_time()
        try:
            actual, shown = run_case(index, case, job, ns, target)
        except MemoryError:
            reporter.send(event="limit", kind="memory", case=index, output=captured.value())
            return
        except RecursionError as error:
            reporter.send(event="case", case=index, status="error", traceback=learner_traceback(error, path), input=None, cpu_ms=0)
            continue
        except BaseException as error:  # noqa: BLE001
            reporter.send(
                event="case", case=index, status="error",
                traceback=learner_traceback(error, path),
                input=short_repr(case.get("args", case.get("args_py"))),
                cpu_ms=round((time.process_time() - started) * 1000, 1),
            )
            continue
        expected = evaluate(case["expected_py"], ns) if "expected_py" in case else case["expected"]
        passed = matches(actual, expected, job.get("compare", "exact"))
        reporter.send(
            event="case", case=index, status="passed" if passed else "failed",
            input=shown, expected=short_repr(expected), actual=short_repr(actual),
            cpu_ms=round((time.process_time() - started) * 1000, 1),
        )
    reporter.send(event="done", output=captured.value(), dropped=captured.dropped)


if __name__ == "__main__":
    main()

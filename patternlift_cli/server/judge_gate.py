"""The server's judge: one job at a time per worker process, a bounded queue, then "busy".

An assessment solution is judged here, in the same sandbox and limits as on a learner's
machine. Each judge run is a sandboxed child using a whole CPU for up to its time limit, so a
worker runs one at a time; requests past the queue bound are refused at once with 503 and
Retry-After instead of piling up threads and timing out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from patternlift_cli.errors import TemporarilyUnavailableError

RETRY_AFTER_SECONDS = 2


class JudgeGate:
    def __init__(self, queue_limit: int) -> None:
        self.queue_limit = queue_limit          # waiting jobs allowed behind the running one
        self._running = threading.Lock()
        self._count = threading.Lock()
        self._admitted = 0                      # running + waiting

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._count:
            if self._admitted > self.queue_limit:
                raise TemporarilyUnavailableError(
                    "The server's judge is busy with other solutions; try again in a moment.",
                    hint="Nothing was recorded; run it again.",
                    retry_after_seconds=RETRY_AFTER_SECONDS,
                )
            self._admitted += 1
        try:
            with self._running:
                yield
        finally:
            with self._count:
                self._admitted -= 1


_gate: JudgeGate | None = None
_gate_lock = threading.Lock()


def server_judge() -> JudgeGate:
    """This worker process's gate (each uvicorn worker is its own process, with its own gate)."""
    global _gate
    with _gate_lock:
        if _gate is None:
            from patternlift_cli.config import get_settings

            _gate = JudgeGate(get_settings().server_judge_queue)
        return _gate

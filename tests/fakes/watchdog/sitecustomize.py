"""Loaded by every Python process a server test starts (PYTHONPATH points here).

When PATTERNLIFT_TEST_WATCHDOG_PID is set, a daemon thread ends this process as soon as that
process (the pytest run) is gone, or after PATTERNLIFT_TEST_WATCHDOG_MAX_SECONDS: a server or
worker started by a test never outlives the run, even when pytest is killed outright.
uvicorn's worker processes inherit the variable, so each of them watches too.
"""

import os
import threading
import time

_pid = os.environ.get("PATTERNLIFT_TEST_WATCHDOG_PID")

if _pid and _pid.isdigit():

    def _watch(pid: int, limit: float) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            time.sleep(0.5)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass
        os._exit(0)

    threading.Thread(
        target=_watch,
        args=(int(_pid), float(os.environ.get("PATTERNLIFT_TEST_WATCHDOG_MAX_SECONDS", "900"))),
        name="test-watchdog",
        daemon=True,
    ).start()

"""A learner's process for the cap tests: fire N tutor calls at once, print one JSON line each.

Run as `python -m tests.fakes.tutor_worker N`; settings come from the environment the test set.
"""

from __future__ import annotations

import json
import sys
import threading

from patternlift_cli.db.database import ready_engine
from patternlift_cli.db.engine import session_scope
from patternlift_cli.errors import BudgetExceededError
from patternlift_cli.services.accounts import require_current_profile
from patternlift_cli.services.tutor import tutor_reply


def main(calls: int) -> None:
    engine = ready_engine()
    with session_scope(engine) as session:
        user_id = require_current_profile(session).id
    barrier = threading.Barrier(calls)
    lock = threading.Lock()

    def one() -> None:
        barrier.wait()
        try:
            reply = tutor_reply(engine, user_id, "question", pattern_id="two-pointers", question="Why sorted input?")
            line = {"outcome": "ok", "cost": str(reply.cost_usd)}
        except BudgetExceededError as error:
            line = {"outcome": "budget", "message": error.message}
        except Exception as error:  # reported to the test, which fails on anything unexpected
            line = {"outcome": "error", "message": f"{type(error).__name__}: {error}"}
        with lock:
            print(json.dumps(line), flush=True)

    threads = [threading.Thread(target=one) for _ in range(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main(int(sys.argv[1]))

"""A learn step's cost after 5,000 attempts, against the same step with no history, same run.

    python bench/learn_step.py [--history 5000] [--steps 300] [--backend sqlite|postgres]

Two learners work on the same practice problem of the mini course. One first makes
`--history` recorded runs through the real use case; then both record judged runs in turn
(interleaved, so drift hits both alike) and the script prints the median of each and their
ratio. Goal: <= 1.2 (history must not slow a step). The judge is not part of the step
measured (its report is given), so the ratio is the database's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="patternlift-bench-"))
    os.environ["PATTERNLIFT_HOME"] = str(home)
    from tests.mini_course import write_mini_course

    os.environ["PATTERNLIFT_CONTENT_DIR"] = str(write_mini_course(home / "course"))
    if args.backend == "postgres":
        from bench._pg import fresh_database

        with fresh_database(pool_size=4) as engine:
            os.environ["PATTERNLIFT_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
            run(args)
    else:
        run(args)


def learner_at_practice(email: str):  # type: ignore[no-untyped-def]
    from patternlift_cli import signin
    from patternlift_cli.cli.context import current_learner
    from patternlift_cli.services.learner import sign_in_locally

    sign_in_locally(email)
    learning = current_learner(ask=False).learning
    signin.forget()
    sid = learning.open_session("two-pointers").session_id
    learning.calibrate(sid, None)
    learning.complete_lesson(sid)
    for question in learning.knowledge_check(sid).questions:
        learning.answer(sid, question.id, {"short_answer": "O(n)", "recognition": "two-pointers"}.get(question.kind, "Right"), 5)
    return learning, sid


def failing_run():  # type: ignore[no-untyped-def]
    from patternlift_cli.ports.learning import CaseSummary, JudgeSummary

    cases = [CaseSummary(number=n, status="passed" if n <= 3 else "failed") for n in range(1, 11)]
    return JudgeSummary(problem_id="two-pointers-1-a", verdict="wrong_answer", message="3 of 10", cases=cases)


def run(args: argparse.Namespace) -> None:
    fresh, fresh_sid = learner_at_practice("fresh@bench.example")
    veteran, veteran_sid = learner_at_practice("veteran@bench.example")
    report = failing_run()
    started = time.perf_counter()
    for _ in range(args.history):
        veteran.record_run(veteran_sid, "two-pointers-1-a", report, 30)
    print(f"history: {args.history} runs recorded in {time.perf_counter() - started:.1f} s")
    timings: dict[str, list[float]] = {"no history": [], f"{args.history} attempts": []}
    for _ in range(args.steps):
        for label, learning, sid in (("no history", fresh, fresh_sid), (f"{args.history} attempts", veteran, veteran_sid)):
            begin = time.perf_counter()
            learning.record_run(sid, "two-pointers-1-a", report, 30)
            timings[label].append(time.perf_counter() - begin)
    medians = {label: statistics.median(values) for label, values in timings.items()}
    for label, median in medians.items():
        print(f"{label:>16}: median step {median * 1000:.2f} ms")
    base, loaded = medians.values()
    print(f"ratio (history / none): {loaded / base:.2f}  (goal <= 1.2)")


if __name__ == "__main__":
    main()

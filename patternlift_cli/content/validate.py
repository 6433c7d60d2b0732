"""Check one pattern folder while writing it: `python -m patternlift_cli.content.validate ID...`.

Loads the folder with the same validation as the app, then judges every problem: the
reference must pass, every wrong solution must fail. References to other patterns are checked
only against the folders present, so a pattern can be validated before the course is complete.
"""

from __future__ import annotations

import sys

from patternlift_cli.content.loader import PATTERNS_ROOT, load_pattern_folder
from patternlift_cli.content.models import Recognition
from patternlift_cli.errors import ContentError
from patternlift_cli.practice.judge import judge_source


def validate(pattern_id: str) -> list[str]:
    problems_found: list[str] = []
    try:
        pattern = load_pattern_folder(PATTERNS_ROOT / pattern_id)
    except ContentError as error:
        return [str(error)]
    present = {path.name for path in PATTERNS_ROOT.iterdir() if (path / "pattern.yaml").exists()}
    questions = [*pattern.questions, *pattern.mastery.recognition]
    for question in questions:
        if isinstance(question, Recognition):
            unknown = [choice for choice in question.choices if choice not in present]
            if unknown:
                print(f"  note: {question.id} names patterns not written yet: {unknown}")
    for problem in pattern.problems:
        reference = judge_source(problem, problem.solution.code)
        status = "ok" if reference.all_passed else "FAIL"
        print(f"  {status:4} {problem.id}: reference {reference.message} ({reference.duration_seconds}s)")
        if not reference.all_passed:
            problems_found.append(f"{problem.id}: reference fails: {reference.message} {reference.first_failure}")
        for wrong in problem.wrong_solutions:
            report = judge_source(problem, wrong.code)
            if report.all_passed:
                problems_found.append(f"{problem.id}: wrong solution '{wrong.description}' passes")
            elif wrong.kind == "too_slow" and report.verdict != "time_limit":
                problems_found.append(f"{problem.id}: too_slow solution ended as {report.message}")
    return problems_found


def main(argv: list[str]) -> int:
    failures = 0
    for pattern_id in argv or sorted(p.name for p in PATTERNS_ROOT.iterdir() if p.is_dir()):
        print(pattern_id)
        for problem in validate(pattern_id):
            print(f"  ERROR {problem}")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Hands-on practice: the level's problem, judged runs, built-in hints and the reveal."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from patternlift_cli.db.models import AIInteraction
from patternlift_cli.domain import progress as rules
from patternlift_cli.domain import scoring, stages
from patternlift_cli.domain.progress import Evidence
from patternlift_cli.domain.diagnosis import FailedCase, matching
from patternlift_cli.domain.session_state import PendingAIHint, PracticeLevel
from patternlift_cli.domain.tutoring import hint_quality
from patternlift_cli.errors import RefusedError, UsageError
from patternlift_cli.ports.learning import (
    HintOutcome,
    JudgeSummary,
    PracticeProblem,
    RevealOutcome,
    ScoreBreakdown,
)
from patternlift_cli.services.learning.records import Work


def find_problem(pattern: Any, problem_id: str) -> Any:
    for problem in pattern.problems:
        if problem.id == problem_id:
            return problem
    raise UsageError(f"Problem '{problem_id}' is not part of pattern '{pattern.id}'.")


def _require_practice(work: Work, what: str) -> None:
    if work.position.stage != stages.HANDS_ON_PRACTICE:
        if work.position.stage == stages.MASTERY_ASSESSMENT:
            raise RefusedError(f"{what} are not available in the mastery assessment.")
        raise RefusedError(f"{what} open with hands-on practice; you are at {work.position.label().lower()}.")


def current(work: Work, workspace_file: str) -> PracticeProblem:
    _require_practice(work, "Practice problems")
    level = work.position.level
    problem = work.pattern.practice_problem(level)
    tally = work.progress.tally(problem.id)
    ready = problem.id in work.progress.diagnosed
    extra = len(work.progress.diagnoses_shown.get(problem.id, ())) + (1 if ready else 0)
    recap = None
    if level == 1 and tally.runs == 0 and work.guidance("recap_template_before_practice"):
        recap = dict(work.pattern.lesson.sections).get("Template")
    return PracticeProblem(
        problem_id=problem.id,
        level=level,
        workspace_file=workspace_file,
        hints_total=len(problem.hints) + extra,
        hints_used=tally.hints,
        failure_hint_ready=ready,
        hint_cost=scoring.PRACTICE_HINT_COST,
        failed_runs=tally.failed_runs,
        runs=tally.runs,
        revealed=tally.revealed,
        can_reveal=stages.may_reveal_solution(tally.failed_runs),
        failed_runs_to_reveal=stages.FAILED_RUNS_BEFORE_REVEAL,
        revealed_cap=scoring.PRACTICE_REVEALED_CAP,
        recap_template=recap,
        hint_style=str(work.guidance("hint_style", "direct")),
        show_solution_notes=bool(work.guidance("show_solution_notes", True)),
    )


def breakdown(score: Decimal, hints: int, failed_runs: int, revealed: bool) -> ScoreBreakdown:
    counted_runs = min(failed_runs, scoring.PRACTICE_FAILED_RUN_COST_CAP)
    return ScoreBreakdown(
        hints=hints,
        hint_cost=scoring.PRACTICE_HINT_COST * hints,
        failed_runs=failed_runs,
        failed_run_cost=scoring.PRACTICE_FAILED_RUN_COST * counted_runs,
        revealed_cap=scoring.PRACTICE_REVEALED_CAP if revealed else None,
        score=score,
    )


def record_run(work: Work, problem_id: str, report: JudgeSummary, seconds: float) -> dict[str, Any]:
    """Score a judged practice run and move on when it passes."""
    position = work.position
    expected = work.pattern.practice_problem(position.level).id
    if problem_id != expected:
        raise UsageError(f"Level {position.level} practice is '{expected}', not '{problem_id}'.")
    tally = work.progress.tally(problem_id)
    total, cases_passed = report.total, report.passed_count
    passed = report.all_passed and total > 0
    score = scoring.practice_score(
        passed=passed, cases_passed=cases_passed, cases_total=total, hints_used=tally.hints,
        failed_runs_before=tally.failed_runs, revealed=tally.revealed,
    )
    evidence = Evidence(
        kind=rules.TEST_RUN, stage=stages.HANDS_ON_PRACTICE, level=position.level, item=problem_id, passed=passed,
        score=score, hints_used=tally.hints, cases_passed=cases_passed, cases_total=total,
        duration_seconds=round(max(0.0, float(seconds)), 1),
    )
    quality = _score_ai_hint(work, evidence)
    work.apply(evidence)
    result: dict[str, Any] = {"passed": passed, "score": score, "ai_hint_quality": quality}
    if not passed:
        result["diagnosis"] = diagnose(work, problem_id, report)
    else:
        work.progress.diagnosed.pop(problem_id, None)
        result["breakdown"] = breakdown(score, tally.hints, tally.failed_runs, tally.revealed)
        work.progress.practice[position.level] = PracticeLevel(problem_id=problem_id, passed=True, score=score)
        next_position = stages.after_practice_problem(position, passed=True)
        work.move(next_position)
        result["next_label"] = next_position.label()
    return result


def diagnose(work: Work, problem_id: str, report: JudgeSummary) -> str | None:
    """The typical mistake the first failing case shows; its hint is offered next (once)."""
    failure = report.first_failure
    problem = find_problem(work.pattern, problem_id)
    if failure is None or not problem.diagnoses:
        return None
    case = FailedCase(args=failure.arguments or {}, expected=failure.expected_value, actual=failure.actual_value,
                      status=failure.status)
    found = matching(problem.diagnoses, case)
    if found is None:
        return None
    if found.id not in work.progress.diagnoses_shown.get(problem_id, []):
        work.progress.diagnosed[problem_id] = found.id
    return found.id


def hint(work: Work, problem_id: str) -> HintOutcome:
    """The next built-in hint: first the one about the last failure, then the fixed ladder."""
    _require_practice(work, "Hints")
    problem = find_problem(work.pattern, problem_id)
    tally = work.progress.tally(problem_id)
    style = str(work.guidance("hint_style", "direct"))
    shown = work.progress.diagnoses_shown.setdefault(problem_id, [])
    pending = work.progress.diagnosed.pop(problem_id, None)
    diagnosis = next((d for d in problem.diagnoses if d.id == pending), None)
    if diagnosis is not None:
        shown.append(diagnosis.id)
        number, text = 0, (diagnosis.ask if style == "socratic" and diagnosis.ask else diagnosis.hint)
    else:
        step = tally.hints - len(shown)
        if step >= len(problem.hints):
            raise RefusedError("There are no more hints for this problem.")
        ladder = problem.socratic_hints if style == "socratic" and problem.socratic_hints else problem.hints
        number, text = step + 1, ladder[step]
    work.apply(
        Evidence(kind=rules.HINT, stage=stages.HANDS_ON_PRACTICE, level=work.position.level, item=problem_id,
                 hints_used=tally.hints + 1)
    )
    return HintOutcome(number=number, total=len(problem.hints), text=text, style=style,
                       about_failure=diagnosis is not None, step=work.step())


def reveal(work: Work, problem_id: str) -> RevealOutcome:
    _require_practice(work, "Solutions")
    find_problem(work.pattern, problem_id)
    tally = work.progress.tally(problem_id)
    if not stages.may_reveal_solution(tally.failed_runs):
        raise RefusedError(
            f"The solution unlocks after {stages.FAILED_RUNS_BEFORE_REVEAL} failed runs "
            f"(you have {tally.failed_runs})."
        )
    newly = not tally.revealed
    if newly:
        work.apply(Evidence(kind=rules.REVEAL, stage=stages.HANDS_ON_PRACTICE, level=work.position.level, item=problem_id))
    return RevealOutcome(problem_id=problem_id, newly_revealed=newly, step=work.step())


def await_hint_outcome(work: Work, problem_id: str, interaction_id: uuid.UUID) -> None:
    """Remember an AI hint so the learner's next run of the problem scores it, even in a later
    sitting (domain.tutoring.hint_quality compares that run with the last one before the hint)."""
    work.progress.ai_hints[problem_id] = PendingAIHint(
        interaction_id=interaction_id, cases_before=work.progress.tally(problem_id).last_cases_passed
    )


def _score_ai_hint(work: Work, evidence: Evidence) -> Decimal | None:
    pending = work.progress.ai_hints.pop(evidence.item, None)
    if pending is None:
        return None
    quality = hint_quality(pending.cases_before, evidence.cases_passed or 0, evidence.cases_total or 0)
    work.session.execute(
        sa.update(AIInteraction)
        .where(AIInteraction.id == pending.interaction_id, AIInteraction.user_id == work.user_id)
        .values(response_quality_score=quality)
    )
    return quality


"""The mastery assessment: unseen problems without hints, then recognition questions.

It is decided the moment every problem is handed in and every question answered; a pass is
the only way a pattern is completed (completion.complete_pattern).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from patternlift_cli.domain import progress as rules
from patternlift_cli.domain import scoring, stages
from patternlift_cli.domain.progress import Evidence
from patternlift_cli.domain.session_state import AssessmentResult as StoredResult
from patternlift_cli.domain.session_state import MasteryProgress
from patternlift_cli.errors import RefusedError, UsageError
from patternlift_cli.ports.learning import (
    AnswerFeedback,
    Assessment,
    AssessmentProblemView,
    AssessmentResult,
    JudgeSummary,
)
from patternlift_cli.services.learning import questions as asking
from patternlift_cli.services.learning.completion import complete_pattern
from patternlift_cli.services.learning.records import Work

WHERE = "assessment"


def require_assessment(work: Work) -> None:
    if work.position.stage != stages.MASTERY_ASSESSMENT:
        raise RefusedError("There is no assessment in progress.")


def pass_score(pattern: Any) -> Decimal:
    return Decimal(str(pattern.mastery.pass_score))


def current(work: Work, workspace_file: Any) -> Assessment:
    require_assessment(work)
    mastery = work.progress.mastery
    problems = list(work.pattern.mastery_problems)
    questions = list(work.pattern.mastery.recognition)
    return Assessment(
        fresh=not mastery.problems and not mastery.answers,
        pass_score=pass_score(work.pattern),
        problems=[
            AssessmentProblemView(
                problem_id=problem.id, number=number, workspace_file=workspace_file(problem),
                final=bool(mastery.problems.get(problem.id) and mastery.problems[problem.id].final),
            )
            for number, problem in enumerate(problems, 1)
        ],
        questions=[
            asking.view(question, number, len(questions), work.user_id, mastery.attempt)
            for number, question in enumerate(questions, 1)
            if question.id not in mastery.answers
        ],
    )


def record_run(work: Work, problem_id: str, report: JudgeSummary, seconds: float) -> dict[str, Any]:
    ids = [problem.id for problem in work.pattern.mastery_problems]
    if problem_id not in ids:
        raise UsageError(f"'{problem_id}' is not a problem of this assessment.")
    record = work.progress.mastery.problem(problem_id)
    if record.final:
        raise RefusedError("That assessment problem is already handed in.")
    total, cases_passed = report.total, report.passed_count
    passed = report.all_passed and total > 0
    score = scoring.assessment_problem_score(
        passed=passed, cases_passed=cases_passed, cases_total=total, failed_runs_before=record.failed_runs
    )
    work.apply(
        Evidence(
            kind=rules.TEST_RUN, stage=stages.MASTERY_ASSESSMENT, level=work.position.level, item=problem_id,
            passed=passed, score=score, cases_passed=cases_passed, cases_total=total,
            duration_seconds=round(max(0.0, float(seconds)), 1),
        )
    )
    record.last_fraction = (Decimal(cases_passed) / total) if total else Decimal(0)
    record.score = score
    record.passed = passed
    if passed:
        record.final = True
    else:
        record.failed_runs += 1
    return {"passed": passed, "score": score, "final": record.final, "assessment": decide_if_done(work)}


def answer(work: Work, question_id: str, response: str, seconds: float) -> AnswerFeedback:
    require_assessment(work)
    mastery = work.progress.mastery
    question = asking.find(list(work.pattern.mastery.recognition), question_id, WHERE)
    feedback = asking.record_answer(
        work, question, response, seconds, attempt=mastery.attempt, answers=mastery.answers, explain_all=False
    )
    if feedback is None:
        return AnswerFeedback(valid=False)
    return feedback.model_copy(update={"assessment": decide_if_done(work)})


def hand_in(work: Work, problem_id: str) -> AssessmentResult | None:
    """Hand in an assessment problem as it stands (its last run's partial score counts)."""
    require_assessment(work)
    if problem_id not in [problem.id for problem in work.pattern.mastery_problems]:
        raise UsageError(f"'{problem_id}' is not a problem of this assessment.")
    work.progress.mastery.problem(problem_id).final = True
    return decide_if_done(work)


def decide_if_done(work: Work) -> AssessmentResult | None:
    """Score the assessment once every problem is final and every question answered."""
    mastery = work.progress.mastery
    problem_ids = [problem.id for problem in work.pattern.mastery_problems]
    questions = list(work.pattern.mastery.recognition)
    if not all(pid in mastery.problems and mastery.problems[pid].final for pid in problem_ids):
        return None
    if not all(question.id in mastery.answers for question in questions):
        return None
    correct = sum(1 for question in questions if mastery.answers[question.id].correct)
    score = scoring.assessment_score([mastery.problems[pid].score for pid in problem_ids], correct, len(questions))
    threshold = pass_score(work.pattern)
    passed = stages.mastery_passed(score, threshold)
    missed = tuple(dict.fromkeys(str(q.concept) for q in questions if not mastery.answers[q.id].correct))
    stored = StoredResult(
        attempt=mastery.attempt, score=score, pass_score=threshold, passed=passed, recognition_correct=correct,
        recognition_total=len(questions), problem_scores={pid: mastery.problems[pid].score for pid in problem_ids},
    )
    mastery.results.append(stored)
    work.apply(
        Evidence(
            kind=rules.MASTERY_RESULT, stage=stages.MASTERY_ASSESSMENT, level=work.position.level,
            item=f"mastery-assessment#{mastery.attempt}", passed=passed, score=score,
            missed_concepts=() if passed else missed,
        )
    )
    if passed:
        stages.after_mastery_assessment(work.position, passed=True)  # the only way to completion
        complete_pattern(work, score)
    else:
        # A fresh attempt: the same problems and questions, scored anew.
        work.progress.mastery = MasteryProgress(attempt=mastery.attempt + 1, results=mastery.results)
    return AssessmentResult(**stored.model_dump())

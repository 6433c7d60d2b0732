"""Asking a question and grading the answer, for the knowledge check and the assessment alike.

Options are shown in an order fixed by (learner, question, attempt), and graded in that same
order here, so what the learner typed means what they saw.
"""

from __future__ import annotations

import uuid
from typing import Any

from patternlift_cli.domain import grading
from patternlift_cli.domain.progress import ANSWER, Evidence
from patternlift_cli.domain.quiz import order_seed, presentation_order
from patternlift_cli.domain.session_state import AnswerRecord
from patternlift_cli.errors import RefusedError, UsageError
from patternlift_cli.ports.learning import AnswerFeedback, QuestionView, ReviewItem
from patternlift_cli.services.learning.records import Work


def shown_order(user_id: uuid.UUID, question: Any, attempt: int) -> tuple[int, ...]:
    return presentation_order(order_seed(user_id, question.id, attempt), len(grading.choices_of(question)))


def view(question: Any, number: int, total: int, user_id: uuid.UUID, attempt: int) -> QuestionView:
    return QuestionView(
        id=question.id,
        number=number,
        total=total,
        kind=str(question.kind),
        prompt=str(question.prompt),
        choices=grading.choices_of(question, shown_order(user_id, question, attempt)),
    )


def review_item(question: Any) -> ReviewItem:
    return ReviewItem(
        concept=str(question.concept),
        prompt=str(question.prompt),
        correct_text=grading.correct_text(question),
        explanation=grading.explanation_of(question),
    )


def find(questions: list[Any], question_id: str, where: str) -> Any:
    for question in questions:
        if question.id == question_id:
            return question
    raise not_part_of(question_id, where)


def not_part_of(question_id: str, where: str) -> UsageError:
    return UsageError(f"Question '{question_id}' is not part of this {where}.")


def record_answer(
    work: Work,
    question: Any,
    response: str,
    seconds: float,
    *,
    attempt: int,
    answers: dict[str, AnswerRecord],
    explain_all: bool,
) -> AnswerFeedback | None:
    """Grade and record one answer; None when the response is not an answer at all."""
    if question.id in answers:
        raise RefusedError("That question is already answered in this attempt.")
    grade = grading.grade_answer(question, response, shown_order(work.user_id, question, attempt))
    if not grade.valid:
        return None
    answers[question.id] = AnswerRecord(correct=grade.correct, response=grade.response)
    work.apply(
        Evidence(
            kind=ANSWER,
            stage=work.position.stage,
            level=work.row.current_level or 1,
            item=question.id,
            passed=grade.correct,
            score=100 if grade.correct else 0,
            concept=str(question.concept),
            question_kind=str(question.kind),
            choices=len(grading.choices_of(question)),
            duration_seconds=round(max(0.0, float(seconds)), 1),
        )
    )
    return AnswerFeedback(
        valid=True,
        correct=grade.correct,
        explanation=grade.explanation,
        correct_text=grade.correct_text,
        others=list(grade.other_explanations),
        explain_all=explain_all,
    )

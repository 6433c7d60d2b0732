"""`/v1/review/...`: spaced review of mastered patterns (`ports.review.Review`) for the token's learner.

The schedule lives on the server; the review problem's file is written and judged on the
learner's machine (as practice is), and its outcome recorded from the report.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from patternlift_cli.ports.learning import AnswerFeedback, JudgeSummary
from patternlift_cli.ports.learning_requests import ReviewAnswer, ReviewFinish, ReviewRun
from patternlift_cli.ports.review import ReviewDue, ReviewOutcome, ReviewSession
from patternlift_cli.server.content_check import require_same_content
from patternlift_cli.server.deps import CurrentLearner, LearnerDB, Now
from patternlift_cli.server.idempotency import IdempotentRoute
from patternlift_cli.server.routes_learning import PROBLEMS

router = APIRouter(
    prefix="/v1/review",
    tags=["review"],
    responses=PROBLEMS,
    route_class=IdempotentRoute,
    dependencies=[Depends(require_same_content)],
)


def _review(request: Request, learner: CurrentLearner, db: LearnerDB, now: Now):  # type: ignore[no-untyped-def]
    from patternlift_cli.services.learning.review import LocalReview

    return LocalReview(db, learner.id, clock=lambda: now, write_files=False)


Review = Any
ReviewDep = Depends(_review)


@router.get("/due", response_model=list[ReviewDue])
def due(review: Review = ReviewDep) -> list[ReviewDue]:
    return review.due()


@router.post("/{pattern_id}/start", response_model=ReviewSession)
def start(pattern_id: str, review: Review = ReviewDep) -> ReviewSession:
    return review.start(pattern_id)


@router.post("/{pattern_id}/answers", response_model=AnswerFeedback)
def answer(pattern_id: str, body: ReviewAnswer, review: Review = ReviewDep) -> AnswerFeedback:
    return review.answer(pattern_id, body.question_id, body.response)


@router.post("/{pattern_id}/runs", response_model=JudgeSummary)
def record_run(pattern_id: str, body: ReviewRun, review: Review = ReviewDep) -> JudgeSummary:
    return review.record_run(pattern_id, body.report)


@router.post("/{pattern_id}/finish", response_model=ReviewOutcome)
def finish(pattern_id: str, body: ReviewFinish, review: Review = ReviewDep) -> ReviewOutcome:
    return review.finish(pattern_id, body.seconds)

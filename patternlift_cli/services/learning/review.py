"""Spaced review of mastered patterns: what is due, one review at a time, and its schedule.

A review asks recognition questions and one short problem, solved again in a fresh file; its
rating (domain.review.rate) moves the FSRS card and is logged. A failed review also lowers the
learner model's estimate of every concept of the pattern (domain.knowledge.forget).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from patternlift_cli.db.models import LearningSession, PatternReview, ReviewLog
from patternlift_cli.db.upsert import insert_ignoring_duplicates
from patternlift_cli.domain import grading
from patternlift_cli.domain import review as schedule
from patternlift_cli.domain.knowledge import forget, pattern_figure
from patternlift_cli.domain.session_state import StageProgress
from patternlift_cli.errors import RefusedError, UsageError
from patternlift_cli.ports.learning import AnswerFeedback, JudgeSummary
from patternlift_cli.ports.review import ReviewDue, ReviewOutcome, ReviewSession
from patternlift_cli.services.learning import questions as asking

QUESTIONS_PER_REVIEW = 2


def schedule_first_review(session: Session, user_id: uuid.UUID, pattern_id: str, now: datetime) -> None:
    """Called when a pattern is mastered: its first review is set (a restart keeps the card)."""
    card = schedule.first_card(now)
    session.execute(insert_ignoring_duplicates(PatternReview.__table__, session.get_bind().dialect.name,
                                               ["user_id", "pattern_id"], {
        "id": uuid.uuid4(), "user_id": user_id, "pattern_id": pattern_id, "card": card,
        "due_at": schedule.due_at(card), "pending": {}, "created_at": now, "updated_at": now,
    }))


def review_questions(pattern: Any, reps: int) -> list[Any]:
    """Recognition questions from the check's pool and the assessment, a different pair each time."""
    pool = [q for q in pattern.questions if q.kind == "recognition"] + list(pattern.mastery.recognition)
    if not pool:
        return []
    start = (reps * QUESTIONS_PER_REVIEW) % len(pool)
    return [pool[(start + offset) % len(pool)] for offset in range(min(QUESTIONS_PER_REVIEW, len(pool)))]


def review_file(problem: Any) -> Path:
    from patternlift_cli.practice.workspace import review_file as beside_practice

    return beside_practice(problem)


class LocalReview:
    """`ports.learning.Review` on a database."""

    def __init__(self, db: Any, user_id: uuid.UUID, *, clock: Any, write_files: bool = True) -> None:
        self.db = db
        self.user_id = user_id
        self.clock = clock
        # The server keeps the schedule; the review file is written on the learner's machine.
        self.write_files = write_files

    def _card(self, session: Session, pattern_id: str, *, lock: bool = False) -> PatternReview:
        query = select(PatternReview).where(PatternReview.user_id == self.user_id, PatternReview.pattern_id == pattern_id)
        row = session.exec(query.with_for_update() if lock else query).first()
        if row is None:
            raise UsageError(f"'{pattern_id}' has no review scheduled: reviews start once a pattern is mastered.")
        return row

    def due(self) -> list[ReviewDue]:
        from patternlift_cli.content.loader import get_pattern

        now = self.clock()
        with self.db.session() as session:
            rows = session.exec(
                select(PatternReview).where(PatternReview.user_id == self.user_id, PatternReview.due_at <= now)
                .order_by(PatternReview.due_at)
            ).all()
        return [ReviewDue(pattern_id=row.pattern_id, pattern_name=get_pattern(row.pattern_id).name, due_at=row.due_at,
                          overdue=(now - row.due_at).days >= 1) for row in rows]

    def start(self, pattern_id: str) -> ReviewSession:
        from patternlift_cli.content.loader import get_pattern
        from patternlift_cli.practice.workspace import starter_code

        pattern = get_pattern(pattern_id)
        problem = pattern.practice_problem(1)
        path = review_file(problem)
        with self.db.session(write=True) as session:
            row = self._card(session, pattern.id, lock=True)
            pending = dict(row.pending or {})
            fresh = not pending
            if fresh:
                pending = {"questions": [q.id for q in review_questions(pattern, row.reps)], "answers": {},
                           "problem_passed": None}
                if self.write_files:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(starter_code(problem), encoding="utf-8")  # solved again, from scratch
                row.pending = pending
            by_id = {q.id: q for q in [*pattern.questions, *pattern.mastery.recognition]}
            asked = [by_id[qid] for qid in pending["questions"] if qid in by_id]
            views = [asking.view(q, n, len(asked), self.user_id, row.reps + 1) for n, q in enumerate(asked, 1)
                     if q.id not in pending["answers"]]
        return ReviewSession(pattern_id=pattern.id, pattern_name=pattern.name, questions=views, problem_id=problem.id,
                             workspace_file=str(path), problem_passed=pending["problem_passed"], fresh=fresh)

    def answer(self, pattern_id: str, question_id: str, response: str) -> AnswerFeedback:
        from patternlift_cli.content.loader import get_pattern

        pattern = get_pattern(pattern_id)
        with self.db.session(write=True) as session:
            row = self._card(session, pattern.id, lock=True)
            pending = dict(row.pending or {})
            if question_id not in pending.get("questions", ()):
                raise UsageError(f"Question '{question_id}' is not part of this review.")
            if question_id in pending["answers"]:
                raise RefusedError("That question is already answered in this review.")
            question = asking.find([*pattern.questions, *pattern.mastery.recognition], question_id, "review")
            grade = grading.grade_answer(question, response, asking.shown_order(self.user_id, question, row.reps + 1))
            if not grade.valid:
                return AnswerFeedback(valid=False)
            pending["answers"] = {**pending["answers"], question_id: grade.correct}
            row.pending = pending
        return AnswerFeedback(valid=True, correct=grade.correct, explanation=grade.explanation,
                              correct_text=grade.correct_text)

    def run(self, pattern_id: str) -> JudgeSummary:
        from patternlift_cli.content.loader import get_pattern
        from patternlift_cli.practice.judge import judge_file

        problem = get_pattern(pattern_id).practice_problem(1)
        return self.record_run(pattern_id, JudgeSummary.of(judge_file(problem, review_file(problem))))

    def record_run(self, pattern_id: str, report: JudgeSummary) -> JudgeSummary:
        """Keep whether the review problem passed (judged where the learner is, like practice)."""
        with self.db.session(write=True) as session:
            row = self._card(session, pattern_id, lock=True)
            if not row.pending:
                raise RefusedError("Start the review first (`patternlift review`).")
            row.pending = {**(row.pending or {}), "problem_passed": report.all_passed}
        return report

    def finish(self, pattern_id: str, seconds: float) -> ReviewOutcome:
        now = self.clock()
        with self.db.session(write=True) as session:
            row = self._card(session, pattern_id, lock=True)
            pending = dict(row.pending or {})
            if not pending or pending.get("problem_passed") is None:
                raise RefusedError("Run the review problem first (r), then finish the review.")
            answers = pending.get("answers") or {}
            right, total = sum(1 for ok in answers.values() if ok), len(pending.get("questions") or ())
            rating = schedule.rate(questions_right=right, questions_total=total,
                                   problem_passed=bool(pending["problem_passed"]), seconds=seconds)
            name = schedule.RATING_NAMES[rating]
            due_before = row.due_at
            card = schedule.review(row.card, rating, now)
            row.card, row.due_at, row.pending = card, schedule.due_at(card), {}
            row.reps += 1
            row.lapses += name == "again"
            row.last_rating, row.last_reviewed_at, row.updated_at = name, now, now
            session.add(ReviewLog(user_id=self.user_id, pattern_id=pattern_id, rating=name, questions_right=right,
                                  questions_total=total, problem_passed=bool(pending["problem_passed"]),
                                  seconds=Decimal(str(round(seconds, 1))), due_before=due_before,
                                  due_after=row.due_at, reviewed_at=now))
            estimate = self._after_review(session, pattern_id, failed=name == "again", now=now)
            return ReviewOutcome(pattern_id=pattern_id, rating=name, questions_right=right, questions_total=total,
                                 problem_passed=bool(pending["problem_passed"]), next_due_at=row.due_at,
                                 mastery_estimate=estimate)

    def _after_review(self, session: Session, pattern_id: str, *, failed: bool, now: datetime) -> Decimal | None:
        """A failed review lowers the learner model's estimate of each concept of the pattern."""
        learning = session.exec(
            select(LearningSession).where(LearningSession.user_id == self.user_id,
                                          LearningSession.pattern_id == pattern_id).with_for_update()
        ).first()
        if learning is None:
            return None
        progress = StageProgress.load(learning.stage_progress, learning.attempt_history or ())
        if failed:
            progress.knowledge = {name: forget(skill, f"review:{now:%Y-%m-%d}") for name, skill in progress.knowledge.items()}
            learning.stage_progress = progress.dump()
            learning.updated_at = now
        return pattern_figure(progress.knowledge)

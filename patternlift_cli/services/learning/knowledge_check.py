"""The knowledge check: the questions of an attempt, each answer, the verdict, the review."""

from __future__ import annotations

from typing import Any

from patternlift_cli.domain import progress as rules
from patternlift_cli.domain import question_pool, stages
from patternlift_cli.domain.progress import Evidence
from patternlift_cli.domain.session_state import CheckResult as StoredResult
from patternlift_cli.errors import RefusedError
from patternlift_cli.ports.learning import AnswerFeedback, CheckResult, KnowledgeCheck
from patternlift_cli.services.learning import questions as asking
from patternlift_cli.services.learning.records import Work

WHERE = "knowledge check"


def _require_stage(work: Work) -> None:
    if work.position.stage != stages.KNOWLEDGE_CHECK:
        raise RefusedError(f"No knowledge check is open during {work.position.label().lower()}.")


def attempt_question_ids(work: Work) -> list[str]:
    """This attempt's question ids, in the order they are asked: drawn from the pattern's pool
    when the attempt starts (unseen first, missed concepts first on a retry), then kept, so a
    resumed attempt asks the same questions, variants generated from the same seed."""
    check, pattern = work.progress.knowledge_check, work.pattern
    if not check.questions:
        if check.seed is None:
            check.seed = question_pool.attempt_seed(work.user_id, pattern.id, check.attempt)
        missed = check.results[-1].missed_concepts if check.results else ()
        check.questions = list(question_pool.draw_check(
            pattern.pool_entries(), size=question_pool.CHECK_SIZE, seen=check.seen, missed_concepts=missed,
            seed=check.seed, renewable={variant.id for variant in pattern.variants},
        ))
    known = {question.id for question in pattern.question_pool}
    return [question_id for question_id in check.questions if question_id in known]


def _question(work: Work, question_id: str) -> Any:
    check = work.progress.knowledge_check
    return work.pattern.check_question(question_id, question_pool.variant_seed(check.seed or 0, question_id))


def attempt_questions(work: Work) -> list[Any]:
    """This attempt's questions (see `attempt_question_ids`), each generated from its seed."""
    return [_question(work, question_id) for question_id in attempt_question_ids(work)]


def current(work: Work) -> KnowledgeCheck:
    _require_stage(work)
    check = work.progress.knowledge_check
    drawn = attempt_questions(work)
    review = None
    if check.review is not None:
        by_id = {question.id: question for question in drawn}
        review = [asking.review_item(by_id[qid]) for qid in check.review if qid in by_id]
    remaining = [
        asking.view(question, number, len(drawn), work.user_id, check.attempt)
        for number, question in enumerate(drawn, 1)
        if question.id not in check.answers
    ]
    return KnowledgeCheck(
        attempt=check.attempt,
        total=len(drawn),
        pass_percent=stages.KNOWLEDGE_CHECK_PASS_PERCENT,
        fresh=not check.answers,
        questions=[] if review is not None else remaining,
        review=review,
    )


def answer(work: Work, question_id: str, response: str, seconds: float) -> AnswerFeedback:
    _require_stage(work)
    check = work.progress.knowledge_check
    if check.review is not None:
        raise RefusedError("Review the missed concepts before answering again.")
    # Only the answered question is generated (a variant costs its generator's run); all of
    # them only when the answer completes the attempt.
    drawn = attempt_question_ids(work)
    if question_id not in drawn:
        raise asking.not_part_of(question_id, WHERE)
    question = _question(work, question_id)
    feedback = asking.record_answer(
        work, question, response, seconds, attempt=check.attempt, answers=check.answers,
        explain_all=bool(work.guidance("explain_all_options")),
    )
    if feedback is None:
        return AnswerFeedback(valid=False)
    if all(drawn_id in check.answers for drawn_id in drawn):
        feedback = feedback.model_copy(update={"check": _decide(work, attempt_questions(work))})
    return feedback


def _decide(work: Work, drawn: list[Any]) -> CheckResult:
    check = work.progress.knowledge_check
    missed = [question for question in drawn if not check.answers[question.id].correct]
    correct = len(drawn) - len(missed)
    passed = stages.knowledge_check_passed(correct, len(drawn))
    score = stages.percent(correct, len(drawn))
    missed_concepts = list(dict.fromkeys(str(question.concept) for question in missed))
    stored = StoredResult(
        attempt=check.attempt, score=score, passed=passed, correct=correct, total=len(drawn),
        missed=[question.id for question in missed], missed_concepts=missed_concepts,
    )
    check.results.append(stored)
    work.apply(
        Evidence(
            kind=rules.KNOWLEDGE_CHECK_RESULT,
            stage=stages.KNOWLEDGE_CHECK,
            item=f"knowledge-check#{check.attempt}",
            passed=passed,
            score=score,
            missed_concepts=() if passed else tuple(missed_concepts),
        )
    )
    if passed:
        work.move(stages.after_knowledge_check(work.position, passed=True))
    else:
        check.review = stored.missed
    return CheckResult(**stored.model_dump(), pass_percent=stages.KNOWLEDGE_CHECK_PASS_PERCENT)


def finish_review(work: Work) -> None:
    """The missed concepts were reviewed: a fresh attempt begins."""
    check = work.progress.knowledge_check
    if check.review is None:
        return
    check.seen = list(dict.fromkeys([*check.seen, *check.questions]))
    check.review = None
    check.answers = {}
    check.questions = []
    check.seed = None
    check.attempt += 1

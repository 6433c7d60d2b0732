"""Learning use cases: sessions, evidence, stage transitions, mastery and achievements.

Every public function is one transaction and returns plain data; nothing here prints. The
learner's position and everything needed to resume lives in `learning_sessions.stage_progress`
(layout below), and every answer, test run, hint and reveal is committed as it happens, so a
quit, Ctrl-C or killed process loses at most the answer in flight.

stage_progress::

    introduction     {"page": int, "done": bool}
    knowledge_check  {"attempt": int, "answers": {question_id: {"correct": bool, "response": str}},
                      "review": [question_id, ...] | null,   # missed questions awaiting review
                      "results": [{"attempt", "score", "passed", "missed"}]}
    practice         {"1": {"problem_id", "passed", "score"}, "2": ..., "3": ...}
    problems         {problem_id: ProblemTally}             # runs, failed runs, hints, reveal
    ai_hints         {problem_id: {"interaction_id", "cases_before"}}  # scored by the next run
    mastery          {"attempt": int,
                      "problems": {problem_id: {"failed_runs", "last_fraction", "score",
                                                "passed", "final"}},
                      "answers": {question_id: {"correct": bool, "response": str}},
                      "results": [{"attempt", "score", "passed"}]}

`calculate_mastery_score` and `update_learning_progress` carry the names of the seed's database
functions and return what they return: a numeric, and a jsonb-like dict.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, select

from patternlift_cli.db.database import ready_engine
from patternlift_cli.db.engine import session_scope
from patternlift_cli.db.models import (
    AIInteraction,
    LearningSession,
    PatternProgress,
    UserAchievement,
    UserCalibration,
)
from patternlift_cli.db.types import LearningStage
from patternlift_cli.domain import achievements as achievement_rules
from patternlift_cli.domain import progress as rules
from patternlift_cli.domain import stages
from patternlift_cli.domain.calibration import CalibrationResult
from patternlift_cli.domain.progress import Evidence, ProblemTally, ProgressState
from patternlift_cli.domain.stages import Position
from patternlift_cli.domain.tutoring import hint_quality
from patternlift_cli.errors import UsageError

if TYPE_CHECKING:
    from patternlift_cli.content.models import Pattern, Problem, Question

# ----- the curriculum, as the loop needs it ---------------------------------------------------


def load_pattern(pattern_id: str) -> Pattern:
    """The curriculum pattern, or UnknownPatternError with the closest names (exit 2)."""
    from patternlift_cli.content import loader

    return loader.get_pattern(pattern_id)


def practice_problem(pattern: Pattern, level: int) -> Problem:
    return pattern.practice_problem(level)


def mastery_problems(pattern: Pattern) -> list[Problem]:
    return list(pattern.mastery_problems)


def knowledge_questions(pattern: Pattern) -> list[Question]:
    return list(pattern.questions)


def mastery_questions(pattern: Pattern) -> list[Question]:
    return list(pattern.mastery.recognition)


def mastery_pass_score(pattern: Pattern) -> Decimal:
    return Decimal(str(pattern.mastery.pass_score))


def problem_hints(problem: Problem) -> list[str]:
    return list(problem.hints)


# ----- grading answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerGrade:
    valid: bool                 # False: not an answer at all (ask again, record nothing)
    correct: bool = False
    response: str = ""          # normalised, as stored
    chosen_text: str = ""
    explanation: str = ""
    correct_text: str = ""
    other_explanations: tuple[tuple[str, str], ...] = ()  # (option, why) for the deep review


def _normalise_short(text: str) -> str:
    text = re.sub(r"\s+", "", text.strip().lower())
    if text.startswith("o(") and text.endswith(")"):
        text = text[2:-1]
    return text.replace("*", "").replace("^", "")


def _pick(response: str, count: int) -> int | None:
    """'b', 'B', '2' or '2.' -> index 1."""
    token = response.strip().lower().rstrip(".)")
    if len(token) == 1 and "a" <= token <= "z":
        index = ord(token) - ord("a")
    elif token.isdigit():
        index = int(token) - 1
    else:
        return None
    return index if 0 <= index < count else None


def choices_of(question: Question, order: Sequence[int] | None = None) -> list[str]:
    """The texts a learner chooses between, in the order shown (empty for short answers)."""
    kind = question.kind
    if kind == "multiple_choice":
        texts = [str(option.text) for option in question.options]
    elif kind == "recognition":
        texts = [str(choice) for choice in question.choices]
    else:
        return []
    return [texts[index] for index in (order or range(len(texts)))]


def _normalise_choice(text: str) -> str:
    return " ".join(text.replace("`", "").strip().rstrip(".").casefold().split())


def _chosen_index(response: str, shown: list[str]) -> int | None:
    """A letter, a number, or the choice's own text (how a script answers without knowing the order)."""
    index = _pick(response, len(shown))
    if index is None:
        typed = _normalise_choice(response)
        matches = [i for i, text in enumerate(shown) if _normalise_choice(text) == typed]
        index = matches[0] if len(matches) == 1 else None
    return index


def grade_answer(question: Question, response: str, order: Sequence[int] | None = None) -> AnswerGrade:
    """Grade a response to the question as shown in `order` (authoring order when None)."""
    kind = question.kind
    explanation = str(question.explanation or "")
    if kind == "multiple_choice":
        options = list(question.options)
        positions = list(order or range(len(options)))
        index = _chosen_index(response, choices_of(question, positions))
        if index is None:
            return AnswerGrade(valid=False)
        chosen = options[positions[index]]
        right = next(option for option in options if option.correct)
        return AnswerGrade(
            valid=True,
            correct=chosen.correct,
            # Stored by authoring position, so records mean the same option for every learner.
            response=chr(ord("a") + positions[index]),
            chosen_text=chosen.text,
            explanation=chosen.explanation,
            correct_text=right.text,
            other_explanations=tuple(
                (options[i].text, options[i].explanation) for i in positions if options[i] is not chosen
            ),
        )
    if kind == "recognition":
        shown = choices_of(question, order)
        index = _chosen_index(response, shown)
        if index is None:
            return AnswerGrade(valid=False)
        return AnswerGrade(
            valid=True,
            correct=shown[index] == str(question.answer),
            response=shown[index],
            chosen_text=shown[index],
            explanation=explanation,
            correct_text=str(question.answer),
        )
    # short_answer
    if not response.strip():
        return AnswerGrade(valid=False)
    accepted = list(question.accepted)
    given = _normalise_short(response)
    return AnswerGrade(
        valid=True,
        correct=any(given == _normalise_short(item) for item in accepted),
        response=response.strip(),
        chosen_text=response.strip(),
        explanation=explanation,
        correct_text=accepted[0] if accepted else "",
    )


# ----- the session as the loop sees it ----------------------------------------------------------


@dataclass(frozen=True)
class SessionView:
    session_id: uuid.UUID
    user_id: uuid.UUID
    pattern_id: str
    stage: str                      # a stages.* name, including "completed"
    level: int
    stage_progress: dict[str, Any]
    understanding: Decimal
    persona_type: str
    guidance: dict[str, Any] | None  # None until calibrated
    struggles: tuple[str, ...]
    best_score: Decimal
    current_score: Decimal
    attempts_count: int
    completed_at: datetime | None

    @property
    def calibrated(self) -> bool:
        return self.guidance is not None

    @property
    def position(self) -> Position:
        return Position(self.stage, self.level)

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.stage_progress.get(name) or {})

    def tally(self, problem_id: str) -> ProblemTally:
        return ProblemTally.from_dict((self.stage_progress.get("problems") or {}).get(problem_id))


def _stage_of(row: LearningSession) -> str:
    if row.completed_at is not None:
        return stages.COMPLETED
    stage = row.current_stage
    return stage.value if isinstance(stage, LearningStage) else str(stage or stages.INTRODUCTION)


def _view(row: LearningSession, calibration: UserCalibration | None) -> SessionView:
    return SessionView(
        session_id=row.id,
        user_id=row.user_id,  # type: ignore[arg-type]
        pattern_id=row.pattern_id or "",
        stage=_stage_of(row),
        level=row.current_level or 1,
        stage_progress=copy.deepcopy(row.stage_progress or {}),
        understanding=Decimal(row.understanding_level if row.understanding_level is not None else 50),
        persona_type=row.persona_type or "balanced_learner",
        guidance=dict(calibration.guidance_config) if calibration else None,
        struggles=tuple(row.struggle_indicators or ()),
        best_score=Decimal(row.best_score or 0),
        current_score=Decimal(row.current_score or 0),
        attempts_count=row.attempts_count or 0,
        completed_at=row.completed_at,
    )


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("naive datetime given; PatternLift works in timezone-aware UTC")
    return now.astimezone(UTC)


def _current_user_id(session: Session) -> uuid.UUID:
    from patternlift_cli.services.accounts import require_current_profile

    return require_current_profile(session).id


def _calibration(session: Session, user_id: uuid.UUID, pattern_id: str) -> UserCalibration | None:
    return session.exec(
        select(UserCalibration).where(
            UserCalibration.user_id == user_id, UserCalibration.pattern_id == pattern_id
        )
    ).first()


def _session_row(session: Session, user_id: uuid.UUID, pattern_id: str) -> LearningSession | None:
    return session.exec(
        select(LearningSession).where(
            LearningSession.user_id == user_id, LearningSession.pattern_id == pattern_id
        )
    ).first()


def _locked_row(session: Session, user_id: uuid.UUID, session_id: uuid.UUID) -> LearningSession:
    row = session.exec(
        select(LearningSession).where(LearningSession.id == session_id).with_for_update()
    ).first()
    if row is None or row.user_id != user_id:
        raise UsageError("That learning session does not exist for this learner.")
    return row


def open_session(pattern_id: str, *, now: datetime | None = None) -> SessionView:
    """The signed-in learner's session for the pattern, created at the introduction if new."""
    now = _now(now)
    with session_scope(ready_engine(), immediate=True) as session:
        user_id = _current_user_id(session)
        row = _session_row(session, user_id, pattern_id)
        if row is None:
            row = LearningSession(
                user_id=user_id, pattern_id=pattern_id, created_at=now, updated_at=now
            )
            session.add(row)
            session.flush()
        return _view(row, _calibration(session, user_id, pattern_id))


def restart_session(pattern_id: str, *, now: datetime | None = None) -> SessionView:
    """Start the pattern over. Calibration, achievements and mastery already earned stay."""
    now = _now(now)
    with session_scope(ready_engine(), immediate=True) as session:
        user_id = _current_user_id(session)
        row = _session_row(session, user_id, pattern_id)
        if row is None:
            row = LearningSession(user_id=user_id, pattern_id=pattern_id, created_at=now)
            session.add(row)
        row.current_stage = LearningStage.introduction
        row.current_level = 1
        row.stage_progress = {}
        row.understanding_level = rules.UNDERSTANDING_START
        row.attempt_history = []
        row.struggle_indicators = []
        row.mastery_scores = {}
        row.best_score = Decimal(0)
        row.current_score = Decimal(0)
        row.attempts_count = 0
        row.is_active = True
        row.completed_at = None
        row.updated_at = now
        session.flush()
        return _view(row, _calibration(session, user_id, pattern_id))


def save_calibration(
    session_id: uuid.UUID, result: CalibrationResult, *, now: datetime | None = None
) -> dict[str, Any]:
    """Store (or replace) the learner's calibration for the session's pattern."""
    now = _now(now)
    with session_scope(ready_engine(), immediate=True) as session:
        user_id = _current_user_id(session)
        row = _locked_row(session, user_id, session_id)
        calibration = _calibration(session, user_id, row.pattern_id or "")
        if calibration is None:
            calibration = UserCalibration(
                user_id=user_id,
                pattern_id=row.pattern_id or "",
                persona_type=result.persona_type,
                total_score=result.total_score,
                responses=dict(result.responses),
                guidance_config=dict(result.guidance_config),
                created_at=now,
            )
            session.add(calibration)
        else:
            calibration.persona_type = result.persona_type
            calibration.total_score = result.total_score
            calibration.responses = dict(result.responses)
            calibration.guidance_config = dict(result.guidance_config)
        calibration.updated_at = now
        row.persona_type = result.persona_type
        row.updated_at = now
        session.flush()
        return _finish_update(session, row, now, result={"calibration": result.persona_type})


def save_lesson_page(session_id: uuid.UUID, page: int, *, now: datetime | None = None) -> None:
    """Remember the lesson page the learner reached (resume shows it again)."""
    now = _now(now)
    with session_scope(ready_engine(), immediate=True) as session:
        row = _locked_row(session, _current_user_id(session), session_id)
        progress = copy.deepcopy(row.stage_progress or {})
        progress.setdefault("introduction", {})["page"] = max(0, page)
        row.stage_progress = progress
        row.updated_at = now


def complete_lesson(session_id: uuid.UUID, *, now: datetime | None = None) -> dict[str, Any]:
    """The introduction is read: on to the knowledge check."""
    now = _now(now)
    with session_scope(ready_engine(), immediate=True) as session:
        row = _locked_row(session, _current_user_id(session), session_id)
        if _stage_of(row) != stages.INTRODUCTION:
            return _finish_update(session, row, now)
        progress = copy.deepcopy(row.stage_progress or {})
        progress.setdefault("introduction", {})["done"] = True
        row.stage_progress = progress
        _move(row, stages.after_lesson(_position(row)))
        row.updated_at = now
        return _finish_update(session, row, now)


def finish_review(session_id: uuid.UUID, *, now: datetime | None = None) -> dict[str, Any]:
    """The missed concepts were reviewed: a fresh knowledge-check attempt begins."""
    now = _now(now)
    with session_scope(ready_engine(), immediate=True) as session:
        row = _locked_row(session, _current_user_id(session), session_id)
        progress = copy.deepcopy(row.stage_progress or {})
        check = progress.setdefault("knowledge_check", {})
        if check.get("review") is not None:
            check["review"] = None
            check["answers"] = {}
            check["attempt"] = int(check.get("attempt", 1)) + 1
        row.stage_progress = progress
        row.updated_at = now
        return _finish_update(session, row, now)


# ----- evidence -------------------------------------------------------------------------------


def _position(row: LearningSession) -> Position:
    return Position(_stage_of(row), row.current_level or 1)


def _move(row: LearningSession, position: Position) -> None:
    if position.is_completed:
        return  # completion is written by _complete_pattern, with its records
    row.current_stage = LearningStage(position.stage)
    row.current_level = position.level


def _state_of(row: LearningSession) -> ProgressState:
    problems = (row.stage_progress or {}).get("problems") or {}
    return ProgressState(
        understanding=Decimal(row.understanding_level if row.understanding_level is not None else 50),
        struggles=tuple(row.struggle_indicators or ()),
        attempts=tuple(row.attempt_history or ()),
        problems={pid: ProblemTally.from_dict(data) for pid, data in problems.items()},
        best_score=Decimal(row.best_score or 0),
        current_score=Decimal(row.current_score or 0),
        attempts_count=row.attempts_count or 0,
        mastery_scores=dict(row.mastery_scores or {}),
    )


def _store_state(row: LearningSession, state: ProgressState, progress: dict[str, Any]) -> None:
    progress["problems"] = {pid: tally.to_dict() for pid, tally in state.problems.items()}
    row.stage_progress = progress
    row.understanding_level = state.understanding
    row.struggle_indicators = list(state.struggles)
    row.attempt_history = list(state.attempts)
    row.best_score = state.best_score
    row.current_score = state.current_score
    row.attempts_count = state.attempts_count
    row.mastery_scores = dict(state.mastery_scores)


def _coerce(evidence: Evidence | Mapping[str, Any]) -> Evidence:
    return evidence if isinstance(evidence, Evidence) else Evidence.from_dict(evidence)


def update_learning_progress(
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    evidence: Evidence | Mapping[str, Any],
    *,
    response: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record one piece of evidence and everything it implies, in one transaction.

    The score of a test run is computed here from the problem's record (hints, failed runs,
    reveal), so callers pass what happened, not what it is worth. A knowledge check or mastery
    assessment is scored and decided as soon as its last item is answered.

    Returns {"stage", "level", "understanding_level", "current_score", "best_score",
    "attempts_count", "struggle_indicators", "unlocked_achievements", "completed", "result"}.
    """
    now = _now(now)
    evidence = _coerce(evidence)
    with session_scope(ready_engine(), immediate=True) as session:
        row = _locked_row(session, user_id, session_id)
        pattern = load_pattern(row.pattern_id or "")
        position = _position(row)
        if position.is_completed:
            raise UsageError("This pattern is already mastered; `learn --restart` starts it over.")
        if evidence.stage != position.stage:
            raise UsageError(
                f"Evidence for {evidence.stage} arrived during {position.label().lower()}."
            )
        progress = copy.deepcopy(row.stage_progress or {})
        state = _state_of(row)
        result: dict[str, Any] = {}

        if evidence.kind == rules.ANSWER:
            state, result = _record_answer(row, pattern, progress, state, evidence, response, now)
        elif evidence.kind == rules.TEST_RUN:
            state, result = _record_run(row, pattern, progress, state, evidence, now)
            quality = _score_ai_hint(session, row, progress, evidence)
            if quality is not None:
                result["ai_hint_quality"] = quality
        elif evidence.kind == rules.HINT:
            tally = state.tally(evidence.item)
            hints = problem_hints(_find_problem(pattern, evidence.item))
            if position.stage != stages.HANDS_ON_PRACTICE:
                raise UsageError("Hints are not available in the mastery assessment.")
            if tally.hints >= len(hints):
                raise UsageError("There are no more hints for this problem.")
            evidence = replace(evidence, hints_used=tally.hints + 1)
            state = rules.apply_evidence(state, evidence, now)
            result = {"hint_index": tally.hints, "hint": hints[tally.hints]}
        elif evidence.kind == rules.REVEAL:
            tally = state.tally(evidence.item)
            if position.stage != stages.HANDS_ON_PRACTICE:
                raise UsageError("The solution cannot be shown during the mastery assessment.")
            if not stages.may_reveal_solution(tally.failed_runs):
                raise UsageError(
                    f"The solution unlocks after {stages.FAILED_RUNS_BEFORE_REVEAL} failed runs "
                    f"(you have {tally.failed_runs})."
                )
            state = rules.apply_evidence(state, evidence, now)
            result = {"revealed": evidence.item}
        else:
            raise UsageError(
                f"'{evidence.kind}' is decided by the service from the answers, not sent in."
            )
        _store_state(row, state, progress)
        row.updated_at = now
        session.flush()
        return _finish_update(session, row, now, result=result)


def await_hint_outcome(
    user_id: uuid.UUID, session_id: uuid.UUID, problem_id: str, interaction_id: uuid.UUID
) -> None:
    """Remember an AI hint so the learner's next run of the problem scores it, even in a later sitting.

    The score (domain.tutoring.hint_quality) compares that run with the last run before the
    hint, so it is written with the run's own evidence, in its transaction.
    """
    with session_scope(ready_engine(), immediate=True) as session:
        row = _locked_row(session, user_id, session_id)
        progress = copy.deepcopy(row.stage_progress or {})
        runs = [
            attempt for attempt in row.attempt_history or ()
            if attempt.get("kind") == rules.TEST_RUN and attempt.get("item") == problem_id
        ]
        cases_before = int(runs[-1].get("cases_passed") or 0) if runs else 0
        progress.setdefault("ai_hints", {})[problem_id] = {
            "interaction_id": str(interaction_id),
            "cases_before": cases_before,
        }
        row.stage_progress = progress


def _score_ai_hint(
    session: Session, row: LearningSession, progress: dict[str, Any], evidence: Evidence
) -> Decimal | None:
    pending = (progress.get("ai_hints") or {}).pop(evidence.item, None)
    if not pending:
        return None
    quality = hint_quality(int(pending["cases_before"]), evidence.cases_passed or 0, evidence.cases_total or 0)
    session.execute(
        sa.update(AIInteraction)
        .where(AIInteraction.id == uuid.UUID(pending["interaction_id"]), AIInteraction.user_id == row.user_id)
        .values(response_quality_score=quality)
    )
    return quality


def _find_problem(pattern: Pattern, problem_id: str) -> Problem:
    for problem in pattern.problems:
        if problem.id == problem_id:
            return problem
    raise UsageError(f"Problem '{problem_id}' is not part of pattern '{pattern.id}'.")


def _record_answer(
    row: LearningSession,
    pattern: Pattern,
    progress: dict[str, Any],
    state: ProgressState,
    evidence: Evidence,
    response: str | None,
    now: datetime,
) -> tuple[ProgressState, dict[str, Any]]:
    stage = evidence.stage
    if stage == stages.KNOWLEDGE_CHECK:
        questions = knowledge_questions(pattern)
        section = progress.setdefault("knowledge_check", {"attempt": 1, "answers": {}})
        if section.get("review") is not None:
            raise UsageError("Review the missed concepts before answering again.")
    elif stage == stages.MASTERY_ASSESSMENT:
        questions = mastery_questions(pattern)
        section = progress.setdefault("mastery", {"attempt": 1, "problems": {}, "answers": {}})
    else:
        raise UsageError(f"No questions are asked during {stage}.")
    section.setdefault("attempt", 1)
    answers = section.setdefault("answers", {})
    ids = [question.id for question in questions]
    if evidence.item not in ids:
        raise UsageError(f"Question '{evidence.item}' is not part of this {stage}.")
    answers[evidence.item] = {"correct": bool(evidence.passed), "response": response or ""}
    state = rules.apply_evidence(state, evidence, now)
    result: dict[str, Any] = {"correct": bool(evidence.passed)}

    if stage == stages.KNOWLEDGE_CHECK and all(qid in answers for qid in ids):
        state, result["knowledge_check"] = _decide_knowledge_check(
            row, questions, section, state, now
        )
    elif stage == stages.MASTERY_ASSESSMENT:
        state, outcome = _maybe_decide_assessment(row, pattern, progress, state, now)
        if outcome:
            result["mastery_assessment"] = outcome
    return state, result


def _decide_knowledge_check(
    row: LearningSession,
    questions: list[Any],
    section: dict[str, Any],
    state: ProgressState,
    now: datetime,
) -> tuple[ProgressState, dict[str, Any]]:
    answers = section["answers"]
    missed = [question for question in questions if not answers[question.id]["correct"]]
    correct = len(questions) - len(missed)
    passed = stages.knowledge_check_passed(correct, len(questions))
    score = stages.percent(correct, len(questions))
    missed_concepts = tuple(dict.fromkeys(str(question.concept) for question in missed))
    outcome = {
        "attempt": section["attempt"],
        "score": float(score),
        "passed": passed,
        "correct": correct,
        "total": len(questions),
        "missed": [question.id for question in missed],
        "missed_concepts": list(missed_concepts),
    }
    section.setdefault("results", []).append(outcome)
    state = rules.apply_evidence(
        state,
        Evidence(
            kind=rules.KNOWLEDGE_CHECK_RESULT,
            stage=stages.KNOWLEDGE_CHECK,
            item=f"knowledge-check#{section['attempt']}",
            passed=passed,
            score=score,
            missed_concepts=() if passed else missed_concepts,
        ),
        now,
    )
    if passed:
        _move(row, stages.after_knowledge_check(_position(row), passed=True))
    else:
        section["review"] = [question.id for question in missed]
    return state, outcome


def _record_run(
    row: LearningSession,
    pattern: Pattern,
    progress: dict[str, Any],
    state: ProgressState,
    evidence: Evidence,
    now: datetime,
) -> tuple[ProgressState, dict[str, Any]]:
    position = _position(row)
    tally = state.tally(evidence.item)
    total = evidence.cases_total or 0
    passed_cases = evidence.cases_passed or 0
    passed = bool(evidence.passed) and total > 0 and passed_cases >= total
    if position.stage == stages.HANDS_ON_PRACTICE:
        expected = practice_problem(pattern, position.level).id
        if evidence.item != expected:
            raise UsageError(f"Level {position.level} practice is '{expected}', not '{evidence.item}'.")
        score = rules.practice_score(
            passed=passed,
            cases_passed=passed_cases,
            cases_total=total,
            hints_used=tally.hints,
            failed_runs_before=tally.failed_runs,
            revealed=tally.revealed,
        )
        evidence = replace(
            evidence, passed=passed, score=score, hints_used=tally.hints, level=position.level
        )
        state = rules.apply_evidence(state, evidence, now)
        result: dict[str, Any] = {"passed": passed, "score": float(score)}
        if passed:
            progress.setdefault("practice", {})[str(position.level)] = {
                "problem_id": evidence.item,
                "passed": True,
                "score": float(score),
            }
            next_position = stages.after_practice_problem(position, passed=True)
            _move(row, next_position)
            result["unlocked"] = next_position.label()
        return state, result

    if position.stage != stages.MASTERY_ASSESSMENT:
        raise UsageError(f"No problems are judged during {position.label().lower()}.")
    ids = [problem.id for problem in mastery_problems(pattern)]
    if evidence.item not in ids:
        raise UsageError(f"'{evidence.item}' is not a problem of this assessment.")
    mastery = progress.setdefault("mastery", {"attempt": 1, "problems": {}, "answers": {}})
    record = mastery.setdefault("problems", {}).setdefault(
        evidence.item, {"failed_runs": 0, "final": False, "passed": False, "score": 0.0}
    )
    if record.get("final"):
        raise UsageError("That assessment problem is already submitted.")
    score = rules.assessment_problem_score(
        passed=passed,
        cases_passed=passed_cases,
        cases_total=total,
        failed_runs_before=int(record["failed_runs"]),
    )
    evidence = replace(evidence, passed=passed, score=score, hints_used=0)
    state = rules.apply_evidence(state, evidence, now)
    record["last_fraction"] = passed_cases / total if total else 0.0
    record["score"] = float(score)
    record["passed"] = passed
    if passed:
        record["final"] = True
    else:
        record["failed_runs"] = int(record["failed_runs"]) + 1
    result = {"passed": passed, "score": float(score), "final": record["final"]}
    state, outcome = _maybe_decide_assessment(row, pattern, progress, state, now)
    if outcome:
        result["mastery_assessment"] = outcome
    return state, result


def submit_assessment_problem(
    session_id: uuid.UUID, problem_id: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """Hand in an assessment problem as it stands (its last run's partial score counts)."""
    now = _now(now)
    with session_scope(ready_engine(), immediate=True) as session:
        user_id = _current_user_id(session)
        row = _locked_row(session, user_id, session_id)
        if _position(row).stage != stages.MASTERY_ASSESSMENT:
            raise UsageError("There is no assessment in progress.")
        pattern = load_pattern(row.pattern_id or "")
        progress = copy.deepcopy(row.stage_progress or {})
        mastery = progress.setdefault("mastery", {"attempt": 1, "problems": {}, "answers": {}})
        record = mastery.setdefault("problems", {}).setdefault(
            problem_id, {"failed_runs": 0, "final": False, "passed": False, "score": 0.0}
        )
        record["final"] = True
        state, outcome = _maybe_decide_assessment(row, pattern, progress, _state_of(row), now)
        _store_state(row, state, progress)
        row.updated_at = now
        session.flush()
        return _finish_update(
            session, row, now, result={"mastery_assessment": outcome} if outcome else {}
        )


def _maybe_decide_assessment(
    row: LearningSession,
    pattern: Pattern,
    progress: dict[str, Any],
    state: ProgressState,
    now: datetime,
) -> tuple[ProgressState, dict[str, Any] | None]:
    """Score the assessment once every problem is final and every question answered."""
    mastery = progress.setdefault("mastery", {"attempt": 1, "problems": {}, "answers": {}})
    problem_ids = [problem.id for problem in mastery_problems(pattern)]
    questions = mastery_questions(pattern)
    records = mastery.get("problems") or {}
    answers = mastery.get("answers") or {}
    if not all((records.get(pid) or {}).get("final") for pid in problem_ids):
        return state, None
    if not all(question.id in answers for question in questions):
        return state, None
    correct = sum(1 for question in questions if answers[question.id]["correct"])
    score = rules.assessment_score(
        [Decimal(str(records[pid]["score"])) for pid in problem_ids], correct, len(questions)
    )
    pass_score = mastery_pass_score(pattern)
    passed = stages.mastery_passed(score, pass_score)
    missed = tuple(
        dict.fromkeys(str(q.concept) for q in questions if not answers[q.id]["correct"])
    )
    attempt = int(mastery.get("attempt", 1))
    outcome = {
        "attempt": attempt,
        "score": float(score),
        "pass_score": float(pass_score),
        "passed": passed,
        "recognition_correct": correct,
        "recognition_total": len(questions),
        "problem_scores": {pid: records[pid]["score"] for pid in problem_ids},
    }
    mastery.setdefault("results", []).append(outcome)
    state = rules.apply_evidence(
        state,
        Evidence(
            kind=rules.MASTERY_RESULT,
            stage=stages.MASTERY_ASSESSMENT,
            level=row.current_level or 3,
            item=f"mastery-assessment#{attempt}",
            passed=passed,
            score=score,
            missed_concepts=() if passed else missed,
        ),
        now,
    )
    if passed:
        stages.after_mastery_assessment(_position(row), passed=True)  # the only way to completion
        row.completed_at = now
        row.is_active = False
        mastery["passed_score"] = float(score)
    else:
        # A fresh attempt: the same problems and questions, scored anew.
        mastery.update({"attempt": attempt + 1, "problems": {}, "answers": {}})
    return state, outcome


# ----- after every update: completion records and achievements ---------------------------------


def _time_spent_seconds(attempts: Iterable[Mapping[str, Any]]) -> int:
    return int(sum(float(attempt.get("duration_seconds") or 0) for attempt in attempts))


def _record_mastery(session: Session, row: LearningSession, score: Decimal, now: datetime) -> None:
    mastery_score = _mastery_score_of(row)
    existing = session.exec(
        select(PatternProgress).where(
            PatternProgress.user_id == row.user_id, PatternProgress.pattern_id == row.pattern_id
        )
    ).first()
    if existing is None:
        session.add(
            PatternProgress(
                user_id=row.user_id,  # type: ignore[arg-type]
                pattern_id=row.pattern_id or "",
                session_id=row.id,
                mastery_score=mastery_score,
                assessment_score=score,
                attempts_count=row.attempts_count or 0,
                time_spent_seconds=_time_spent_seconds(row.attempt_history or ()),
                mastered_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        return
    # Mastered before and again after a restart: keep the first date, the better scores.
    existing.session_id = row.id
    existing.mastery_score = max(Decimal(existing.mastery_score), mastery_score)
    existing.assessment_score = max(Decimal(existing.assessment_score), score)
    existing.attempts_count = row.attempts_count or 0
    existing.time_spent_seconds = _time_spent_seconds(row.attempt_history or ())
    existing.updated_at = now


def _mastery_score_of(row: LearningSession) -> Decimal:
    state = _state_of(row)
    return rules.overall_mastery(
        rules.mastery_dimensions(state.attempts, state.problems), state.understanding
    )


def _course_ids() -> frozenset[str]:
    from patternlift_cli.content.loader import list_patterns

    return frozenset(pattern.id for pattern in list_patterns())


def _finish_update(
    session: Session,
    row: LearningSession,
    now: datetime,
    *,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    result = result or {}
    user_id: uuid.UUID = row.user_id  # type: ignore[assignment]
    outcome = result.get("mastery_assessment") or {}
    just_completed = bool(outcome.get("passed"))
    if just_completed:
        _record_mastery(session, row, Decimal(str(outcome["score"])), now)
        session.flush()
    progress = row.stage_progress or {}
    state = _state_of(row)
    mastered = frozenset(
        session.exec(select(PatternProgress.pattern_id).where(PatternProgress.user_id == user_id)).all()
    )
    facts = achievement_rules.LearnerFacts(
        pattern_id=row.pattern_id or "",
        attempts=state.attempts,
        problems=state.problems,
        practice_levels_passed=tuple(int(level) for level in (progress.get("practice") or {})),
        calibrated=_answered_questionnaire(_calibration(session, user_id, row.pattern_id or "")),
        introduction_done=bool((progress.get("introduction") or {}).get("done")),
        pattern_completed=row.completed_at is not None,
        assessment_score=(progress.get("mastery") or {}).get("passed_score"),
        mastered_pattern_ids=mastered,
        course_pattern_ids=_course_ids(),
    )
    held = session.exec(
        select(UserAchievement.achievement_id).where(UserAchievement.user_id == user_id)
    ).all()
    unlocked = achievement_rules.evaluate(facts, held)
    for unlock in unlocked:
        _insert_achievement(session, user_id, unlock, now)
    position = _position(row)
    return {
        "session_id": str(row.id),
        "stage": position.stage,
        "level": position.level,
        "understanding_level": Decimal(row.understanding_level or 0),
        "current_score": Decimal(row.current_score or 0),
        "best_score": Decimal(row.best_score or 0),
        "attempts_count": row.attempts_count or 0,
        "struggle_indicators": list(row.struggle_indicators or ()),
        "mastery_scores": dict(row.mastery_scores or {}),
        "unlocked_achievements": [
            {"id": unlock.achievement_id, "name": unlock.name, "description": unlock.description}
            for unlock in unlocked
        ],
        "completed": row.completed_at is not None,
        "result": result,
    }


def _answered_questionnaire(calibration: UserCalibration | None) -> bool:
    # `--skip-calibration` stores balanced_learner with {"skipped": "true"}: not a questionnaire.
    return calibration is not None and "skipped" not in (calibration.responses or {})


def _insert_achievement(
    session: Session, user_id: uuid.UUID, unlock: achievement_rules.Unlock, now: datetime
) -> None:
    values = {
        "id": uuid.uuid4(),
        "user_id": user_id,
        "achievement_id": unlock.achievement_id,
        "achievement_name": unlock.name,
        "achievement_data": {**unlock.data, "description": unlock.description},
        "unlocked_at": now,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # Unique per (user, achievement): a concurrent unlock elsewhere is not an error.
    session.execute(
        insert(UserAchievement)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "achievement_id"])
    )


# ----- the seed's functions ----------------------------------------------------------------------


def calculate_mastery_score(user_id: uuid.UUID, pattern_id: str) -> Decimal:
    """0-100: the weighted mastery dimensions blended with understanding (docs/LEARNING.md)."""
    with session_scope(ready_engine()) as session:
        row = _session_row(session, user_id, pattern_id)
        return Decimal(0) if row is None else _mastery_score_of(row)


# ----- reading progress ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternOverview:
    id: str
    name: str
    order: int
    prerequisites: tuple[str, ...]
    prerequisites_met: bool
    stage: str | None          # None: not started
    level: int | None
    understanding: Decimal | None
    mastered: bool
    mastered_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "order": self.order,
            "prerequisites": list(self.prerequisites),
            "prerequisites_met": self.prerequisites_met,
            "stage": self.stage,
            "level": self.level,
            "understanding": None if self.understanding is None else str(self.understanding),
            "mastered": self.mastered,
            "mastered_at": self.mastered_at.isoformat() if self.mastered_at else None,
        }


def patterns_overview() -> list[PatternOverview]:
    """Every pattern in suggested course order, with the signed-in learner's state."""
    from patternlift_cli.content.loader import list_patterns

    with session_scope(ready_engine()) as session:
        user_id = _current_user_id(session)
        rows = {
            row.pattern_id: row
            for row in session.exec(
                select(LearningSession).where(LearningSession.user_id == user_id)
            ).all()
        }
        mastered = {
            row.pattern_id: row.mastered_at
            for row in session.exec(
                select(PatternProgress).where(PatternProgress.user_id == user_id)
            ).all()
        }
    overview = []
    patterns = list_patterns()
    for pattern in patterns:
        row = rows.get(pattern.id)
        prerequisites = tuple(pattern.prerequisites)
        overview.append(
            PatternOverview(
                id=pattern.id,
                name=pattern.name,
                order=pattern.order,
                prerequisites=prerequisites,
                prerequisites_met=all(pid in mastered for pid in prerequisites),
                stage=_stage_of(row) if row else None,
                level=(row.current_level or 1) if row else None,
                understanding=Decimal(row.understanding_level) if row and row.understanding_level is not None else None,
                mastered=pattern.id in mastered,
                mastered_at=mastered.get(pattern.id),
            )
        )
    return overview


@dataclass(frozen=True)
class ProgressDetail:
    pattern_id: str
    pattern_name: str
    started: bool
    stage: str | None = None
    level: int | None = None
    understanding: Decimal | None = None
    persona_type: str | None = None
    mastery_score: Decimal = Decimal(0)
    mastery_scores: dict[str, Any] = field(default_factory=dict)
    best_score: Decimal = Decimal(0)
    current_score: Decimal = Decimal(0)
    attempts_count: int = 0
    struggles: tuple[str, ...] = ()
    attempts: tuple[dict[str, Any], ...] = ()
    mastered: bool = False
    assessment_score: Decimal | None = None
    mastered_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern_id": self.pattern_id,
            "pattern_name": self.pattern_name,
            "started": self.started,
            "stage": self.stage,
            "level": self.level,
            "understanding_level": None if self.understanding is None else str(self.understanding),
            "persona_type": self.persona_type,
            "mastery_score": str(self.mastery_score),
            "mastery_scores": self.mastery_scores,
            "best_score": str(self.best_score),
            "current_score": str(self.current_score),
            "attempts_count": self.attempts_count,
            "struggle_indicators": list(self.struggles),
            "attempt_history": list(self.attempts),
            "mastered": self.mastered,
            "assessment_score": None if self.assessment_score is None else str(self.assessment_score),
            "mastered_at": self.mastered_at.isoformat() if self.mastered_at else None,
        }


def progress_detail(pattern_id: str) -> ProgressDetail:
    pattern = load_pattern(pattern_id)
    with session_scope(ready_engine()) as session:
        user_id = _current_user_id(session)
        row = _session_row(session, user_id, pattern_id)
        record = session.exec(
            select(PatternProgress).where(
                PatternProgress.user_id == user_id, PatternProgress.pattern_id == pattern_id
            )
        ).first()
        if row is None:
            return ProgressDetail(pattern_id, pattern.name, started=False, mastered=record is not None)
        return ProgressDetail(
            pattern_id=pattern_id,
            pattern_name=pattern.name,
            started=True,
            stage=_stage_of(row),
            level=row.current_level or 1,
            understanding=Decimal(row.understanding_level or 0),
            persona_type=row.persona_type,
            mastery_score=_mastery_score_of(row),
            mastery_scores=dict(row.mastery_scores or {}),
            best_score=Decimal(row.best_score or 0),
            current_score=Decimal(row.current_score or 0),
            attempts_count=row.attempts_count or 0,
            struggles=tuple(row.struggle_indicators or ()),
            attempts=tuple(row.attempt_history or ()),
            mastered=record is not None,
            assessment_score=Decimal(record.assessment_score) if record else None,
            mastered_at=record.mastered_at if record else None,
        )


@dataclass(frozen=True)
class AchievementStatus:
    id: str
    name: str
    description: str
    unlocked: bool
    unlocked_at: datetime | None
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "unlocked": self.unlocked,
            "unlocked_at": self.unlocked_at.isoformat() if self.unlocked_at else None,
            "data": self.data,
        }


def achievements_list() -> list[AchievementStatus]:
    """Every achievement in the catalogue, unlocked ones with their date and data."""
    with session_scope(ready_engine()) as session:
        user_id = _current_user_id(session)
        held = {
            row.achievement_id: row
            for row in session.exec(
                select(UserAchievement).where(UserAchievement.user_id == user_id)
            ).all()
        }
    statuses = []
    for achievement in achievement_rules.ACHIEVEMENTS:
        row = held.get(achievement.id)
        statuses.append(
            AchievementStatus(
                id=achievement.id,
                name=achievement.name,
                description=achievement.description,
                unlocked=row is not None,
                unlocked_at=row.unlocked_at if row else None,
                data={k: v for k, v in (row.achievement_data or {}).items() if k != "description"}
                if row
                else {},
            )
        )
    return statuses


def current_user_id() -> uuid.UUID:
    with session_scope(ready_engine()) as session:
        return _current_user_id(session)


__all__ = [
    "AnswerGrade",
    "SessionView",
    "achievements_list",
    "await_hint_outcome",
    "calculate_mastery_score",
    "complete_lesson",
    "current_user_id",
    "finish_review",
    "grade_answer",
    "open_session",
    "patterns_overview",
    "progress_detail",
    "restart_session",
    "save_calibration",
    "save_lesson_page",
    "submit_assessment_problem",
    "update_learning_progress",
    "load_pattern",
]

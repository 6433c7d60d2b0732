"""The AI tutor: builds the prompt, runs each attempt inside the budget protocol, records it.

For every attempt: reserve the worst case (services.ai_usage.reserve), stream the reply, then
settle with the reported usage (track_ai_usage). An attempt that fails before the provider
accepted it releases its reservation and may be retried (429, 5xx, timeouts) with backoff; one
that fails after the stream opened settles on the reservation's worst case, never zero.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from patternlift_cli.domain.money import format_usd
from patternlift_cli.errors import AINotConfiguredError, ConfigError, ProviderError, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

TURN_ON = "Run `patternlift config set-key openai` (or set OPENAI_API_KEY) to turn it on."
BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8.0
# The stream must end at least this long before its reservation expires, so no other call can
# ever reclaim money that a still-running stream will be billed for.
RESERVATION_MARGIN_SECONDS = 15


@dataclass(frozen=True)
class TutorReply:
    text: str
    cost_usd: Decimal
    month_total_usd: Decimal
    limit_usd: Decimal
    interaction_id: uuid.UUID
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


def ai_status() -> tuple[bool, str]:
    """(ready, one line for the learner) without touching the network."""
    from patternlift_cli.config import get_secret, get_settings

    if get_secret("openai") is None:
        return False, f"The AI tutor is off. {TURN_ON}"
    return True, f"AI tutor ready ({get_settings().ai_model})."


def _learner_context(session: Any, user_id: uuid.UUID, pattern_id: str) -> tuple[str, dict[str, Any], list[str]]:
    """Persona, guidance_config and struggle indicators, without starting a session."""
    from sqlmodel import select

    from patternlift_cli.db.models import LearningSession, UserCalibration

    calibration = session.exec(
        select(UserCalibration).where(UserCalibration.user_id == user_id, UserCalibration.pattern_id == pattern_id)
    ).first()
    row = session.exec(
        select(LearningSession).where(LearningSession.user_id == user_id, LearningSession.pattern_id == pattern_id)
    ).first()
    persona = (calibration.persona_type if calibration else None) or (row.persona_type if row else None)
    guidance = dict(calibration.guidance_config or {}) if calibration else {}
    struggles = list(row.struggle_indicators or []) if row else []
    return persona or "balanced_learner", guidance, struggles


def tutor_reply(
    engine: Engine,
    user_id: uuid.UUID,
    kind: str,
    *,
    pattern_id: str,
    session_id: uuid.UUID | None = None,
    question: str | None = None,
    problem_id: str | None = None,
    code: str | None = None,
    failing_case: Mapping[str, Any] | None = None,
    on_text: Callable[[str], None] | None = None,
    now: datetime | None = None,
    clock: Callable[[], datetime] | None = None,
) -> TutorReply:
    """One tutor reply of `kind` (explain | hint | review | question) for the learner `user_id`,
    streamed to `on_text`, each attempt inside the budget protocol on `engine`.

    Each step reads the time when it runs, from `clock` (the server's, which tests move) or the
    system's; `now` fixes every step at one moment instead (tests of the protocol)."""
    from patternlift_cli.ai.client import AttemptFailed, AttemptState, OutputFailed, make_client, stream_chat
    from patternlift_cli.ai.pricing import pricer_for
    from patternlift_cli.config import get_secret, get_settings
    from patternlift_cli.content.loader import get_pattern, get_problem
    from patternlift_cli.db.engine import session_scope
    from patternlift_cli.domain.budget import prompt_token_bound
    from patternlift_cli.domain.tutoring import INTERACTION_TYPES, TutorContext, build_messages
    from patternlift_cli.services import ai_usage

    if kind not in INTERACTION_TYPES:
        raise UsageError(f"Unknown tutor request '{kind}'.")
    if kind == "question" and not (question or "").strip():
        raise UsageError("Ask a question: the text is empty.")
    settings = get_settings()
    api_key = get_secret("openai")
    if api_key is None:
        raise AINotConfiguredError(f"The AI tutor is off. {TURN_ON}")
    pricer = pricer_for(settings.ai_model, settings.ai_price_overrides)
    pattern = get_pattern(pattern_id)
    problem = get_problem(problem_id) if problem_id else None

    with session_scope(engine) as session:
        persona, guidance, struggles = _learner_context(session, user_id, pattern.id)
    messages = build_messages(
        TutorContext(
            kind=kind,
            pattern_name=pattern.name,
            pattern_summary=pattern.summary,
            lesson_markdown=pattern.lesson.markdown,
            persona=persona,
            guidance=guidance,
            struggles=struggles,
            problem_title=problem.title if problem else None,
            problem_statement=problem.statement if problem else None,
            code=code,
            failing_case=failing_case,
            question=question,
        ),
        max_chars=settings.ai_prompt_max_chars,
    )
    bound = prompt_token_bound(messages)
    client = make_client(api_key=api_key, base_url=settings.ai_base_url, timeout_seconds=settings.ai_timeout_seconds)
    ttl = timedelta(seconds=settings.ai_reservation_ttl_seconds)
    # A stream checks its deadline between chunks, and a stalled read can then block for one
    # more timeout: stopping this long before expiry means no stream outlives its reservation.
    stop_before_expiry = settings.ai_timeout_seconds + RESERVATION_MARGIN_SECONDS
    if settings.ai_reservation_ttl_seconds <= stop_before_expiry + 1:
        raise ConfigError(
            "PATTERNLIFT_AI_RESERVATION_TTL_SECONDS must exceed PATTERNLIFT_AI_TIMEOUT_SECONDS + "
            f"{RESERVATION_MARGIN_SECONDS} s, so a reply always ends before its reservation expires."
        )

    def settle_worst_case(reservation: ai_usage.Reservation) -> None:
        ai_usage.track_ai_usage(
            engine, reservation,
            prompt_tokens=bound,
            completion_tokens=reservation.max_completion_tokens,
            cost_usd=reservation.amount_usd,
            now=now if now is not None else clock() if clock is not None else None,
        )

    last_failure = "no attempt was made"
    attempts, retryable = 0, True
    for attempt in range(settings.ai_max_attempts):
        attempts = attempt + 1
        # Measured before the reservation's clock starts (which is before any lock wait), so
        # the deadline is never later than the expiry it protects.
        deadline = time.monotonic() + settings.ai_reservation_ttl_seconds - stop_before_expiry
        reservation = ai_usage.reserve(
            engine,
            user_id,
            interaction_type=kind,
            model=settings.ai_model,
            price_basis=pricer.basis,
            prompt_token_bound=bound,
            worst_case_cost=lambda completion: pricer.cost(bound, completion),
            max_completion_tokens=settings.ai_max_completion_tokens,
            min_completion_tokens=settings.ai_min_completion_tokens,
            session_id=session_id,
            ttl=ttl,
            now=now if now is not None else clock() if clock is not None else None,
        )
        state = AttemptState()
        try:
            result = stream_chat(
                client,
                model=settings.ai_model,
                messages=messages,
                max_completion_tokens=reservation.max_completion_tokens,
                on_text=on_text,
                deadline=deadline,
                state=state,
            )
        except AttemptFailed as failure:
            last_failure, retryable = failure.reason, failure.retryable
            if failure.started:
                # Billed tokens we cannot see: record the worst case the reservation covered.
                settle_worst_case(reservation)
                raise ProviderError(
                    f"The AI reply broke off: {failure.reason}. It was recorded at its worst-case cost "
                    f"({format_usd(reservation.amount_usd)}).",
                ) from failure
            ai_usage.release(engine, reservation)
            if not failure.retryable:
                break
            if attempt + 1 < settings.ai_max_attempts:
                pause = failure.retry_after
                if pause is None:
                    pause = BACKOFF_SECONDS * (2**attempt)
                time.sleep(min(pause, MAX_BACKOFF_SECONDS))
            continue
        except BaseException as interruption:
            # Ctrl-C, a closed pipe, a failing write: whatever stops us, the provider may bill.
            if state.started:
                settle_worst_case(reservation)
            else:
                ai_usage.release(engine, reservation)
            if isinstance(interruption, OutputFailed):
                raise interruption.original from None
            raise
        cost = pricer.cost(result.prompt_tokens, result.completion_tokens, result.cached_tokens)
        usage = ai_usage.track_ai_usage(
            engine, reservation,
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            cost_usd=cost,
            now=now if now is not None else clock() if clock is not None else None,
        )
        return TutorReply(
            text=result.text,
            cost_usd=usage.cost_usd,
            month_total_usd=usage.month_total_usd,
            limit_usd=usage.limit_usd,
            interaction_id=usage.interaction_id,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
        )
    # Say what happened: a 400 is sent once, so "after 3 attempts" would be untrue.
    if attempts > 1:
        what = f"failed after {attempts} attempts: {last_failure}"
    elif not retryable:
        what = f"refused the request: {last_failure} (sent once: retrying cannot help)"
    else:
        what = f"failed: {last_failure} (1 attempt, PATTERNLIFT_AI_MAX_ATTEMPTS=1)"
    raise ProviderError(
        f"The AI endpoint {what}.",
        hint="Nothing was charged. Learning without AI goes on.",
    )


def rate_reply(engine: Engine, user_id: uuid.UUID, interaction_id: uuid.UUID, rating: int) -> None:
    """The learner's 1-5 rating of a reply, stored as ai_interactions.user_feedback."""
    from patternlift_cli.services import ai_usage

    ai_usage.set_feedback(engine, user_id, interaction_id, rating=rating)


def ai_configured() -> bool:
    from patternlift_cli.config import get_secret

    return get_secret("openai") is not None


class LocalTutor:
    """`ports.ai.Tutor` with the learner's own key and the budget on this database."""

    def __init__(self, db: Any, user_id: uuid.UUID, *, learning: Any) -> None:
        self.db = db
        self.user_id = user_id
        self.learning = learning

    def status(self) -> Any:
        """Ready means configured (a key) and entitled (trial or plan): one answer everywhere."""
        from datetime import UTC

        from patternlift_cli.db.models import UserProfile
        from patternlift_cli.ports.ai import AIStatus
        from patternlift_cli.services.accounts import entitlement_for

        ready, message = ai_status()
        if not ready:
            return AIStatus(ready=False, message=message)
        with self.db.session() as session:
            profile = session.get(UserProfile, self.user_id)
            entitlement = entitlement_for(session, profile, datetime.now(UTC)) if profile else None
        if entitlement is None or not entitlement.allowed:
            reason = entitlement.reason if entitlement else "No learner profile."
            return AIStatus(ready=False, message=f"The AI tutor is off: {reason} `patternlift subscribe` turns it on.")
        return AIStatus(ready=True, message=message)

    def reply(self, kind: str, *, pattern_id: str, session_id: uuid.UUID | None = None,
              question: str | None = None, problem_id: str | None = None, code: str | None = None,
              failing_case: Mapping[str, Any] | None = None, on_text: Callable[[str], None] | None = None) -> Any:
        from patternlift_cli.ports.ai import TutorReply as Reply

        reply = tutor_reply(
            self.db.engine, self.user_id, kind, pattern_id=pattern_id, session_id=session_id,
            question=question, problem_id=problem_id, code=code, failing_case=failing_case, on_text=on_text,
        )
        if kind == "hint" and session_id is not None and problem_id is not None:
            # Scored by the learner's next run of this problem, whenever it comes.
            self.learning.await_hint_outcome(session_id, problem_id, reply.interaction_id)
        return Reply(
            text=reply.text, interaction_id=reply.interaction_id, cost_usd=reply.cost_usd,
            month_total_usd=reply.month_total_usd, limit_usd=reply.limit_usd,
            prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens,
        )

    def rate(self, interaction_id: uuid.UUID, rating: int) -> None:
        rate_reply(self.db.engine, self.user_id, interaction_id, rating)

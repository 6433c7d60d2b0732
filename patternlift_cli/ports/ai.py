"""The AI tutor and the month's AI spend: what the learner can ask and see."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from pydantic import ConfigDict, Field

from patternlift_cli.ports.base import Model


class AIStatus(Model):
    ready: bool          # configured and entitled: the AI keys in menus work
    message: str         # one line: why not, or which model answers


class TutorReply(Model):
    text: str
    interaction_id: uuid.UUID
    cost_usd: Decimal
    month_total_usd: Decimal
    limit_usd: Decimal
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class ChatRequest(Model):
    """`POST /v1/ai/chat`: what the CLI already builds for a tutor reply (ports.ai.Tutor.reply)."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=32, examples=["question"])
    pattern_id: str = Field(max_length=200, examples=["two-pointers"])
    session_id: uuid.UUID | None = None
    question: str | None = Field(default=None, max_length=20_000)
    problem_id: str | None = Field(default=None, max_length=200)
    code: str | None = Field(default=None, max_length=200_000)
    failing_case: dict[str, Any] | None = None


class ChatDone(Model):
    """The last server-sent event of a reply (`event: done`): what it cost, and the month after it.

    Money is a decimal string with 6 places; the text came before it as `delta` events."""

    interaction_id: uuid.UUID
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: Decimal
    month_total_usd: Decimal
    limit_usd: Decimal


class Rating(Model):
    model_config = ConfigDict(extra="forbid")
    rating: int = Field(ge=1, le=5)


class UsageRow(Model):
    name: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal


class UsageCall(Model):
    id: uuid.UUID
    created_at: datetime
    interaction_type: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal
    user_feedback: int | None = None


class UsageMonth(Model):
    month: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal


class UsageSummary(Model):
    month: str
    current_month: bool
    limit_usd: Decimal
    spent_usd: Decimal
    reserved_usd: Decimal
    open_reservations: int
    remaining_usd: Decimal | None
    resets_at: datetime
    calls: int
    by_type: list[UsageRow] = Field(default_factory=list)
    by_model: list[UsageRow] = Field(default_factory=list)
    recent: list[UsageCall] = Field(default_factory=list)
    history: list[UsageMonth] = Field(default_factory=list)


class Tutor(Protocol):
    def status(self) -> AIStatus: ...

    def reply(
        self,
        kind: str,
        *,
        pattern_id: str,
        session_id: uuid.UUID | None = None,
        question: str | None = None,
        problem_id: str | None = None,
        code: str | None = None,
        failing_case: Mapping[str, Any] | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> TutorReply:
        """One reply of `kind` (explain | hint | review | question), streamed to `on_text`.

        A hint on a practice problem is scored by the learner's next run of that problem.
        """
        ...

    def rate(self, interaction_id: uuid.UUID, rating: int) -> None: ...


class Usage(Protocol):
    def summary(self, *, month: datetime | None = None, last: int = 10) -> UsageSummary: ...

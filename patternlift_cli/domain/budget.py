"""Budget arithmetic for the AI cap (DESIGN.md, "The AI budget protocol"); no I/O.

The reservation must cover the most a call can cost, so every estimate here errs upward:
prompt tokens are bounded by bytes (a byte-level BPE token, which every OpenAI model and most
open models use, covers at least one byte), completion tokens by the `max_completion_tokens`
sent with the request, and money is rounded up to the micro-dollar that `cost_usd` stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_CEILING, Decimal

from patternlift_cli.domain.errors import UsageError

MICRO_DOLLAR = Decimal("0.000001")
# Chat formats wrap each message in a few special tokens (OpenAI documents 3-4 per message and
# 3 to prime the reply); these allowances are deliberately larger than any known format.
MESSAGE_OVERHEAD_TOKENS = 8
REPLY_OVERHEAD_TOKENS = 16


def round_up_to_micro(amount: Decimal) -> Decimal:
    return amount.quantize(MICRO_DOLLAR, rounding=ROUND_CEILING)


def prompt_token_bound(messages: Iterable[Mapping[str, str]]) -> int:
    """An upper bound on the prompt tokens a provider can bill for these chat messages."""
    total = REPLY_OVERHEAD_TOKENS
    for message in messages:
        total += MESSAGE_OVERHEAD_TOKENS
        total += sum(len(str(value).encode("utf-8")) for value in message.values())
    return total


DEFAULT_MONTHLY_LIMIT = Decimal("3.00")  # the seed's user_profiles.monthly_ai_usage_limit default


def monthly_limit(stored: Decimal | None) -> Decimal:
    """The learner's monthly AI limit; a profile without one has the schema's default."""
    return Decimal(stored) if stored is not None else DEFAULT_MONTHLY_LIMIT


def month_start(moment: datetime) -> date:
    """The first day of `moment`'s month in UTC; the month a cost belongs to."""
    utc = moment.astimezone(UTC)
    return date(utc.year, utc.month, 1)


def parse_month(text: str | None, *, example: str = "2026-10") -> datetime | None:
    """A month the learner named as YYYY-MM (its first instant, UTC), or None for the current one."""
    if text is None:
        return None
    try:
        month = datetime.strptime(text, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(f"'{text}' is not a month.", hint=f"Use YYYY-MM, e.g. {example}.") from None
    if not 2000 <= month.year <= 9998:
        raise UsageError(f"'{text}' is outside the months PatternLift can have records for (2000-9998).")
    return month


def next_reset(moment: datetime) -> datetime:
    """00:00 UTC on the first day of the next month: when the month's spend starts from zero."""
    start = month_start(moment)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Quote:
    """What a reservation holds: the completion budget granted and its worst-case cost."""

    max_completion_tokens: int
    amount_usd: Decimal


def plan_reservation(
    *,
    spent: Decimal,
    reserved: Decimal,
    limit: Decimal,
    worst_case_cost: Callable[[int], Decimal],
    max_completion_tokens: int,
    min_completion_tokens: int,
) -> Quote | None:
    """The largest completion budget whose worst case fits under the limit, or None.

    `worst_case_cost(n)` is the cost of the bounded prompt plus `n` completion tokens; it
    must not decrease as `n` grows. A reply shorter than `min_completion_tokens` would be
    useless, so when not even that fits the call is refused rather than let through on hope.
    """
    available = limit - spent - reserved
    if available < 0:
        return None
    full = round_up_to_micro(worst_case_cost(max_completion_tokens))
    if full <= available:
        return Quote(max_completion_tokens, full)
    low, high = min_completion_tokens, max_completion_tokens - 1
    best: Quote | None = None
    while low <= high:
        middle = (low + high) // 2
        cost = round_up_to_micro(worst_case_cost(middle))
        if cost <= available:
            best = Quote(middle, cost)
            low = middle + 1
        else:
            high = middle - 1
    return best


"""What the learner sees around an AI reply: the cost line."""

from __future__ import annotations

from patternlift_cli.ports.ai import TutorReply
from patternlift_cli.domain.money import format_usd


def cost_line(reply: TutorReply) -> str:
    return (
        f"AI cost {format_usd(reply.cost_usd)} · this month {format_usd(reply.month_total_usd)} "
        f"of {format_usd(reply.limit_usd)}"
    )

"""What the learner sees around an AI reply: the cost line."""

from __future__ import annotations

from patternlift_cli.ports.ai import TutorReply
from patternlift_cli.ui.format import dollars


def cost_line(reply: TutorReply) -> str:
    return (
        f"AI cost {dollars(reply.cost_usd, 6)} · this month {dollars(reply.month_total_usd)} "
        f"of {dollars(reply.limit_usd)}"
    )

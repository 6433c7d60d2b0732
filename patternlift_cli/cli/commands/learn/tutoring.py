"""The AI tutor inside the loop: a reply streamed to the terminal, its cost, an optional rating."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from patternlift_cli.errors import AIError
from patternlift_cli.ports.ai import TutorReply
from patternlift_cli.ui import tutor_view

if TYPE_CHECKING:
    from patternlift_cli.cli.commands.learn.driver import LearnLoop

RATINGS = {"1", "2", "3", "4", "5"}


def stream_reply(loop: LearnLoop, kind: str, **context: Any) -> TutorReply | None:
    """One reply for this session, streamed, then its cost line; None (and why) when refused."""
    try:
        reply = loop.learner.tutor.reply(
            kind, pattern_id=loop.pattern.id, session_id=loop.session_id, on_text=loop.ui.write, **context
        )
    except AIError as error:
        loop.ui.text(error.message, style="yellow")
        return None
    loop.ui.say()
    loop.ui.say(f"[dim]{tutor_view.cost_line(reply)}[/]")
    return reply


def offer_rating(loop: LearnLoop, reply: TutorReply | None) -> None:
    """The learner's optional 1-5 rating of a reply (ai_interactions.user_feedback)."""
    if reply is None:
        return
    rating = loop.ui.read_line("Rate this reply 1-5 (Enter to skip): ").strip()
    if rating in RATINGS:
        loop.learner.tutor.rate(reply.interaction_id, int(rating))


def explain_section(loop: LearnLoop, title: str) -> None:
    offer_rating(loop, stream_reply(loop, "explain", question=f"Explain the '{title}' part of the lesson another way."))


def help_with_problem(loop: LearnLoop, kind: str, problem_id: str, path: Path) -> None:
    """An AI hint, explanation, free question or review about the problem and the learner's code."""
    code = path.read_text(encoding="utf-8", errors="replace") if path.exists() else None
    question = None
    if kind == "question":
        question = loop.ui.read_line("Your question: ").strip()
        if not question:
            return
    reply = stream_reply(
        loop, kind, question=question, problem_id=problem_id, code=code, failing_case=loop.last_failing_case
    )
    offer_rating(loop, reply)

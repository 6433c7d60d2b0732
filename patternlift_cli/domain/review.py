"""Spaced review of mastered patterns, scheduled by FSRS (the `fsrs` package).

A pattern gets a card when it is mastered (rated Good at that moment). A review asks a few
recognition questions and one short problem; its rating comes from how that went:

    Again  the problem failed, or under half of the questions right
    Hard   the problem passed but a question was missed, or it took long
    Good   everything right
    Easy   everything right, quickly (under EASY_SECONDS in all)

FSRS then sets the next due date from the card's stability and difficulty. There are no
minute-long learning steps (those suit flashcards, not patterns), and no fuzzing, so the same
history always gives the same schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fsrs import Card, Rating, Scheduler

EASY_SECONDS = 240
SLOW_SECONDS = 900
RATING_NAMES = {Rating.Again: "again", Rating.Hard: "hard", Rating.Good: "good", Rating.Easy: "easy"}

_scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def rate(*, questions_right: int, questions_total: int, problem_passed: bool, seconds: float) -> Rating:
    if not problem_passed or (questions_total and 2 * questions_right < questions_total):
        return Rating.Again
    if questions_right < questions_total or seconds > SLOW_SECONDS:
        return Rating.Hard
    return Rating.Easy if seconds <= EASY_SECONDS else Rating.Good


def first_card(mastered_at: datetime) -> dict[str, Any]:
    """The card of a just-mastered pattern: mastering it counts as a Good review."""
    card, _ = _scheduler.review_card(Card(), Rating.Good, review_datetime=mastered_at)
    return card.to_dict()


def review(card: Mapping[str, Any], rating: Rating, now: datetime) -> dict[str, Any]:
    updated, _ = _scheduler.review_card(Card.from_dict(dict(card)), rating, review_datetime=now)
    return updated.to_dict()


def due_at(card: Mapping[str, Any]) -> datetime:
    return Card.from_dict(dict(card)).due


def retrievability(card: Mapping[str, Any], now: datetime) -> float:
    """The chance the learner still recalls the pattern now (1.0 right after a review)."""
    return float(_scheduler.get_card_retrievability(Card.from_dict(dict(card)), current_datetime=now))

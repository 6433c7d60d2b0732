"""The stage machine and its pass marks (pure)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from patternlift_cli.domain import stages as s
from patternlift_cli.domain.stages import Position
from patternlift_cli.errors import UsageError


def test_full_path_through_the_stages() -> None:
    position = s.START
    assert position == Position("introduction", 1)
    position = s.after_lesson(position)
    assert position == Position("knowledge_check", 1)
    assert s.after_knowledge_check(position, passed=False) == position
    position = s.after_knowledge_check(position, passed=True)
    assert position == Position("hands_on_practice", 1)
    assert s.after_practice_problem(position, passed=False) == position
    position = s.after_practice_problem(position, passed=True)
    position = s.after_practice_problem(position, passed=True)
    assert position == Position("hands_on_practice", 3)
    position = s.after_practice_problem(position, passed=True)
    assert position == Position("mastery_assessment", 3)
    assert s.after_mastery_assessment(position, passed=False) == position
    done = s.after_mastery_assessment(position, passed=True)
    assert done.is_completed


def test_mastery_only_through_the_assessment() -> None:
    with pytest.raises(s.StageTransitionError):
        s.after_mastery_assessment(Position("hands_on_practice", 3), passed=True)
    with pytest.raises(s.StageTransitionError):
        s.after_practice_problem(Position("knowledge_check", 1), passed=True)
    with pytest.raises(UsageError):
        Position("hands_on_practice", 4)


def test_pass_marks() -> None:
    assert s.knowledge_check_passed(7, 10)
    assert not s.knowledge_check_passed(6, 10)
    assert s.knowledge_check_passed(0, 0)
    assert s.percent(2, 3) == Decimal("66.7")
    assert s.mastery_passed(Decimal(80))
    assert not s.mastery_passed(Decimal("79.9"))
    assert s.mastery_passed(Decimal(70), pass_score=70)
    assert not s.may_reveal_solution(2) and s.may_reveal_solution(3)
    assert Position("hands_on_practice", 2).label() == "Hands-on practice, level 2"

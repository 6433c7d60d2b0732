"""Curriculum text reaches the terminal as written: brackets in it are not Rich markup."""

from __future__ import annotations

import pytest


def test_question_options_and_feedback_keep_their_brackets(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from patternlift_cli.ui import quiz_view

    console = Console(width=200, record=True)
    monkeypatch.setattr(quiz_view, "console", console)
    quiz_view.render_question(1, 1, "Why move `left`?", ["nums[right] is the largest value [still] in play"], "multiple_choice")
    quiz_view.render_feedback(correct=False, explanation="Because nums[left] is too small.",
                              correct_text="nums[right] is the largest", others=(), explain_all=False)
    text = console.export_text()
    assert "nums[right] is the largest value [still] in play" in text
    assert "Because nums[left] is too small." in text


def test_long_options_wrap_under_their_text_and_code_spans_lose_backticks(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from patternlift_cli.ui import quiz_view

    console = Console(width=40, record=True)
    monkeypatch.setattr(quiz_view, "console", console)
    option = "`left` only moves forward and can never pass n, so the inner loop runs at most n times"
    quiz_view.render_question(1, 1, "Why O(n)?", [option, "It is not"], "multiple_choice")
    lines = console.export_text().splitlines()
    first = next(index for index, line in enumerate(lines) if line.startswith("  a) "))
    assert lines[first].startswith("  a) left only moves")
    assert lines[first + 1].startswith("     ") and lines[first + 1].strip()
    assert "`" not in "\n".join(lines)
    assert any(line.startswith("  b) It is not") for line in lines)


def test_a_revealed_solution_wraps_long_lines_instead_of_cutting_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from patternlift_cli.content.loader import get_problem
    from patternlift_cli.ui import practice_view

    console = Console(width=80, record=True, color_system=None)
    monkeypatch.setattr(practice_view, "console", console)
    problem = get_problem("merge-intervals-3-interval-list-intersections")
    practice_view.render_solution(problem)
    shown = " ".join(console.export_text().split())
    signature = next(line for line in problem.solution.code.splitlines() if "def " in line)
    assert len(signature) > 80
    assert signature.strip().split()[-1] in shown  # the line's end is on screen

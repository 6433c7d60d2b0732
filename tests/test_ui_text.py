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

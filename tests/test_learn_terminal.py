"""`learn` on a real pseudo-terminal, where it asks what a pipe never sees: which pattern to
start when the one asked for builds on another not mastered yet."""

from __future__ import annotations

from pathlib import Path

from tests.terminal_support import Terminal


def at_the_prerequisite_choice(home: Path) -> Terminal:
    """A new learner's first `learn two-pointers`, signed up and asked whether to start Hashing."""
    terminal = Terminal(home, "learn", "two-pointers", "--skip-calibration")
    terminal.shows("Your email")
    terminal.type("tty@example.com")
    terminal.shows("Two Pointers builds on Hashing, not mastered yet.")
    terminal.shows("c: continue with Two Pointers, s: start Hashing first")
    return terminal


def test_the_prerequisite_choice_is_offered_once_and_not_on_resuming(tmp_path: Path) -> None:
    first = at_the_prerequisite_choice(tmp_path)
    first.type("")  # Enter: continue
    for page in range(1, 7):
        first.shows(f"page {page} of 6")
        first.type("")
    first.shows("Question 1 of")
    first.type("quit")  # "q" would be an answer to a short-answer question
    first.shows("Saved. Run patternlift learn two-pointers to continue")
    assert first.finish() == 0

    again = Terminal(tmp_path, "learn", "two-pointers")
    screen = again.shows("Question 1 of")
    assert "Welcome back" in screen and "builds on Hashing" not in screen
    again.type("quit")
    assert again.finish() == 0


def test_choosing_the_prerequisite_starts_it_instead(tmp_path: Path) -> None:
    terminal = at_the_prerequisite_choice(tmp_path)
    terminal.type("s")
    terminal.shows("Hashing · ")
    terminal.type("q")
    terminal.shows("Saved. Run patternlift learn hashing to continue")
    assert terminal.finish() == 0

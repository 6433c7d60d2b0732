"""The `learn` loop through Typer's runner over the mini course, with the real judge.

Standard input is a scripted stream: a step is either a line to type or a callable run just
before the next line is read (the test "edits" the workspace file there, as a learner would).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import typer.testing
from typer.testing import CliRunner

from tests.mini_course import CORRECT, PARTIAL

Step = str | Callable[[], None]


class ScriptedStdin(io.RawIOBase):
    """One line per read, so callables run exactly when the program asks for the next line."""

    def __init__(self, steps: list[Step]) -> None:
        self.steps = list(steps)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while self.steps and callable(self.steps[0]):
            line = self.steps.pop(0)()  # type: ignore[operator]
            if isinstance(line, str):  # a learner reading the screen decides what to type
                self.steps.insert(0, line)
                break
        if not self.steps:
            return 0
        data = (str(self.steps.pop(0)) + "\n").encode()
        buffer[: len(data)] = data
        return len(data)


def current_question(pattern_id: str):
    """The question on screen now (the first one not answered yet), as the curriculum has it:
    checks are drawn from a pool, so a script reads what is asked instead of assuming an order."""
    import sqlalchemy as sa

    from patternlift_cli.content.loader import get_pattern
    from patternlift_cli.db.models import LearningSession
    from patternlift_cli.domain.question_pool import variant_seed
    from tests.conftest import local_database, signed_in

    learning = signed_in().learning
    state = learning.open_session(pattern_id)
    pattern = get_pattern(pattern_id)
    if state.stage == "mastery_assessment":
        view = learning.assessment(state.session_id).questions[0]
        return next(q for q in pattern.mastery.recognition if q.id == view.id)
    view = learning.knowledge_check(state.session_id).questions[0]
    with local_database().session() as session:
        row = session.exec(sa.select(LearningSession).where(LearningSession.id == state.session_id)).scalars().one()
        seed = row.stage_progress["knowledge_check"]["seed"]
    return pattern.check_question(view.id, variant_seed(seed, view.id))


def answer_for(choose, pattern_id: str = "two-pointers") -> Callable[[], str]:
    """A step that answers the question on screen: `choose` maps its id, or is a function of it."""
    def line() -> str:
        question = current_question(pattern_id)
        return choose[question.id] if isinstance(choose, dict) else choose(question)

    return line


MISS_TWO = {"tp-1": "Wrong", "tp-2": "Right", "tp-3": "n^2", "tp-4": "two-pointers"}
ALL_RIGHT = {"tp-1": "Right", "tp-2": "Right", "tp-3": "O(n)", "tp-4": "two-pointers"}


def invoke(monkeypatch: pytest.MonkeyPatch, args: list[str], steps: list[Step]):
    from patternlift_cli.cli.app import app

    monkeypatch.setattr(typer.testing, "make_input_stream", lambda _input, _charset: ScriptedStdin(steps))
    return CliRunner().invoke(app, args, env={"COLUMNS": "120", "NO_COLOR": "1"})


@pytest.fixture
def course(mini_course: Path, learner) -> SimpleNamespace:
    """The mini course with the real loader, workspace and judge."""
    from patternlift_cli.content import loader
    from patternlift_cli.practice.workspace import workspace_file

    return SimpleNamespace(workspace_file=workspace_file, loader=loader)


def test_learn_loop_end_to_end_and_resume(course, monkeypatch, engine) -> None:
    from patternlift_cli.db.models import LearningSession, PatternProgress

    def write(problem_id: str, text: str) -> Callable[[], None]:
        problem = course.loader.get_problem(problem_id)
        return lambda: course.workspace_file(problem).write_text(text)

    # First sitting: calibration skipped, lesson, a failed check and its review, then quit (EOF).
    steps: list[Step] = ["", "", "", "", "", "", *[answer_for(MISS_TWO)] * 4]  # six lesson pages, then the check
    result = invoke(monkeypatch, ["learn", "two-pointers", "--skip-calibration"], steps)
    assert result.exit_code == 0, result.output
    assert "Persona: balanced learner" in result.output
    assert "2 of 4 right (50%)" in result.output
    assert "Review" in result.output
    assert "Saved. Run patternlift learn two-pointers" in result.output

    # Second sitting resumes at the review, retries, practises, and takes the assessment.
    steps = [
        "",                      # review read: retry
        *[answer_for(ALL_RIGHT)] * 4,   # a perfect check
        write("two-pointers-1-a", PARTIAL), "r",   # level 1: three of ten
        "h",
        write("two-pointers-1-a", CORRECT), "r",
        write("two-pointers-2-b", CORRECT), "r",
        write("two-pointers-3-c", CORRECT), "r",
        write("two-pointers-m-x", CORRECT), "r",
        "two-pointers", "two-pointers",  # recognition
    ]
    result = invoke(monkeypatch, ["learn", "two-pointers"], steps)
    assert result.exit_code == 0, result.output
    assert "resuming at Knowledge check" in result.output
    assert "3 of 10 tests passed" in result.output
    assert "Hint 1 of 3" in result.output
    assert "Mastery assessment passed" in result.output
    assert "Two Pointers mastered." in result.output
    assert "Achievement unlocked: First Pattern Mastered" in result.output
    with engine.begin() as connection:
        row = connection.execute(sa.select(LearningSession)).one()
        assert row.completed_at is not None and row.is_active is False
        assert connection.execute(sa.select(PatternProgress)).one().assessment_score == 100

    result = invoke(monkeypatch, ["learn", "two-pointers"], [])
    assert "You have mastered Two Pointers" in result.output
    course_table = invoke(monkeypatch, ["patterns"], []).output
    assert "mastered ✓" in next(line for line in course_table.splitlines() if "two-pointers" in line)

    # --restart asks first; "n" changes nothing, --yes goes ahead.
    result = invoke(monkeypatch, ["learn", "two-pointers", "--restart"], ["n"])
    assert "Nothing changed." in result.output
    result = invoke(monkeypatch, ["learn", "two-pointers", "--restart", "--yes"], ["q"])
    assert "starts over from the introduction" in result.output
    course_table = invoke(monkeypatch, ["patterns"], []).output
    assert "introduction (mastered ✓)" in next(line for line in course_table.splitlines() if "two-pointers" in line)
    with engine.begin() as connection:
        row = connection.execute(sa.select(LearningSession)).one()
        assert row.current_stage.value == "introduction" and row.completed_at is None


def test_calibration_questionnaire_drives_the_lesson(course, monkeypatch, engine) -> None:
    from patternlift_cli.db.models import UserCalibration

    # hands-on, experienced: concise lesson starting with the template. The questions about the
    # learner come first (foundations, style, when stuck, time), then the one about the pattern.
    result = invoke(monkeypatch, ["learn", "two-pointers"], ["c", "b", "b", "b", "c", "q"])
    assert result.exit_code == 0, result.output
    assert "Persona: hands on learner · concise lesson · direct hints" in result.output
    assert "Template" in result.output.split("page 1 of")[0]
    with engine.begin() as connection:
        stored = connection.execute(sa.select(UserCalibration)).one()
        assert stored.persona_type == "hands_on_learner"
        assert stored.total_score == 2 + 3 + 1 + 1 + 1
        assert stored.responses == {"experience": "c", "foundations": "c", "learning_style": "b", "when_stuck": "b", "time": "b"}


def test_unknown_pattern_suggests_and_exits_2(course, monkeypatch) -> None:
    result = invoke(monkeypatch, ["learn", "two-pointer"], [])
    assert result.exit_code == 2
    assert "Did you mean 'two-pointers'?" in result.output
    assert "Traceback" not in result.output


def test_letters_follow_the_order_shown_on_each_attempt(course, monkeypatch, learner) -> None:
    from patternlift_cli.domain.quiz import order_seed, presentation_order

    questions = course.loader.get_pattern("two-pointers").questions

    def letters(attempt: int) -> dict[str, tuple[str, str]]:
        """question id -> (right letter, wrong letter) as this learner sees them on this attempt."""
        shown = {}
        for question in questions:
            texts = [o.text for o in question.options] if question.kind == "multiple_choice" else list(
                getattr(question, "choices", [])
            )
            if not texts:
                continue
            right_text = texts[0]  # the mini course writes the right answer first
            order = presentation_order(order_seed(learner.id, question.id, attempt), len(texts))
            position = [texts[i] for i in order].index(right_text)
            shown[question.id] = ("ab"[position], "ab"[1 - position])
        return shown

    first, second = letters(1), letters(2)
    # Wrong on every choice question of attempt 1 by letter; the short answer right.
    steps: list[Step] = [""] * 6 + [answer_for(lambda q: first[q.id][1] if q.id in first else "O(n)")] * 4
    result = invoke(monkeypatch, ["learn", "two-pointers", "--skip-calibration"], steps)
    assert "1 of 4 right (25%)" in result.output, result.output
    steps = ["", *[answer_for(lambda q: second[q.id][0] if q.id in second else "O(n)")] * 4, "q"]
    result = invoke(monkeypatch, ["learn", "two-pointers"], steps)
    assert "4 of 4 right (100%)" in result.output, result.output


def test_an_unwritable_workspace_is_one_clear_line_and_keeps_the_progress(
    course, monkeypatch, tmp_path, engine
) -> None:
    from patternlift_cli.config import reset_settings_cache
    from patternlift_cli.db.models import LearningSession

    not_a_folder = tmp_path / "workspace"
    not_a_folder.write_text("a file where the workspace folder should be")
    monkeypatch.setenv("PATTERNLIFT_WORKSPACE", str(not_a_folder))
    reset_settings_cache()
    steps: list[Step] = [""] * 6 + [answer_for(ALL_RIGHT)] * 4
    result = invoke(monkeypatch, ["learn", "two-pointers", "--skip-calibration"], steps)
    assert result.exit_code == 4, result.output
    assert "Cannot write the practice file" in result.output and "PATTERNLIFT_WORKSPACE" in result.output
    assert "Traceback" not in result.output
    with engine.begin() as connection:  # the passed check is kept: practice starts once the folder is fixed
        assert connection.execute(sa.select(LearningSession)).one().current_stage.value == "hands_on_practice"


def test_learn_with_nobody_signed_in_asks_for_the_email_once_and_welcomes(mini_course, database_url, monkeypatch) -> None:
    from patternlift_cli import signin
    from patternlift_cli.cli.app import app

    class Terminal(ScriptedStdin):
        def isatty(self) -> bool:
            return True

    def learn(steps: list[Step]):
        monkeypatch.setattr(typer.testing, "make_input_stream", lambda _input, _charset: Terminal(steps))
        return CliRunner().invoke(app, ["learn", "two-pointers", "--skip-calibration"], env={"COLUMNS": "120"})

    first = learn(["new@example.com", "c"])
    assert "Your email" in first.output
    assert "Welcome, new@example.com! Your 14-day trial has started." in first.output
    assert signin.remembered_email() == "new@example.com"
    again = learn(["c"])
    assert "Your email" not in again.output and "Welcome" not in again.output

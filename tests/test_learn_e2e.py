"""two-pointers, the real curriculum and the real judge, driven end to end by script.

On SQLite, PostgreSQL and in connected mode (the real server on PostgreSQL): calibration, lesson, a failed then passed knowledge check, three
practice levels (a failing then passing submission and a hint), the mastery assessment; then
the stored rows. A second run is a real subprocess killed mid-practice and resumed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from patternlift_cli.domain.question_pool import CHECK_SIZE
from tests.test_learning_loop import Step, answer_for, current_question, invoke

PATTERN = "two-pointers"


def _real_curriculum():
    from patternlift_cli.content import loader

    return loader.get_pattern(PATTERN)


def right(question) -> str:
    """Answers by text, as a script must: the options are shown in a per-learner order."""
    if question.kind == "multiple_choice":
        return next(option.text for option in question.options if option.correct)
    if question.kind == "recognition":
        return str(question.answer)
    return str(question.accepted[0])


def wrong(question) -> str:
    if question.kind == "multiple_choice":
        return next(option.text for option in question.options if not option.correct)
    if question.kind == "recognition":
        return next(str(c) for c in question.choices if str(c) != str(question.answer))
    return "O(2^n) surely"


def writer(problem, code: str) -> Callable[[], None]:
    def write() -> None:
        from patternlift_cli.practice.workspace import workspace_file

        path = Path(workspace_file(problem))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code, encoding="utf-8")

    return write


def reference(problem) -> str:
    return problem.solution.code


def broken(problem) -> str:
    return problem.wrong_solutions[0].code


def lesson_enters(pattern, guidance_sections) -> list[Step]:
    from patternlift_cli.domain.lesson import lesson_pages

    return [""] * len(lesson_pages(pattern.lesson.sections, guidance_sections))


def check_steps(*, fail: bool, size: int = CHECK_SIZE) -> list[Step]:
    """Answers to the check's questions as they are asked (a retry draws other questions)."""
    asked = []
    misses = size - int(size * 0.7) + 1 if fail else 0  # enough to land below 70 %

    def choose(question) -> str:
        asked.append(question.id)
        return wrong(question) if len(asked) <= misses else right(question)

    return [answer_for(choose, PATTERN)] * size


def signed_in_engine(request: pytest.FixtureRequest, backend: str) -> sa.Engine:
    """A learner signed in on `backend`, and the database that stores their progress: the
    SQLite file, PostgreSQL directly, or the server's PostgreSQL behind the real replicas."""
    if backend == "connected":
        return request.getfixturevalue("connected").engine
    request.getfixturevalue("learner")
    return request.getfixturevalue("engine")


@pytest.mark.parametrize("backend", ["sqlite", "postgres", "connected"])
def test_two_pointers_end_to_end(backend, request, monkeypatch) -> None:
    from patternlift_cli.db.models import (
        LearningAttempt,
        LearningSession,
        PatternProgress,
        UserAchievement,
        UserCalibration,
    )
    from patternlift_cli.domain import calibration

    engine = signed_in_engine(request, backend)
    pattern = _real_curriculum()
    answers = {"experience": "b", "foundations": "b", "learning_style": "a", "when_stuck": "c", "time": "b"}
    guidance = calibration.calibrate(answers).guidance_config
    levels = [pattern.practice_problem(level) for level in (1, 2, 3)]
    asked = calibration.LEARNER_QUESTION_IDS + calibration.PATTERN_QUESTION_IDS
    steps: list[Step] = [answers[question_id] for question_id in asked]
    steps += lesson_enters(pattern, guidance["lesson_sections"])
    steps += check_steps(fail=True)
    steps += [""]  # review read
    steps += check_steps(fail=False)
    steps += [writer(levels[0], broken(levels[0])), "r", "h", writer(levels[0], reference(levels[0])), "r"]
    steps += [writer(levels[1], reference(levels[1])), "r"]
    steps += [writer(levels[2], reference(levels[2])), "r"]
    for problem in pattern.mastery_problems:
        steps += [writer(problem, reference(problem)), "r"]
    steps += [right(q) for q in pattern.mastery.recognition]

    result = invoke(monkeypatch, ["learn", PATTERN], steps)
    assert result.exit_code == 0, result.output
    assert "Persona: visual learner" in result.output
    assert "Below the pass mark" in result.output and "Passed: practice is open." in result.output
    assert "Hint · about your last failure" in result.output  # the 0-based run's diagnosis comes first
    assert "Mastery assessment passed" in result.output
    assert "Traceback" not in result.output

    with engine.begin() as connection:
        row = connection.execute(sa.select(LearningSession)).one()
        assert row.pattern_id == PATTERN
        assert row.current_stage.value == "mastery_assessment" and row.current_level == 3
        assert row.completed_at is not None and row.is_active is False
        assert row.persona_type == "visual_learner"
        assert 0 <= row.understanding_level <= 100
        assert row.best_score == 100 and row.attempts_count > CHECK_SIZE * 2
        assert any(s.startswith("concept:") for s in row.struggle_indicators)
        assert set(row.mastery_scores) >= {"recognition", "implementation", "complexity", "edge_cases", "overall"}
        assert {"stage", "level", "item", "score", "passed", "hints", "duration_seconds", "at"} <= set(row.attempt_history[0])
        history = connection.execute(
            sa.select(LearningAttempt).where(LearningAttempt.session_id == row.id).order_by(LearningAttempt.created_at)
        ).all()
        runs = [a for a in history if a.kind == "test_run" and a.level == 1 and a.stage == "hands_on_practice"]
        assert [a.passed for a in runs] == [False, True] and runs[1].hints == 1
        checks = [a for a in history if a.kind == "knowledge_check"]
        assert [a.passed for a in checks] == [False, True]
        calibration_row = connection.execute(sa.select(UserCalibration)).one()
        assert calibration_row.persona_type == "visual_learner" and calibration_row.responses == answers
        assert calibration_row.guidance_config["lesson_sections"] == guidance["lesson_sections"]
        progress = connection.execute(sa.select(PatternProgress)).one()
        assert progress.session_id == row.id and progress.assessment_score >= 80
        unlocked = {r.achievement_id for r in connection.execute(sa.select(UserAchievement))}
        assert {"self_aware", "first_steps", "perfect_knowledge_check", "unassisted", "first_mastery"} <= unlocked


def _stage(engine) -> tuple[str, int, int]:
    from patternlift_cli.db.models import LearningSession

    with engine.begin() as connection:
        row = connection.execute(sa.select(LearningSession)).first()
        if row is None:
            return ("none", 0, 0)
        return (row.current_stage.value, row.current_level, row.attempts_count)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres", "connected"])
def test_killed_mid_practice_resumes_at_the_same_level(backend, request, home, monkeypatch) -> None:
    engine = signed_in_engine(request, backend)
    pattern = _real_curriculum()
    from patternlift_cli.practice.workspace import workspace_file
    from tests.conftest import signed_in

    level_1 = pattern.practice_problem(1)
    level_2 = pattern.practice_problem(2)
    lines = lesson_enters(pattern, None)
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "patternlift_cli", "learn", PATTERN, "--skip-calibration"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=home,
    )
    try:
        process.stdin.write("\n".join(str(line) for line in lines) + "\n")
        process.stdin.flush()
        deadline = time.monotonic() + 90

        def wait_for(predicate) -> None:
            while not predicate(_stage(engine)):
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, _stage(engine)
                time.sleep(0.2)

        wait_for(lambda s: s[0] == "knowledge_check")
        # The check's questions are drawn by now (or by this call, the same draw); answer them.
        for answered in range(1, CHECK_SIZE + 1):
            process.stdin.write(right(current_question(PATTERN)) + "\n")
            process.stdin.flush()
            wait_for(lambda s, done=answered: s[2] >= done)
        wait_for(lambda s: s[:2] == ("hands_on_practice", 1))
        writer(level_1, reference(level_1))()
        process.stdin.write("r\n")
        process.stdin.flush()
        wait_for(lambda s: s[:2] == ("hands_on_practice", 2))
        time.sleep(0.5)  # the level 2 starter is written before its prompt
        writer(level_2, broken(level_2))()
        before = _stage(engine)[2]
        process.stdin.write("r\n")
        process.stdin.flush()
        wait_for(lambda s: s[2] > before)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert _stage(engine)[:2] == ("hands_on_practice", 2)
    mine = Path(workspace_file(level_2)).read_text(encoding="utf-8")
    assert mine == broken(level_2)

    result = invoke(monkeypatch, ["learn", PATTERN], ["q"])
    assert result.exit_code == 0, result.output
    assert "resuming at Hands-on practice, level 2" in result.output
    assert Path(workspace_file(level_2)).read_text(encoding="utf-8") == mine  # not overwritten
    detail = signed_in().learning.progress(PATTERN)
    assert detail.stage == "hands_on_practice" and detail.level == 2
    failed = [a for a in detail.attempt_history if a.kind == "test_run" and a.item == level_2.id]
    assert [a.passed for a in failed] == [False]

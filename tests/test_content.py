"""The curriculum validates, and every problem's reference passes while every wrong one fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from patternlift_cli.content.loader import (
    PATTERNS_ROOT,
    get_problem,
    load_curriculum,
    parse_lesson,
)
from patternlift_cli.content.models import (
    LESSON_SECTIONS,
    MultipleChoice,
    Recognition,
    ShortAnswer,
)
from patternlift_cli.errors import ContentError
from patternlift_cli.practice.judge import JudgeSettings, judge_source

COURSE = (
    "hashing", "prefix-sum", "two-pointers", "fast-slow-pointers", "sliding-window",
    "merge-intervals", "cyclic-sort", "linked-list-reversal", "monotonic-stack",
    "modified-binary-search", "tree-bfs", "tree-dfs", "graph-traversal", "topological-sort",
    "union-find", "top-k-elements", "two-heaps", "k-way-merge", "backtracking", "trie",
    "greedy", "dynamic-programming-1d", "dynamic-programming-2d", "bit-manipulation",
)
PATTERN_IDS = sorted(p.name for p in PATTERNS_ROOT.iterdir() if (p / "pattern.yaml").exists())
PROBLEM_IDS = sorted(path.stem for path in PATTERNS_ROOT.glob("*/problems/*.yaml"))


@pytest.fixture(autouse=True)
def _isolated(home: Path) -> None:
    """Judge limits at their defaults, whatever the developer's environment says."""


def test_the_whole_course_is_there_in_order() -> None:
    curriculum = load_curriculum()
    assert [entry.id for entry in curriculum.course] == list(COURSE)
    assert [pattern.id for pattern in curriculum.ordered()] == list(COURSE)
    assert curriculum.planned() == []


@pytest.mark.parametrize("pattern_id", PATTERN_IDS)
def test_pattern_is_complete(pattern_id: str) -> None:
    pattern = load_curriculum().patterns[pattern_id]
    assert pattern.summary and pattern.name
    assert set(LESSON_SECTIONS) <= set(pattern.lesson.sections)
    assert pattern.lesson.template_code.strip()
    kinds = [type(question) for question in pattern.questions]
    assert len(pattern.questions) >= 8
    assert kinds.count(Recognition) >= 2
    assert kinds.count(MultipleChoice) >= 2
    assert kinds.count(ShortAnswer) >= 1
    assert {problem.level for problem in pattern.problems} >= {1, 2, 3, "mastery"}
    assert pattern.mastery.recognition
    for problem in pattern.problems:
        assert len(problem.hints) == 3
        assert problem.wrong_solutions
    course_order = [entry.id for entry in load_curriculum().course]
    for prerequisite in pattern.prerequisites:
        assert course_order.index(prerequisite) < course_order.index(pattern.id)


@pytest.mark.parametrize("pattern_id", PATTERN_IDS)
def test_questions_have_exactly_one_right_answer(pattern_id: str) -> None:
    pattern = load_curriculum().patterns[pattern_id]
    known = set(COURSE)
    for question in [*pattern.questions, *pattern.mastery.recognition]:
        if isinstance(question, MultipleChoice):
            assert sum(option.correct for option in question.options) == 1, question.id
            assert all(option.explanation.strip() for option in question.options), question.id
        elif isinstance(question, ShortAnswer):
            assert [answer for answer in question.accepted if answer.strip()], question.id
        else:
            assert question.answer in known, question.id
            assert set(question.choices) <= known, question.id
            assert len(set(question.choices)) >= 3, question.id


CALIBRATION = json.loads((Path(__file__).with_name("judge_calibration.json")).read_text())
# CPU seconds measured on a loaded 2-core machine may run this much above the recorded ones.
LOADED_MACHINE_ALLOWANCE = 2.0


@pytest.mark.parametrize("problem_id", PROBLEM_IDS)
def test_reference_passes_and_every_wrong_solution_fails(problem_id: str) -> None:
    """The time limit is calibrated (bench/calibrate_limits.py): at least 3x the reference's CPU
    time for all cases, as recorded, and still 3x now, on this machine's scale (the judge's
    machine_speed) and within the loaded-machine allowance."""
    problem = get_problem(problem_id)
    recorded = CALIBRATION[problem_id]
    assert recorded["limit_seconds"] == problem.time_limit_seconds, "re-run bench/calibrate_limits.py --write"
    assert problem.time_limit_seconds >= 3 * recorded["reference_cpu_seconds"]
    reference = judge_source(problem, problem.solution.code)
    assert reference.all_passed, f"reference: {reference.message} {reference.first_failure}"
    here = problem.time_limit_seconds * JudgeSettings.current().machine_speed
    assert reference.cpu_seconds * 3 <= here * LOADED_MACHINE_ALLOWANCE
    for wrong in problem.wrong_solutions:
        report = judge_source(problem, wrong.code)
        assert not report.all_passed, f"wrong solution ({wrong.kind}: {wrong.description}) passed"
        if wrong.kind == "too_slow":
            assert report.verdict == "time_limit", f"too_slow solution ended as {report.message}"
        # The hint a learner gets first is the one about the mistake their code makes.
        assert wrong.diagnosis, f"wrong solution ({wrong.description}) names no diagnosis"
        shown = first_diagnosis(problem, report)
        assert shown == wrong.diagnosis, f"{wrong.description}: diagnosed as {shown}, not {wrong.diagnosis}"


def first_diagnosis(problem, report) -> str | None:
    from patternlift_cli.domain.diagnosis import FailedCase, matching

    failure = report.first_failure
    case = FailedCase(args=failure.arguments or {}, expected=failure.expected_value,
                      actual=failure.actual_value, status=failure.status)
    found = matching(problem.diagnoses, case)
    return found.id if found else None


@pytest.mark.parametrize("problem_id", PROBLEM_IDS)
def test_every_problem_has_diagnoses_and_hints_as_questions(problem_id: str) -> None:
    problem = get_problem(problem_id)
    assert problem.diagnoses, "a problem names its typical mistakes"
    assert all(diagnosis.ask and diagnosis.ask.rstrip().endswith("?") for diagnosis in problem.diagnoses)
    assert len(problem.socratic_hints) == len(problem.hints)
    assert all(hint.rstrip().endswith("?") for hint in problem.socratic_hints)


def test_level_three_problems_have_a_case_big_enough_to_stop_brute_force() -> None:
    """Level 3 is where speed is the pattern's point: a brute force must run out of time there
    (the reference-and-wrong-solutions test checks that each too_slow one ends as time_limit)."""
    for pattern in load_curriculum().patterns.values():
        level_three = pattern.practice_problem(3)
        assert any(wrong.kind == "too_slow" for wrong in level_three.wrong_solutions), level_three.id
        assert any(case.args_py for case in level_three.cases), level_three.id


# ----- a broken file is one clear error naming the file and the field --------------------


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A writable copy of one real pattern to break."""
    root = tmp_path / "patterns"
    source = PATTERNS_ROOT / PATTERN_IDS[0]
    shutil.copytree(source, root / source.name)
    pattern_yaml = root / source.name / "pattern.yaml"
    pattern_yaml.write_text(
        "\n".join(line for line in pattern_yaml.read_text().splitlines() if not line.startswith("prerequisites"))
        + "\nprerequisites: []\n"
    )
    for question_file in (root / source.name / "questions.yaml", root / source.name / "mastery.yaml"):
        import yaml

        data = yaml.safe_load(question_file.read_text())
        items = data["questions"] if "questions" in data else data["recognition"]
        for item in items:
            if item["kind"] == "recognition":
                item["choices"] = [source.name, "other-a", "other-b"]
                item["answer"] = source.name
        question_file.write_text(yaml.safe_dump(data, sort_keys=False))
    for name in ("other-a", "other-b"):
        shutil.copytree(root / source.name, root / name)
        meta = root / name / "pattern.yaml"
        meta.write_text(meta.read_text().replace(f"id: {source.name}", f"id: {name}", 1))
        for problem in (root / name / "problems").glob("*.yaml"):
            text = problem.read_text().replace(source.name, name)
            problem.unlink()
            (root / name / "problems" / problem.name.replace(source.name, name)).write_text(text)
        mastery = root / name / "mastery.yaml"
        mastery.write_text(mastery.read_text().replace(f"{source.name}-m-", f"{name}-m-"))
    load_curriculum(root)  # the copy itself is sound
    return root / source.name


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_missing_field_names_file_and_field(course_copy: Path) -> None:
    problem = next((course_copy / "problems").glob("*-1-*.yaml"))
    lines = [line for line in problem.read_text().splitlines() if not line.startswith("title:")]
    problem.write_text("\n".join(lines) + "\n")
    with pytest.raises(ContentError) as raised:
        load_curriculum(course_copy.parent)
    assert str(raised.value).startswith(f"{problem.relative_to(course_copy.parent)}: title:")


def test_two_correct_options_are_rejected(course_copy: Path) -> None:
    import yaml

    path = course_copy / "questions.yaml"
    data = yaml.safe_load(path.read_text())
    index = next(i for i, q in enumerate(data["questions"]) if q["kind"] == "multiple_choice")
    for option in data["questions"][index]["options"]:
        option["correct"] = True
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ContentError, match=rf"questions.yaml: questions\[{index}\].options: exactly one option"):
        load_curriculum(course_copy.parent)


def test_invalid_yaml_names_the_line(course_copy: Path) -> None:
    (course_copy / "mastery.yaml").write_text("problems: [unclosed\n")
    with pytest.raises(ContentError, match=r"mastery.yaml: line \d+: not valid YAML"):
        load_curriculum(course_copy.parent)


def test_recognition_answer_must_be_a_known_pattern(course_copy: Path) -> None:
    path = course_copy / "questions.yaml"
    _edit(path, "- other-a", "- no-such-pattern")
    with pytest.raises(ContentError, match="unknown pattern 'no-such-pattern'"):
        load_curriculum(course_copy.parent)


def test_lesson_missing_a_section_is_rejected(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.md"
    lesson.write_text("# Title\n\n## When it applies\ntext\n## Signals\n- a\n")
    with pytest.raises(ContentError, match="section '## Template' is missing"):
        parse_lesson(lesson)


def test_cli_reports_corrupt_content_in_one_line(course_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from patternlift_cli.cli.app import app
    from patternlift_cli.content import loader

    (course_copy / "pattern.yaml").write_text("id: [broken\n")
    monkeypatch.setattr(loader, "PATTERNS_ROOT", course_copy.parent)
    loader._packaged_curriculum.cache_clear()
    try:
        result = CliRunner().invoke(app, ["problems"])
    finally:
        loader._packaged_curriculum.cache_clear()
    assert result.exit_code == 6
    assert "pattern.yaml" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("pattern_id", PATTERN_IDS)
def test_lesson_code_reads_unbroken_on_an_80_column_terminal(pattern_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from rich.console import Console

    from patternlift_cli.domain.lesson import SECTION_HEADINGS, lesson_pages
    from patternlift_cli.ports.learning import LessonPage
    from patternlift_cli.ui import lesson_view

    pattern = load_curriculum().patterns[pattern_id]
    terminal = Console(width=80, record=True, color_system=None)
    pages = lesson_pages(pattern.lesson.sections, None)
    for number, (key, body) in enumerate(pages, 1):
        terminal.print(lesson_view.page(pattern.name, LessonPage(key=key, title=SECTION_HEADINGS[key], body=body),
                                        number, len(pages)))
    shown = terminal.export_text()
    code_lines = [
        line.strip()
        for page in pages
        for block in re.findall(r"```python\n(.*?)```", page[1], re.S)
        for line in block.splitlines()
        if line.strip()
    ]
    assert code_lines
    broken = [line for line in code_lines if line not in shown]
    assert not broken, f"wrapped at 80 columns: {broken}"

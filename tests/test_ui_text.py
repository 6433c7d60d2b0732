"""Curriculum text reaches the terminal as written: brackets in it are not Rich markup."""

from __future__ import annotations


def test_question_options_and_feedback_keep_their_brackets() -> None:
    from rich.console import Console

    from patternlift_cli.ports.learning import AnswerFeedback, QuestionView
    from patternlift_cli.ui import quiz_view

    console = Console(width=200, record=True)
    console.print(quiz_view.question(QuestionView(id="q", number=1, total=1, kind="multiple_choice", prompt="Why move `left`?",
                                                  choices=["nums[right] is the largest value [still] in play"])))
    console.print(quiz_view.feedback(AnswerFeedback(valid=True, correct=False, explanation="Because nums[left] is too small.",
                                                    correct_text="nums[right] is the largest")))
    text = console.export_text()
    assert "nums[right] is the largest value [still] in play" in text
    assert "Because nums[left] is too small." in text


def test_long_options_wrap_under_their_text_and_code_spans_lose_backticks() -> None:
    from rich.console import Console

    from patternlift_cli.ports.learning import QuestionView
    from patternlift_cli.ui import quiz_view

    console = Console(width=40, record=True)
    option = "`left` only moves forward and can never pass n, so the inner loop runs at most n times"
    console.print(quiz_view.question(QuestionView(id="q", number=1, total=1, kind="multiple_choice", prompt="Why O(n)?",
                                                  choices=[option, "It is not"])))
    lines = console.export_text().splitlines()
    first = next(index for index, line in enumerate(lines) if line.startswith("  a) "))
    assert lines[first].startswith("  a) left only moves")
    assert lines[first + 1].startswith("     ") and lines[first + 1].strip()
    assert "`" not in "\n".join(lines)
    assert any(line.startswith("  b) It is not") for line in lines)


def test_a_revealed_solution_wraps_long_lines_instead_of_cutting_them() -> None:
    from rich.console import Console

    from patternlift_cli.content.loader import get_problem
    from patternlift_cli.ui import practice_view

    console = Console(width=80, record=True, color_system=None)
    problem = get_problem("merge-intervals-3-interval-list-intersections")
    console.print(practice_view.solution(problem))
    shown = " ".join(console.export_text().split())
    signature = next(line for line in problem.solution.code.splitlines() if "def " in line)
    assert len(signature) > 80
    assert signature.strip().split()[-1] in shown  # the line's end is on screen


def test_a_long_workspace_path_breaks_only_between_folders() -> None:
    from patternlift_cli.ui.format import path_lines

    path = "/home/a-learner-with-a-long-name/.local/share/patternlift/workspace/two-pointers/two-pointers-3-container-with-most-water.py"
    lines = path_lines(path, 78).split("\n")
    assert len(lines) > 1 and all(len(line) <= 78 for line in lines)
    assert "".join(line.strip() for line in lines) == path  # nothing lost, every break after a "/"
    assert all(line.rstrip().endswith("/") for line in lines[:-1])


def test_a_yes_no_question_shows_its_brackets() -> None:
    import io

    from patternlift_cli.ui.terminal import UI

    out = io.StringIO()
    ui = UI(stdout=out, stdin=io.StringIO("\n"))
    assert ui.confirm("Start Two Pointers [the pattern] over?") is False  # Enter means no
    assert "Start Two Pointers [the pattern] over? [y/N]" in out.getvalue()


def test_the_course_table_keeps_every_id_whole_at_80_columns() -> None:
    """The ids in `patterns` are what the learner types next: none may break mid-name."""
    from io import StringIO

    from rich.console import Console

    from patternlift_cli.content.loader import list_patterns
    from patternlift_cli.ports.reports import PatternOverview
    from patternlift_cli.ui import progress_view

    rows = [
        PatternOverview(id=p.id, name=p.name, order=p.order, prerequisites=list(p.prerequisites),
                        prerequisites_met=False, stage="knowledge_check", level=1, understanding=None,
                        mastered=False)
        for p in list_patterns()
    ]
    out = StringIO()
    Console(file=out, width=80, color_system=None).print(progress_view.patterns(rows, width=80))
    cells = {cell for line in out.getvalue().splitlines() for cell in line.split()}
    for pattern in list_patterns():
        assert pattern.id in cells
        assert set(pattern.prerequisites) <= cells, pattern.id
    assert max(len(line) for line in out.getvalue().splitlines()) <= 80


def test_the_problem_list_keeps_every_id_whole_at_80_columns() -> None:
    """`problems` lists the ids the learner types into `check`: none may be cut or broken."""
    from io import StringIO

    from rich.console import Console

    from patternlift_cli.content.loader import load_curriculum
    from patternlift_cli.ui import problem_view

    problems = list(load_curriculum().problems.values())
    rows = [{"id": p.id, "level": p.level, "leetcode": p.leetcode, "title": p.title} for p in problems]
    out = StringIO()
    Console(file=out, width=80, color_system=None).print(problem_view.problem_list(rows))
    cells = {cell for line in out.getvalue().splitlines() for cell in line.split()}
    assert {p.id for p in problems} <= cells
    assert max(len(line) for line in out.getvalue().splitlines()) <= 80


def test_deep_feedback_names_the_other_options_by_the_letter_shown() -> None:
    from rich.console import Console

    from patternlift_cli.ports.learning import AnswerFeedback
    from patternlift_cli.ui import quiz_view

    choices = ["A set of the letters.", "A Counter of the letters.", "A sorted list."]
    answer = AnswerFeedback(valid=True, correct=True, explanation="Counts capture multiplicity.",
                            explain_all=True, others=[("A set of the letters.", "A set forgets how many."),
                                                      ("A sorted list.", "Deleting costs O(n).")])
    console = Console(width=80, record=True)
    console.print(quiz_view.feedback(answer, choices))
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    assert "  a) A set forgets how many." in lines and "  c) Deleting costs O(n)." in lines
    assert not any("A set of the letters" in line for line in lines)

"""`learn PATTERN`: calibration, lesson, knowledge check, practice levels 1-3, mastery assessment.

The loop asks the learning service where the learner is, shows that step, and sends each
answer, test run, hint and reveal back as evidence the moment it happens; quitting (q, end of
input, Ctrl-C) or a killed process resumes at the same stage, level and question.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.text import Text

if TYPE_CHECKING:
    from patternlift_cli.content.models import Pattern, Problem, Question
    from patternlift_cli.services.learning import SessionView
    from patternlift_cli.services.tutor import TutorReply

LEARN_HELP = """Learn a pattern step by step; run it again to resume where you stopped.

Stages: introduction, knowledge check, hands-on practice (levels 1-3), mastery assessment.
Practice files live in your workspace folder (PATTERNLIFT_WORKSPACE; by default
the workspace folder in PatternLift's data folder); $EDITOR opens them when set.

Examples:

    patternlift learn two-pointers

    patternlift learn two-pointers --watch      # re-run the tests every time you save

    patternlift learn sliding-window --restart --yes
"""


def learn(
    pattern: str = typer.Argument(..., help="Pattern id, e.g. two-pointers (see `patternlift patterns`)."),
    restart: bool = typer.Option(False, "--restart", help="Start this pattern over (asks first)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before --restart."),
    skip_calibration: bool = typer.Option(
        False, "--skip-calibration", help="Skip the questionnaire; use the balanced_learner persona."
    ),
    watch: bool = typer.Option(False, "--watch", help="In practice, re-run the tests whenever the file is saved."),
) -> None:
    from patternlift_cli.cli.common import ensure_signed_in
    from patternlift_cli.services import catalog, learning
    from patternlift_cli.ui.console import console
    from patternlift_cli.ui.learn_prompts import LearnerQuit, read_choice

    content = learning.load_pattern(pattern.strip().lower())
    ensure_signed_in()
    catalog.sync_patterns()
    try:
        if restart:
            if not yes:
                answer = read_choice(
                    f"Start {content.name} over? Progress on it is reset; mastery and "
                    "achievements stay. [y/N] ",
                    ("y", "yes", "n", "no"),
                    default="n",
                )
                if answer.startswith("n"):
                    console.print("Nothing changed.")
                    return
            view = learning.restart_session(content.id)
            console.print(f"{content.name} starts over from the introduction.")
        else:
            view = learning.open_session(content.id)
        LearnLoop(content, view, watch=watch, skip_calibration=skip_calibration).run()
    except LearnerQuit:
        console.print(
            f"Saved. Run [bold]patternlift learn {content.id}[/] to continue where you stopped."
        )


class LearnLoop:
    def __init__(self, pattern: Pattern, view: SessionView, *, watch: bool, skip_calibration: bool) -> None:
        from patternlift_cli.services import learning

        self.learning = learning
        self.pattern = pattern
        self.view = view
        self.watch = watch
        self.skip_calibration = skip_calibration
        # What the AI tutor is shown about the learner's last run.
        self.last_failing_case: dict[str, Any] | None = None

    # ----- driving ---------------------------------------------------------------------------

    def run(self) -> None:
        from patternlift_cli.domain import stages
        from patternlift_cli.ui.console import console

        if self.view.stage == stages.COMPLETED:
            console.print(
                f"You have mastered {self.pattern.name}. `patternlift progress {self.pattern.id}` "
                f"shows how; `patternlift learn {self.pattern.id} --restart` goes again."
            )
            return
        if not self.view.calibrated:
            self.calibrate()
        if self.view.stage != stages.INTRODUCTION:
            console.print(f"Welcome back: resuming at [bold]{self.view.position.label()}[/].")
        handlers = {
            stages.INTRODUCTION: self.introduction,
            stages.KNOWLEDGE_CHECK: self.knowledge_check,
            stages.HANDS_ON_PRACTICE: self.practice,
            stages.MASTERY_ASSESSMENT: self.mastery,
        }
        while True:
            self.refresh()
            if self.view.stage == stages.COMPLETED:
                console.print(
                    f"[bold green]{self.pattern.name} mastered.[/] `patternlift patterns` suggests what next."
                )
                return
            handlers[self.view.stage]()

    def refresh(self) -> None:
        self.view = self.learning.open_session(self.pattern.id)

    def guidance(self, key: str, default: Any = None) -> Any:
        return (self.view.guidance or {}).get(key, default)

    def apply(self, outcome: dict[str, Any]) -> dict[str, Any]:
        from patternlift_cli.ui.practice_view import render_achievements

        render_achievements(outcome.get("unlocked_achievements") or [])
        return outcome

    # ----- calibration ---------------------------------------------------------------------

    def calibrate(self) -> None:
        from patternlift_cli.domain import calibration
        from patternlift_cli.ui.console import console
        from patternlift_cli.ui.learn_prompts import LearnerQuit, read_choice

        if self.skip_calibration:
            result = calibration.default_calibration()
        else:
            console.print(
                f"[bold]Before we start {self.pattern.name}[/]: five quick questions so the lesson "
                "fits how you learn."
            )
            responses = {}
            for number, question in enumerate(calibration.QUESTIONS, 1):
                console.print(f"\n[bold]{number}. {question.prompt.format(pattern=self.pattern.name)}[/]")
                for option in question.options:
                    console.print(f"  [bold]{option.key})[/] {option.text}", highlight=False)
                keys = tuple(option.key for option in question.options)
                responses[question.id] = read_choice(
                    f"Your answer ({keys[0]}-{keys[-1]}, q to quit): ", (*keys, "q")
                )
                if responses[question.id] == "q":
                    raise LearnerQuit
            result = calibration.calibrate(responses)
        outcome = self.learning.save_calibration(self.view.session_id, result)
        config = result.guidance_config
        console.print(
            f"Persona: [bold]{result.persona_type.replace('_', ' ')}[/] · {config['depth']} lesson · "
            f"{config['hint_style']} hints."
        )
        self.apply(outcome)
        self.refresh()

    # ----- introduction --------------------------------------------------------------------

    def introduction(self) -> None:
        from patternlift_cli.ui.lesson_view import page_through

        pages = lesson_pages(self.pattern, self.guidance("lesson_sections"))
        start = int(self.view.section("introduction").get("page", 0))
        saved = {"page": start}

        def remember(page: int) -> None:
            if page != saved["page"]:
                self.learning.save_lesson_page(self.view.session_id, page)
                saved["page"] = page

        ai_ready, _ = ai_status()
        page_through(self.pattern.name, pages, start=start, on_page=remember,
                     on_explain=self.explain_section if ai_ready else None)
        self.apply(self.learning.complete_lesson(self.view.session_id))

    def explain_section(self, section: str) -> None:
        """The AI tutor explains one lesson page again, in the learner's persona style."""
        from patternlift_cli.errors import AIError
        from patternlift_cli.ui.console import console

        try:
            reply = self.stream_reply(
                "explain", question=f"Explain the '{section.replace('_', ' ')}' part of the lesson another way."
            )
        except AIError as error:
            console.print(Text(error.message, style="yellow"))
            return
        self.offer_rating(reply)

    # ----- knowledge check ------------------------------------------------------------------

    def knowledge_check(self) -> None:
        from patternlift_cli.domain import stages
        from patternlift_cli.ui.console import console
        from patternlift_cli.ui.learn_prompts import pause
        from patternlift_cli.ui.quiz_view import render_check_result, render_review

        questions = self.learning.knowledge_questions(self.pattern)
        section = self.view.section("knowledge_check")
        if section.get("review") is not None:
            by_id = {question.id: question for question in questions}
            items = [
                (str(q.concept), str(q.prompt), _correct_text(q), _explanation(q))
                for q in (by_id.get(question_id) for question_id in section["review"])
                if q is not None
            ]
            render_review(items)
            pause("[dim]Enter to retry the knowledge check, q to quit[/] ")
            self.apply(self.learning.finish_review(self.view.session_id))
            return
        if not section.get("answers"):
            attempt = int(section.get("attempt", 1))
            console.print(
                f"\n[bold]Knowledge check[/] (attempt {attempt}): {len(questions)} questions, "
                f"pass mark {stages.KNOWLEDGE_CHECK_PASS_PERCENT:g}%."
            )
        answered = section.get("answers") or {}
        for number, question in enumerate(questions, 1):
            if question.id in answered:
                continue
            outcome = self.ask(question, number, len(questions), stages.KNOWLEDGE_CHECK)
            result = outcome["result"].get("knowledge_check")
            if result:
                render_check_result(
                    result["score"], result["correct"], result["total"], result["passed"],
                    float(stages.KNOWLEDGE_CHECK_PASS_PERCENT),
                )
                return

    def ask(self, question: Question, number: int, total: int, stage: str) -> dict[str, Any]:
        """One question: prompt, grade, record as evidence, feedback."""
        from patternlift_cli.domain import stages
        from patternlift_cli.domain.progress import ANSWER, Evidence
        from patternlift_cli.domain.quiz import order_seed, presentation_order
        from patternlift_cli.ui.console import console
        from patternlift_cli.ui.learn_prompts import LearnerQuit, read_line
        from patternlift_cli.ui.quiz_view import answer_prompt, render_feedback, render_question

        section = "mastery" if stage == stages.MASTERY_ASSESSMENT else "knowledge_check"
        attempt = int(self.view.section(section).get("attempt", 1))
        order = presentation_order(
            order_seed(self.view.user_id, question.id, attempt), len(self.learning.choices_of(question))
        )
        choices = self.learning.choices_of(question, order)
        render_question(number, total, str(question.prompt), choices, str(question.kind))
        started = time.monotonic()
        while True:
            raw = read_line(answer_prompt(choices))
            # "q" quits where answers are letters; a short answer needs the whole word.
            if raw.strip().lower() in (("q", "quit") if choices else ("quit",)):
                raise LearnerQuit
            grade = self.learning.grade_answer(question, raw, order)
            if grade.valid:
                break
            console.print("[yellow]That is not one of the choices; answer with its letter or its text.[/]")
        evidence = Evidence(
            kind=ANSWER,
            stage=stage,
            level=self.view.level,
            item=question.id,
            passed=grade.correct,
            score=100 if grade.correct else 0,
            concept=str(question.concept),
            question_kind=str(question.kind),
            duration_seconds=round(time.monotonic() - started, 1),
        )
        outcome = self.learning.update_learning_progress(
            self.view.user_id, self.view.session_id, evidence, response=grade.response
        )
        render_feedback(
            correct=grade.correct,
            explanation=grade.explanation,
            correct_text=grade.correct_text,
            others=grade.other_explanations,
            explain_all=bool(self.guidance("explain_all_options")) and stage != "mastery_assessment",
        )
        return self.apply(outcome)

    # ----- practice -------------------------------------------------------------------------

    def practice(self) -> None:
        from patternlift_cli.domain import progress as rules
        from patternlift_cli.domain import stages
        from patternlift_cli.domain.progress import Evidence
        from patternlift_cli.errors import AIError
        from patternlift_cli.ui import practice_view as pv
        from patternlift_cli.ui.console import console
        from patternlift_cli.ui.lesson_view import render_markdown
        from patternlift_cli.ui.learn_prompts import LearnerQuit, read_choice

        level = self.view.level
        problem = self.learning.practice_problem(self.pattern, level)
        path = prepare_workspace(problem)
        tally = self.view.tally(problem.id)
        if level == 1 and tally.runs == 0 and self.guidance("recap_template_before_practice"):
            template = dict(lesson_pages(self.pattern, ["template"])).get("template")
            if template:
                render_markdown("Recap: the template", template)
        pv.render_problem(problem, heading=f"Practice level {level} of 3", workspace=path)
        open_in_editor(path)
        hints = self.learning.problem_hints(problem)
        ai_ready, ai_message = ai_status()
        shown = time.monotonic()
        while True:
            tally = self.view.tally(problem.id)
            menu = pv.practice_menu(
                hints_left=max(0, len(hints) - tally.hints),
                hint_cost=int(rules.PRACTICE_HINT_COST),
                can_reveal=stages.may_reveal_solution(tally.failed_runs) and not tally.revealed,
                failed_runs=tally.failed_runs,
                ai_ready=ai_ready,
            )
            action = self.next_action(menu, path)
            if action in ("q", "quit"):
                raise LearnerQuit
            if action in ("r", "run", ""):
                if action == "" and not self.watch:
                    continue
                counts = run_judge(problem, path)
                if counts is None:
                    continue
                passed, cases_passed, cases_total, failing_case = counts
                outcome = self.apply(
                    self.learning.update_learning_progress(
                        self.view.user_id,
                        self.view.session_id,
                        Evidence(
                            kind=rules.TEST_RUN,
                            stage=stages.HANDS_ON_PRACTICE,
                            level=level,
                            item=problem.id,
                            passed=passed,
                            cases_passed=cases_passed,
                            cases_total=cases_total,
                            duration_seconds=round(time.monotonic() - shown, 1),
                        ),
                    )
                )
                self.last_failing_case = failing_case
                result = outcome["result"]
                pv.render_run_summary(
                    passed=result["passed"], cases_passed=cases_passed, cases_total=cases_total,
                    score=result["score"],
                )
                shown = time.monotonic()
                self.refresh()
                if result["passed"]:
                    if self.guidance("show_solution_notes", True):
                        pv.render_solution(problem, notes_only=True)
                    if ai_ready and read_choice("AI code review of your solution? [y/N] ", ("y", "yes", "n", "no"),
                                                default="n").startswith("y"):
                        try:
                            self.ask_tutor("review", problem, path)
                        except AIError as error:
                            console.print(Text(error.message, style="yellow"))
                    pv.render_level_passed(f"Level {level}", result.get("unlocked", "next"))
                    return
                continue
            if action in ("h", "hint"):
                if tally.hints >= len(hints):
                    console.print("No more built-in hints for this problem.")
                    continue
                outcome = self.apply(
                    self.learning.update_learning_progress(
                        self.view.user_id,
                        self.view.session_id,
                        Evidence(kind=rules.HINT, stage=stages.HANDS_ON_PRACTICE, level=level, item=problem.id),
                    )
                )
                index = outcome["result"]["hint_index"]
                pv.render_hint(index + 1, len(hints), hints[index], style=self.guidance("hint_style", "direct"))
                self.refresh()
                continue
            if action in ("s", "show", "solution"):
                if not stages.may_reveal_solution(tally.failed_runs):
                    console.print(
                        f"The solution unlocks after {stages.FAILED_RUNS_BEFORE_REVEAL} failed runs "
                        f"(you have {tally.failed_runs})."
                    )
                    continue
                if not tally.revealed:
                    sure = read_choice(
                        f"Showing it caps this problem's score at {rules.PRACTICE_REVEALED_CAP:g}. Show? [y/N] ",
                        ("y", "yes", "n", "no"),
                        default="n",
                    )
                    if sure.startswith("n"):
                        continue
                    self.apply(
                        self.learning.update_learning_progress(
                            self.view.user_id,
                            self.view.session_id,
                            Evidence(kind=rules.REVEAL, stage=stages.HANDS_ON_PRACTICE, level=level, item=problem.id),
                        )
                    )
                    self.refresh()
                pv.render_solution(problem)
                console.print("Type it in your own words in the file, then run the tests.")
                continue
            if action in ("o", "open", "edit"):
                open_in_editor(path, announce_missing=True)
                continue
            if action in ("a", "e", "?", "ai", "explain", "ask"):
                if not ai_ready:
                    console.print(ai_message)
                    continue
                try:
                    self.ask_tutor(action, problem, path)
                except AIError as error:
                    console.print(Text(error.message, style="yellow"))
                continue
            console.print("[yellow]Choose one of the letters in the menu.[/]")

    def next_action(self, menu: str, path: Path) -> str:
        """The next menu command; with --watch, a save counts as `r`."""
        from patternlift_cli.ui.learn_prompts import read_line

        if self.watch:
            return wait_for_save_or_line(menu, path)
        return read_line(menu).strip().lower()

    def ask_tutor(self, action: str, problem: Problem, path: Path) -> None:
        from patternlift_cli.ui.learn_prompts import read_line

        code = path.read_text(encoding="utf-8") if path.exists() else None
        kind = {"a": "hint", "ai": "hint", "e": "explain", "explain": "explain", "review": "review"}.get(
            action, "question"
        )
        question = None
        if kind == "question":
            question = read_line("Your question: ").strip()
            if not question:
                return
        reply = self.stream_reply(
            kind, question=question, problem_id=problem.id, code=code, failing_case=self.last_failing_case
        )
        if kind == "hint":
            # Scored by the next run of this problem (response_quality_score), whenever it comes.
            self.learning.await_hint_outcome(self.view.user_id, self.view.session_id, problem.id, reply.interaction_id)
        self.offer_rating(reply)

    def offer_rating(self, reply: TutorReply) -> None:
        """The learner's optional 1-5 rating of a reply (ai_interactions.user_feedback)."""
        from patternlift_cli.db.database import ready_engine
        from patternlift_cli.services import tutor
        from patternlift_cli.ui.learn_prompts import read_line

        rating = read_line("Rate this reply 1-5 (Enter to skip): ").strip()
        if rating in {"1", "2", "3", "4", "5"}:
            tutor.rate_reply(ready_engine(), self.view.user_id, reply.interaction_id, int(rating))

    def stream_reply(self, kind: str, **context: Any) -> TutorReply:
        """One tutor reply for this session, streamed to the terminal, then its cost line."""
        from patternlift_cli.db.database import ready_engine
        from patternlift_cli.services import tutor
        from patternlift_cli.ui.console import console

        reply = tutor.tutor_reply(
            ready_engine(),
            self.view.user_id,
            kind,
            pattern_id=self.pattern.id,
            session_id=self.view.session_id,
            on_text=lambda text: (console.file.write(text), console.file.flush()),
            **context,
        )
        console.print()
        console.print(f"[dim]{reply.cost_line}[/]", highlight=False)
        return reply

    # ----- mastery assessment ------------------------------------------------------------

    def mastery(self) -> None:
        from patternlift_cli.domain import progress as rules
        from patternlift_cli.domain import stages
        from patternlift_cli.domain.progress import Evidence
        from patternlift_cli.ui import practice_view as pv
        from patternlift_cli.ui.learn_prompts import LearnerQuit

        problems = self.learning.mastery_problems(self.pattern)
        questions = self.learning.mastery_questions(self.pattern)
        section = self.view.section("mastery")
        records = section.get("problems") or {}
        answers = section.get("answers") or {}
        if not records and not answers:
            pv.render_assessment_intro(
                len(problems), len(questions), float(self.learning.mastery_pass_score(self.pattern))
            )
        for number, problem in enumerate(problems, 1):
            if (records.get(problem.id) or {}).get("final"):
                continue
            path = prepare_workspace(problem)
            pv.render_problem(problem, heading=f"Assessment problem {number} of {len(problems)}", workspace=path)
            open_in_editor(path)
            shown = time.monotonic()
            while True:
                action = self.next_action(pv.assessment_menu(), path)
                if action in ("q", "quit"):
                    raise LearnerQuit
                if action in ("o", "open"):
                    open_in_editor(path, announce_missing=True)
                    continue
                if action in ("d", "done"):
                    outcome = self.apply(self.learning.submit_assessment_problem(self.view.session_id, problem.id))
                    if self.finish_assessment(outcome):
                        return
                    break
                if action in ("r", "run") or (action == "" and self.watch):
                    counts = run_judge(problem, path)
                    if counts is None:
                        continue
                    passed, cases_passed, cases_total, _ = counts
                    outcome = self.apply(
                        self.learning.update_learning_progress(
                            self.view.user_id,
                            self.view.session_id,
                            Evidence(
                                kind=rules.TEST_RUN,
                                stage=stages.MASTERY_ASSESSMENT,
                                level=self.view.level,
                                item=problem.id,
                                passed=passed,
                                cases_passed=cases_passed,
                                cases_total=cases_total,
                                duration_seconds=round(time.monotonic() - shown, 1),
                            ),
                        )
                    )
                    shown = time.monotonic()
                    result = outcome["result"]
                    pv.render_run_summary(
                        passed=result["passed"], cases_passed=cases_passed, cases_total=cases_total,
                        score=result["score"],
                    )
                    if self.finish_assessment(outcome):
                        return
                    if result.get("final"):
                        break
                    continue
                if action in ("h", "s", "a", "e", "?"):
                    pv.console.print("No hints or solutions during the assessment.")
                    continue
                pv.console.print("[yellow]Choose r, d, o or q.[/]")
        for number, question in enumerate(questions, 1):
            if question.id in answers:
                continue
            outcome = self.ask(question, number, len(questions), stages.MASTERY_ASSESSMENT)
            if self.finish_assessment(outcome):
                return

    def finish_assessment(self, outcome: dict[str, Any]) -> bool:
        """Show the result if this update decided the assessment; True when it did."""
        from patternlift_cli.ui import practice_view as pv

        result = outcome["result"].get("mastery_assessment")
        if not result:
            return False
        pv.render_assessment_result(result)
        return True


# ----- helpers the loop shares -------------------------------------------------------------------


def _correct_text(question: Question) -> str:
    if question.kind == "multiple_choice":
        return next(option.text for option in question.options if option.correct)
    if question.kind == "recognition":
        return str(question.answer)
    accepted = list(question.accepted)
    return str(accepted[0]) if accepted else ""


def _explanation(question: Question) -> str:
    if question.kind == "multiple_choice":
        right = next(option for option in question.options if option.correct)
        return right.explanation
    return question.explanation or ""


def section_key(heading: str) -> str:
    """A lesson heading as calibration.LESSON_SECTIONS names it ("When it applies" -> when_it_applies)."""
    return re.sub(r"[^a-z0-9]+", "_", heading.strip().lower()).strip("_")


def lesson_sections(pattern: Pattern) -> dict[str, str]:
    return {section_key(heading): body for heading, body in pattern.lesson.sections.items()}


def lesson_pages(pattern: Pattern, order: list[str] | None) -> list[tuple[str, str]]:
    from patternlift_cli.domain.calibration import LESSON_SECTIONS

    sections = lesson_sections(pattern)
    keys = list(order or LESSON_SECTIONS)
    return [(key, sections[key]) for key in keys if sections.get(key)]


def prepare_workspace(problem: Problem) -> Path:
    """The learner's file for the problem; the starter is written only if none exists yet."""
    from patternlift_cli.practice.workspace import workspace_file, write_starter

    path = Path(workspace_file(problem))
    if not path.exists():
        path = Path(write_starter(problem) or path)
    return path


def open_in_editor(path: Path, *, announce_missing: bool = False) -> bool:
    """Open `path` in $VISUAL/$EDITOR and wait for it; False when no editor is set."""
    from patternlift_cli.ui.console import console

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        if announce_missing:
            console.print(f"Set $EDITOR to open files from here; edit {path} in any editor meanwhile.")
        return False
    try:
        subprocess.run([*shlex.split(editor), str(path)], check=False)
    except OSError as error:
        console.print(Text(f"Could not start the editor '{editor}': {error.strerror}", style="yellow"))
        return False
    return True


def ai_status() -> tuple[bool, str]:
    from patternlift_cli.services import tutor

    return tutor.ai_status()


def run_judge(problem: Problem, path: Path) -> tuple[bool, int, int, dict[str, Any] | None] | None:
    """Judge the file and show the report; (passed, cases passed, cases total, first failure)."""
    from dataclasses import asdict

    from patternlift_cli.errors import JudgeError
    from patternlift_cli.practice.judge import judge_file
    from patternlift_cli.ui.console import console
    from patternlift_cli.ui.judge_view import render_report

    try:
        report = judge_file(problem, path)
    except JudgeError as error:
        console.print(Text(error.message, style="red"))
        return None
    console.print(render_report(report))
    failure = report.first_failure
    return report.all_passed, report.passed_count, report.total, asdict(failure) if failure else None


def wait_for_save_or_line(prompt: str, path: Path, *, poll_seconds: float = 0.4) -> str:
    """--watch: return 'r' when the file's mtime changes, or the next typed line.

    Polls mtime (no new dependency); typed commands still work on POSIX through select().
    Where stdin cannot be polled (Windows consoles, in-process test runners) it reads a line.
    """
    import select

    from patternlift_cli.ui.console import console
    from patternlift_cli.ui.learn_prompts import LearnerQuit, read_line

    try:
        stdin_fd = sys.stdin.fileno()
        select.select([stdin_fd], [], [], 0)
    except (OSError, ValueError, AttributeError, TypeError):
        return read_line(prompt).strip().lower()
    console.print(f"[dim]Watching {path.name}: save it to run the tests.[/]")
    console.print(prompt, end="")
    console.file.flush()

    def mtime() -> float:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return 0

    seen = mtime()
    while True:
        ready, _, _ = select.select([stdin_fd], [], [], poll_seconds)
        if ready:
            line = sys.stdin.readline()
            if line == "":
                raise LearnerQuit
            return line.strip().lower()
        current = mtime()
        if current != seen:
            console.print("\n[dim]Saved: running the tests.[/]")
            return "r"


def register(app: typer.Typer) -> None:
    app.command(help=LEARN_HELP, rich_help_panel="Learning")(learn)

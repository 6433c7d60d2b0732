"""Calibration: questionnaire scoring, personas and a guidance_config that changes the lesson."""

from __future__ import annotations

import pytest

from patternlift_cli.domain import calibration as c
from patternlift_cli.domain.lesson import SECTION_KEYS
from patternlift_cli.errors import UsageError


def test_questionnaire_shape() -> None:
    assert len(c.QUESTIONS) == 5
    assert c.MAX_TOTAL_SCORE == 3 + 3 + 1 + 2 + 2
    for question in c.QUESTIONS:
        assert [option.key for option in question.options] == list("abcd"[: len(question.options)])


@pytest.mark.parametrize(
    ("answers", "persona", "depth"),
    [
        ({"experience": "b", "foundations": "b", "learning_style": "a", "when_stuck": "c", "time": "b"}, c.VISUAL, "standard"),
        ({"experience": "c", "foundations": "c", "learning_style": "b", "when_stuck": "b", "time": "b"}, c.HANDS_ON, "concise"),
        ({"experience": "a", "foundations": "b", "learning_style": "c", "when_stuck": "a", "time": "c"}, c.THEORY_FIRST, "deep"),
        ({"experience": "b", "foundations": "b", "learning_style": "d", "when_stuck": "b", "time": "b"}, c.BALANCED, "standard"),
        ({"experience": "a", "foundations": "a", "learning_style": "b", "when_stuck": "d", "time": "a"}, c.STRUGGLING, "deep"),
    ],
)
def test_personas(answers: dict[str, str], persona: str, depth: str) -> None:
    result = c.calibrate(answers)
    assert result.persona_type == persona
    assert result.guidance_config["depth"] == depth
    assert result.guidance_config["persona"] == persona
    assert result.responses == answers


def test_total_score_is_the_readiness_points() -> None:
    result = c.calibrate({"experience": "d", "foundations": "c", "learning_style": "b", "when_stuck": "a", "time": "c"})
    assert result.total_score == 3 + 3 + 1 + 2 + 2


def test_guidance_really_differs() -> None:
    visual = c.guidance_for(c.VISUAL, depth="standard")
    theory = c.guidance_for(c.THEORY_FIRST, depth="standard")
    concise = c.guidance_for(c.HANDS_ON, depth="concise")
    struggling = c.guidance_for(c.STRUGGLING, depth="deep")
    assert visual["lesson_sections"][0] == c.WORKED_EXAMPLE
    assert theory["lesson_sections"][0] == c.WHEN_IT_APPLIES
    assert concise["lesson_sections"][0] == c.TEMPLATE
    assert set(concise["lesson_sections"]) == set(c.CONCISE_SECTIONS)
    assert len(visual["lesson_sections"]) == 6
    assert theory["hint_style"] == "socratic" and visual["hint_style"] == "direct"
    assert struggling["recap_template_before_practice"] and not theory["recap_template_before_practice"]
    assert struggling["explain_all_options"] and not visual["explain_all_options"]


def test_skip_is_balanced_and_bad_answers_are_named() -> None:
    result = c.default_calibration()
    assert result.persona_type == c.BALANCED
    assert result.guidance_config["lesson_sections"] == list(SECTION_KEYS)
    with pytest.raises(UsageError, match="learning_style"):
        c.calibrate({"experience": "a", "foundations": "a", "learning_style": "z", "when_stuck": "a", "time": "a"})

"""`patterns`, `progress`, `achievements` with --json and as tables (mini course)."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.test_learning_loop import answer_for, course, invoke  # noqa: F401  (fixture)


def test_patterns_progress_achievements(course, monkeypatch, engine) -> None:  # noqa: F811
    result = invoke(monkeypatch, ["patterns", "--json"], [])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["id"] for row in rows] == ["hashing", "two-pointers"]  # course order
    assert rows[1]["prerequisites"] == ["hashing"] and rows[1]["prerequisites_met"] is False
    assert rows[1]["stage"] is None and rows[1]["mastered"] is False

    # One failed knowledge-check answer (whichever question comes first), then quit.
    asked = []

    def wrong_on_first(question) -> str:
        asked.append(question)
        return {"multiple_choice": "Wrong", "recognition": "hashing"}.get(question.kind, "n^2")

    invoke(monkeypatch, ["learn", "two-pointers", "--skip-calibration"], [""] * 6 + [answer_for(wrong_on_first)])
    (first,) = asked
    rows = json.loads(invoke(monkeypatch, ["patterns", "--json"], []).output)
    assert rows[1]["stage"] == "knowledge_check" and Decimal(rows[1]["understanding"]) == 46

    detail = json.loads(invoke(monkeypatch, ["progress", "two-pointers", "--json"], []).output)
    assert detail["stage"] == "knowledge_check"
    assert detail["struggle_indicators"] == [f"concept:{first.concept}"]
    assert detail["attempts_count"] == 1
    assert detail["attempt_history"][0]["item"] == first.id
    assert detail["persona_type"] == "balanced_learner"

    table = invoke(monkeypatch, ["progress", "two-pointers"], [])
    from patternlift_cli.domain.struggles import describe_struggle

    words = describe_struggle(f"concept:{first.concept}", {})
    assert table.exit_code == 0 and f"Struggles: {words}" in table.output
    assert "The only attempt." in table.output

    achievements = json.loads(invoke(monkeypatch, ["achievements", "--json"], []).output)
    assert len(achievements) >= 8
    unlocked = {a["id"] for a in achievements if a["unlocked"]}
    assert unlocked == {"first_steps"}
    table = invoke(monkeypatch, ["achievements"], [])
    assert "First Steps" in table.output and "1 of" in table.output

    result = invoke(monkeypatch, ["patterns"], [])
    assert result.exit_code == 0
    two_pointers_row = next(line for line in result.output.splitlines() if "two-pointers" in line and "hashing" in line)
    assert "knowledge" in two_pointers_row and "46" in two_pointers_row
    assert "Coming later in the course: Prefix Sum." in result.output
    planned = invoke(monkeypatch, ["learn", "prefix-sum"], [])
    assert planned.exit_code == 2 and "not written yet" in planned.output

    result = invoke(monkeypatch, ["progress", "two-pointrs"], [])
    assert result.exit_code == 2 and "Did you mean 'two-pointers'?" in result.output
    # `ask` names a pattern from the course outline alone, and refuses it the same way.
    result = invoke(monkeypatch, ["ask", "two-pointrs", "Why sorted?"], [])
    assert result.exit_code == 2 and "Did you mean 'two-pointers'?" in result.output
    planned = invoke(monkeypatch, ["ask", "prefix-sum", "Why sums?"], [])
    assert planned.exit_code == 2 and "not written yet" in planned.output

"""Budget arithmetic and prompt building: pure functions, no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from patternlift_cli.ai.pricing import pricer_for
from patternlift_cli.domain.budget import (
    month_start,
    next_reset,
    plan_reservation,
    prompt_token_bound,
)
from patternlift_cli.domain.tutoring import TutorContext, build_messages, hint_quality


def test_prompt_bound_counts_bytes_not_characters() -> None:
    ascii_only = prompt_token_bound([{"role": "user", "content": "abcd"}])
    accented = prompt_token_bound([{"role": "user", "content": "ééé"}])  # 6 bytes
    assert accented - ascii_only == 2
    assert ascii_only >= len("user") + len("abcd")


def test_month_boundaries_are_utc() -> None:
    late_in_new_york = datetime(2026, 11, 30, 22, 0, tzinfo=timezone(timedelta(hours=-5)))  # Dec 1 03:00 UTC
    assert month_start(late_in_new_york) == date(2026, 12, 1)
    assert next_reset(datetime(2026, 12, 15, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)


def test_reservation_takes_the_full_budget_shrinks_or_refuses() -> None:
    def cost(completion: int) -> Decimal:
        return Decimal("0.001") + Decimal("0.00001") * completion

    full = plan_reservation(spent=Decimal("1"), reserved=Decimal("0"), limit=Decimal("3"),
                            worst_case_cost=cost, max_completion_tokens=700, min_completion_tokens=64)
    assert full is not None and (full.max_completion_tokens, full.amount_usd) == (700, Decimal("0.008"))

    shrunk = plan_reservation(spent=Decimal("2.995"), reserved=Decimal("0"), limit=Decimal("3"),
                              worst_case_cost=cost, max_completion_tokens=700, min_completion_tokens=64)
    assert shrunk is not None and shrunk.max_completion_tokens == 400 and shrunk.amount_usd <= Decimal("0.005")

    held = plan_reservation(spent=Decimal("2.99"), reserved=Decimal("0.0095"), limit=Decimal("3"),
                            worst_case_cost=cost, max_completion_tokens=700, min_completion_tokens=64)
    assert held is None


def test_prices_come_from_genai_prices_or_the_override() -> None:
    table = pricer_for("gpt-4o-mini", {})
    assert table.cost(1_000_000, 0) == Decimal("0.15")
    override = pricer_for("local", {"local": {"input": Decimal("1"), "output": Decimal("2")}})
    assert override.cost(1, 1) == Decimal("0.000003")  # 0.000003 exactly: rounded up, never down
    assert override.cost(1, 0) == Decimal("0.000001")


def test_prompt_stays_within_its_bound_and_keeps_the_most_useful_parts() -> None:
    context = TutorContext(
        kind="hint", pattern_name="Two Pointers", pattern_summary="s", lesson_markdown="L" * 50_000,
        guidance={"hint_style": "socratic", "ai_tone": "lead with code", "depth": "concise"},
        struggles=["concept:sorted-input"], problem_title="Pair", problem_statement="P" * 20_000,
        code="C" * 20_000, failing_case={"number": 3, "expected": "[1, 2]"},
    )
    messages = build_messages(context, max_chars=4_000)
    total = sum(len(m["content"]) for m in messages)
    assert total <= 4_000
    system, user = messages[0]["content"], messages[1]["content"]
    assert "guiding question" in system and "lead with code" in system
    assert user.index("First failing test") < user.index("Learner's code") < user.index("Problem")


def test_hint_quality_follows_the_next_run() -> None:
    assert hint_quality(3, 10, 10) == 5
    assert hint_quality(3, 3, 10) == 2
    assert hint_quality(5, 2, 10) == 1
    assert Decimal(2) < hint_quality(2, 6, 10) < Decimal(5)

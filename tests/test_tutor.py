"""The AI tutor over real HTTP (official SDK -> an OpenAI-compatible server on 127.0.0.1),
on SQLite and PostgreSQL: what is recorded, what is released, and what the learner sees."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from patternlift_cli.domain.money import format_usd
from patternlift_cli.errors import AINotConfiguredError, BudgetExceededError, NotEntitledError, ProviderError
from tests.fakes.openai_server import REPLY_WORDS, FakeOpenAI

# A price we control, so expected costs are easy to state: $1 / $2 per million tokens.
PRICES = '{"tutor-test": {"input": "1", "output": "2"}}'


@pytest.fixture
def fake_ai(mini_course, learner, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    from tests.conftest import reset_caches

    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        monkeypatch.setenv("PATTERNLIFT_AI_BASE_URL", server.base_url)
        monkeypatch.setenv("PATTERNLIFT_AI_MODEL", "tutor-test")
        monkeypatch.setenv("PATTERNLIFT_AI_PRICE_OVERRIDES", PRICES)
        monkeypatch.setenv("PATTERNLIFT_AI_TIMEOUT_SECONDS", "1")
        reset_caches()
        yield server


def _rows(engine, table):
    with engine.begin() as connection:
        return connection.execute(sa.select(table)).all()


def _profile(engine):
    from patternlift_cli.db.models import UserProfile

    return _rows(engine, UserProfile)[0]


def _set_profile(engine, **values) -> None:
    from patternlift_cli.db.models import UserProfile

    with engine.begin() as connection:
        connection.execute(sa.update(UserProfile).values(**values))


def _learner():
    """(engine, user id) of the signed-in learner: what LocalTutor hands the tutor service."""
    from tests.conftest import signed_in

    learner = signed_in()
    return learner.db.engine, learner.user_id


def _ask(**kwargs):
    from patternlift_cli.services.tutor import tutor_reply

    return tutor_reply(*_learner(), "question", pattern_id="two-pointers", question="Why sorted input?", **kwargs)


def test_streamed_reply_is_recorded_with_exact_cost(fake_ai, engine) -> None:
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction

    streamed: list[str] = []
    reply = _ask(on_text=streamed.append)

    assert reply.text == "".join(streamed) and reply.text.startswith("Look at what")
    request = fake_ai.requests[-1]
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}
    assert request["max_completion_tokens"] == 700 and request["model"] == "tutor-test"
    (row,) = _rows(engine, AIInteraction)
    expected = (Decimal(row.prompt_tokens) * 1 + Decimal(row.completion_tokens) * 2) / Decimal(1_000_000)
    assert row.cost_usd == expected.quantize(Decimal("0.000001"), rounding="ROUND_CEILING")
    assert row.cost_usd == reply.cost_usd > 0
    assert (row.interaction_type, row.model_used, row.completion_tokens) == ("question", "tutor-test", len(REPLY_WORDS))
    assert _profile(engine).current_month_ai_cost == reply.cost_usd == reply.month_total_usd
    assert _rows(engine, AIBudgetReservation) == []
    from patternlift_cli.ports.ai import TutorReply
    from patternlift_cli.ui.tutor_view import cost_line

    shown = cost_line(TutorReply.model_validate(reply, from_attributes=True))
    assert f"AI cost {format_usd(reply.cost_usd)} · this month" in shown and "of $3.00" in shown


def test_a_stream_cut_before_usage_is_recorded_at_its_worst_case(fake_ai, engine) -> None:
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction

    fake_ai.script("cut")
    with pytest.raises(ProviderError, match="worst-case cost"):
        _ask()
    (row,) = _rows(engine, AIInteraction)
    assert row.completion_tokens == 700 and row.cost_usd > Decimal("0.0014")  # never zero
    assert _profile(engine).current_month_ai_cost == row.cost_usd
    assert _rows(engine, AIBudgetReservation) == []
    assert len(fake_ai.requests) == 1  # a billed attempt is not silently retried


def test_a_malformed_response_is_recorded_conservatively(fake_ai, engine) -> None:
    from patternlift_cli.db.models import AIInteraction

    fake_ai.script("malformed")
    with pytest.raises(ProviderError):
        _ask()
    (row,) = _rows(engine, AIInteraction)
    assert row.cost_usd > 0


def test_a_429_is_retried_and_only_the_success_is_recorded(fake_ai, engine) -> None:
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction

    fake_ai.script("429")
    reply = _ask()
    assert len(fake_ai.requests) == 2
    assert len(_rows(engine, AIInteraction)) == 1 and reply.cost_usd > 0
    assert _rows(engine, AIBudgetReservation) == []


def test_500s_exhaust_the_attempts_and_charge_nothing(fake_ai, engine, monkeypatch) -> None:
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction
    from patternlift_cli.services import tutor

    monkeypatch.setattr(tutor, "BACKOFF_SECONDS", 0.01)
    fake_ai.script("500", "500", "500")
    with pytest.raises(ProviderError, match="after 3 attempt") as raised:
        _ask()
    assert raised.value.exit_code == 15
    assert len(fake_ai.requests) == 3
    assert _rows(engine, AIInteraction) == [] and _rows(engine, AIBudgetReservation) == []
    assert _profile(engine).current_month_ai_cost == 0


def test_a_400_is_sent_once_and_reported_as_what_happened(fake_ai, engine) -> None:
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction

    fake_ai.script("400")
    with pytest.raises(ProviderError) as raised:
        _ask()
    message = raised.value.message
    assert "HTTP 400: Unsupported value: 'temperature'" in message and "sent once" in message
    assert "attempts" not in message and raised.value.exit_code == 15
    assert len(fake_ai.requests) == 1
    assert _rows(engine, AIInteraction) == [] and _rows(engine, AIBudgetReservation) == []
    assert _profile(engine).current_month_ai_reserved == 0


def test_a_response_slower_than_the_timeout_is_released(fake_ai, engine, monkeypatch) -> None:
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction

    monkeypatch.setenv("PATTERNLIFT_AI_MAX_ATTEMPTS", "1")
    from tests.conftest import reset_caches

    reset_caches()
    fake_ai.script("slow")
    with pytest.raises(ProviderError, match="timed out"):
        _ask()
    assert _rows(engine, AIInteraction) == [] and _rows(engine, AIBudgetReservation) == []


def test_the_last_cent_shrinks_the_reply_or_refuses(fake_ai, engine) -> None:
    from patternlift_cli.db.models import AIInteraction

    # Worst case at 700 tokens is well over $0.001; what is left fits a shorter reply.
    spent = Decimal("3.00") - Decimal("0.0020")
    _set_profile(engine, current_month_ai_cost=spent, ai_cost_month=datetime.now(UTC).date().replace(day=1))
    reply = _ask()
    granted = fake_ai.requests[-1]["max_completion_tokens"]
    assert 64 <= granted < 700
    assert _profile(engine).current_month_ai_cost == spent + reply.cost_usd <= Decimal("3.00")

    _set_profile(engine, current_month_ai_cost=Decimal("2.9999"))
    with pytest.raises(BudgetExceededError) as raised:
        _ask()
    message = str(raised.value)
    assert "$2.9999 of $3.00" in message and "resets" in message and "00:00 UTC" in message  # not rounded up
    assert raised.value.exit_code == 12
    assert len(_rows(engine, AIInteraction)) == 1


def test_a_refusal_shows_sub_cent_amounts_as_they_are(fake_ai, engine) -> None:
    month = datetime.now(UTC).date().replace(day=1)
    _set_profile(engine, current_month_ai_cost=Decimal("0.000691"), monthly_ai_usage_limit=Decimal("0.0001"),
                 ai_cost_month=month)
    with pytest.raises(BudgetExceededError, match=r"AI budget reached: \$0\.000691 of \$0\.0001 spent this month"):
        _ask()
    assert fake_ai.requests == []


def test_no_key_means_ai_off_with_one_line_on_how_to_turn_it_on(mini_course, learner, monkeypatch) -> None:
    from patternlift_cli.services.tutor import ai_status

    ready, message = ai_status()
    assert not ready and "patternlift config set-key openai" in message
    with pytest.raises(AINotConfiguredError) as raised:
        _ask()
    assert raised.value.exit_code == 11


@pytest.mark.parametrize(
    ("status", "trial_days", "allowed"),
    [("trial", 3, True), ("trial", -1, False), ("active", -30, True), ("past_due", -30, True), ("unpaid", -30, False)],
)
def test_entitlement_decides_before_any_call(fake_ai, engine, status, trial_days, allowed) -> None:
    _set_profile(engine, subscription_status=status, trial_ends_at=datetime.now(UTC) + timedelta(days=trial_days))
    if allowed:
        assert _ask().cost_usd > 0
    else:
        with pytest.raises(NotEntitledError, match="patternlift subscribe") as raised:
            _ask()
        assert raised.value.exit_code == 13
        assert fake_ai.requests == []


@pytest.mark.parametrize(("period_days", "invoice", "allowed"), [(10, "paid", True), (10, "failed", False), (-1, "paid", False)])
def test_a_canceled_plan_keeps_the_tutor_through_its_paid_period(
        fake_ai, engine, learner, period_days, invoice, allowed) -> None:
    """The reserve statement decides entitlement by the domain rule: a canceled plan keeps the
    tutor while its current period runs, and only if a paid invoice covers that period."""
    from tests.test_billing import store_plan

    now = datetime.now(UTC)
    _set_profile(engine, subscription_status="canceled", trial_ends_at=now - timedelta(days=30))
    store_plan(engine, learner.id, status="canceled", period_end=now + timedelta(days=period_days), invoice=invoice)
    if allowed:
        assert _ask().cost_usd > 0 and _profile(engine).current_month_ai_reserved == 0
    else:
        with pytest.raises(NotEntitledError, match="canceled"):
            _ask()
        assert fake_ai.requests == []


def test_the_month_rolls_over_at_midnight_utc_on_the_first(fake_ai, engine) -> None:
    from patternlift_cli.db.models import AIInteraction

    _set_profile(engine, current_month_ai_cost=Decimal("3.00"), ai_cost_month=datetime(2026, 10, 1).date())
    with pytest.raises(BudgetExceededError, match="resets 2026-11-01"):
        _ask(now=datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC))
    reply = _ask(now=datetime(2026, 11, 1, 0, 0, 0, tzinfo=UTC))
    profile = _profile(engine)
    assert profile.ai_cost_month == datetime(2026, 11, 1).date()
    assert profile.current_month_ai_cost == reply.cost_usd
    (row,) = _rows(engine, AIInteraction)
    assert row.created_at == datetime(2026, 11, 1, tzinfo=UTC)


def test_ratings_are_stored_and_hints_see_the_code_and_failure(fake_ai, engine) -> None:
    from patternlift_cli.db.models import AIInteraction
    from patternlift_cli.services.tutor import rate_reply, tutor_reply

    reply = tutor_reply(*_learner(), "hint", pattern_id="two-pointers", problem_id="two-pointers-1-a",
                        code="class Solution: pass", failing_case={"number": 1, "expected": "2"})
    rate_reply(*_learner(), reply.interaction_id, 4)
    (row,) = _rows(engine, AIInteraction)
    assert (row.user_feedback, row.response_quality_score, row.interaction_type) == (4, None, "hint")
    prompt = fake_ai.requests[-1]["messages"][1]["content"]
    assert "class Solution: pass" in prompt and "First failing test" in prompt
    with pytest.raises(Exception, match="1 to 5"):
        rate_reply(*_learner(), uuid.uuid4(), 9)


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, BrokenPipeError])
def test_a_reply_interrupted_on_our_side_is_still_recorded(fake_ai, engine, interruption) -> None:
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction

    def stop_after_first_word(text: str) -> None:
        raise interruption

    with pytest.raises(interruption):
        _ask(on_text=stop_after_first_word)
    (row,) = _rows(engine, AIInteraction)
    assert row.completion_tokens == 700 and row.cost_usd > 0  # the provider may bill it all
    assert _rows(engine, AIBudgetReservation) == []


def test_a_provider_billing_past_its_reservation_is_recorded_as_billed_and_the_model_refused(
    fake_ai, engine, caplog, monkeypatch
) -> None:
    from patternlift_cli.db.models import AIBudgetReservation, AIInteraction, AIModelTrust
    from patternlift_cli.errors import UnknownModelPriceError
    from tests.conftest import reset_caches

    _set_profile(engine, current_month_ai_cost=Decimal("2.997"), ai_cost_month=datetime.now(UTC).date().replace(day=1))
    fake_ai.script("overrun")
    with caplog.at_level("WARNING", logger="patternlift_cli.services.ai_usage"):
        reply = _ask()
    (row,) = _rows(engine, AIInteraction)
    allowed = fake_ai.requests[-1]["max_completion_tokens"]
    assert row.completion_tokens == allowed * 50  # what the provider reported, not what we allowed
    billed = (Decimal(row.prompt_tokens) * 1 + Decimal(row.completion_tokens) * 2) / Decimal(1_000_000)
    assert row.cost_usd == reply.cost_usd == billed.quantize(Decimal("0.000001"), rounding="ROUND_CEILING")
    # The cap is on what we know: the month shows the overrun rather than hiding it.
    assert _profile(engine).current_month_ai_cost == Decimal("2.997") + reply.cost_usd > Decimal("3.00")
    assert _profile(engine).current_month_ai_reserved == 0 and _rows(engine, AIBudgetReservation) == []
    assert "was reserved" in caplog.text and "tutor-test" in caplog.text

    (trust,) = _rows(engine, AIModelTrust)
    assert (trust.model_used, trust.price_basis, trust.interaction_id) == ("tutor-test", "override input=1 output=2", row.id)
    assert trust.billed_usd == reply.cost_usd > trust.reserved_usd > 0 and trust.overrun_count == 1

    _set_profile(engine, current_month_ai_cost=Decimal("0"))  # room again: what is refused now is the model
    with pytest.raises(UnknownModelPriceError, match="PATTERNLIFT_AI_PRICE_OVERRIDES") as raised:
        _ask()
    assert raised.value.exit_code == 14 and "'tutor-test' billed $" in raised.value.message
    assert len(fake_ai.requests) == 1  # refused before anything was sent

    # The operator sets a new price: the model works again; another overrun distrusts that price.
    monkeypatch.setenv("PATTERNLIFT_AI_PRICE_OVERRIDES", '{"tutor-test": {"input": "1", "output": "2.50"}}')
    reset_caches()
    assert _ask().cost_usd > 0
    fake_ai.script("overrun")
    _ask()
    (trust,) = _rows(engine, AIModelTrust)
    assert (trust.price_basis, trust.overrun_count) == ("override input=1 output=2.5", 2)
    with pytest.raises(UnknownModelPriceError):
        _ask()


def test_a_zero_usage_report_is_not_taken_as_free(fake_ai, engine) -> None:
    from patternlift_cli.db.models import AIInteraction

    fake_ai.script("zero-usage")
    with pytest.raises(ProviderError, match="implausible"):
        _ask()
    (row,) = _rows(engine, AIInteraction)
    assert row.cost_usd > 0

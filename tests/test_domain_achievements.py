"""Achievement rules over plain facts."""

from __future__ import annotations

from patternlift_cli.domain import achievements as a
from patternlift_cli.domain.progress import ProblemTally


def ids(facts: a.LearnerFacts, held: tuple[str, ...] = ()) -> list[str]:
    return [unlock.achievement_id for unlock in a.evaluate(facts, held)]


def test_at_least_eight_distinct_achievements() -> None:
    assert len(a.ACHIEVEMENTS) >= 8
    assert len(a.ACHIEVEMENTS_BY_ID) == len(a.ACHIEVEMENTS)


def test_nothing_for_a_fresh_learner() -> None:
    assert ids(a.LearnerFacts(pattern_id="two-pointers")) == []


def test_early_achievements() -> None:
    facts = a.LearnerFacts(
        pattern_id="two-pointers", calibrated=True, introduction_done=True, best_recognition_streak=4
    )
    assert ids(facts) == ["self_aware", "first_steps"]
    perfect = a.LearnerFacts(pattern_id="two-pointers", perfect_knowledge_check=True, best_recognition_streak=5)
    assert ids(perfect) == ["perfect_knowledge_check", "sharp_eye"]


def test_practice_achievements() -> None:
    problems = {
        "p1": ProblemTally(runs=1, solved=True),
        "p2": ProblemTally(runs=4, failed_runs=3, solved=True),
        "p3": ProblemTally(runs=2, failed_runs=1, hints=1, solved=True),
    }
    facts = a.LearnerFacts(pattern_id="x", problems=problems, practice_levels_passed=(1, 2, 3))
    # p3 used a hint, so no clean sweep.
    assert ids(facts) == ["unassisted", "first_try", "comeback"]
    revealed = {"p2": ProblemTally(runs=5, failed_runs=4, revealed=True, solved=True)}
    assert ids(a.LearnerFacts(pattern_id="x", problems=revealed)) == []
    clean = {f"p{n}": ProblemTally(runs=1, solved=True) for n in (1, 2, 3)}
    assert "clean_sweep" in ids(a.LearnerFacts(pattern_id="x", problems=clean, practice_levels_passed=(1, 2, 3)))


def test_mastery_achievements_and_uniqueness() -> None:
    facts = a.LearnerFacts(
        pattern_id="two-pointers",
        pattern_completed=True,
        assessment_score=100.0,
        mastered_pattern_ids=frozenset({"two-pointers", "hashing", "prefix-sum", "trie", "greedy"}),
        course_pattern_ids=frozenset({"two-pointers", "hashing", "prefix-sum", "trie", "greedy"}),
    )
    assert ids(facts) == ["first_mastery", "flawless", "five_mastered", "course_complete"]
    assert ids(facts, held=("first_mastery", "five_mastered")) == ["flawless", "course_complete"]
    unlock = a.evaluate(facts)[0]
    assert unlock.data == {"pattern_id": "two-pointers"} and unlock.name == "First Pattern Mastered"

"""Question pools: the size rules, a balanced draw, fresh questions on a retry, and variants
whose one right answer is right for the instance they show."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections import Counter

import pytest

from patternlift_cli.content.loader import (
    PATTERNS_ROOT,
    load_curriculum,
    load_pattern_folder,
)
from patternlift_cli.content.models import (
    MultipleChoice,
    Recognition,
    ShortAnswer,
    VariantQuestion,
)
from patternlift_cli.content.variants import GENERATORS
from patternlift_cli.domain.grading import grade_answer
from patternlift_cli.domain.question_pool import (
    CHECK_SIZE,
    POOL_MIN_PER_CONCEPT,
    POOL_MIN_QUESTIONS,
    POOL_MIN_RECOGNITION,
    RECOGNITION,
    draw_check,
    variant_seed,
)
from patternlift_cli.errors import ContentError

COURSE = [entry.id for entry in load_curriculum().course]
# Every pattern of the course has its pool written to the rule (the first twelve came first,
# and their written questions alone still make a full check, see below).
FIRST_HALF = COURSE[:12]
POOL_RULE_PATTERNS = COURSE
# Every pattern with a full pool is drawn from, whoever wrote it.
DRAWN_PATTERNS = [
    pattern_id for pattern_id in COURSE if len(load_curriculum().patterns[pattern_id].question_pool) >= POOL_MIN_QUESTIONS
]
SEEDS = range(200)


def pattern(pattern_id: str):
    return load_curriculum().patterns[pattern_id]


def concept_of(pattern_id: str) -> dict[str, str]:
    return dict(pattern(pattern_id).pool_entries())


# ----- the rule every pool follows --------------------------------------------------------


@pytest.mark.parametrize("pattern_id", POOL_RULE_PATTERNS)
def test_pool_meets_the_rule(pattern_id: str) -> None:
    pool = pattern(pattern_id).question_pool
    recognition = [q for q in pool if isinstance(q, Recognition)]
    assert len(pool) >= POOL_MIN_QUESTIONS
    assert len(recognition) >= POOL_MIN_RECOGNITION
    # A retry can favour any missed concept with a question the learner has not seen yet.
    counts = Counter(question.concept for question in pool)
    thin = {concept: count for concept, count in counts.items() if count < POOL_MIN_PER_CONCEPT}
    assert not thin, f"concepts with fewer than {POOL_MIN_PER_CONCEPT} questions: {thin}"
    assert all(question.concept == RECOGNITION for question in recognition)
    # Recognition is against look-alikes: the answer is one of several real patterns.
    for question in recognition:
        assert len(question.choices) >= 3 and question.answer in COURSE, question.id


def test_the_first_half_of_the_course_is_drawn_from() -> None:
    assert set(FIRST_HALF) <= set(DRAWN_PATTERNS)


@pytest.mark.parametrize("pattern_id", FIRST_HALF)
def test_written_questions_alone_make_a_full_check(pattern_id: str) -> None:
    """Until the learning service draws from the pool, a check asks the written questions, so
    they alone keep the rule's size."""
    assert len(pattern(pattern_id).questions) >= POOL_MIN_QUESTIONS


@pytest.mark.parametrize("pattern_id", FIRST_HALF)
def test_at_least_one_generated_variant(pattern_id: str) -> None:
    assert pattern(pattern_id).variants


@pytest.mark.parametrize("pattern_id", DRAWN_PATTERNS)
def test_code_in_questions_fits_a_quiz_panel(pattern_id: str) -> None:
    for question in pattern(pattern_id).questions:
        for line in _code_lines(question.prompt):
            assert len(line) <= 72, (question.id, line)


# ----- the draw on the real pools ---------------------------------------------------------


@pytest.mark.parametrize("pattern_id", DRAWN_PATTERNS)
def test_first_check_is_balanced_across_concepts(pattern_id: str) -> None:
    entries = pattern(pattern_id).pool_entries()
    concepts = concept_of(pattern_id)
    limit = math.ceil(CHECK_SIZE / len(set(concepts.values()))) + 1
    recognition_available = sum(concept == RECOGNITION for concept in concepts.values())
    for seed in range(50):
        drawn = draw_check(entries, seed=seed)
        assert len(drawn) == CHECK_SIZE == len(set(drawn))
        counts = Counter(concepts[question_id] for question_id in drawn)
        assert max(counts.values()) <= limit, (seed, counts)
        assert counts[RECOGNITION] >= min(2, recognition_available)


@pytest.mark.parametrize("pattern_id", DRAWN_PATTERNS)
def test_a_retry_asks_unseen_questions_first_and_opens_with_the_missed_concepts(pattern_id: str) -> None:
    entries = pattern(pattern_id).pool_entries()
    concepts = concept_of(pattern_id)
    for seed in range(20):
        first = draw_check(entries, seed=seed)
        missed = list(dict.fromkeys(concepts[question_id] for question_id in first[-3:]))
        retry = draw_check(entries, seen=first, missed_concepts=missed, seed=seed + 1000)
        unseen = set(concepts) - set(first)
        assert len(retry) == CHECK_SIZE == len(set(retry))
        if len(unseen) >= CHECK_SIZE:
            assert set(retry) <= unseen
        else:
            assert unseen <= set(retry)  # every unseen question is asked before any repeat
        drawn_concepts = [concepts[question_id] for question_id in retry]
        for concept in missed:
            if any(concepts[question_id] == concept for question_id in unseen):
                assert concept in drawn_concepts, (seed, concept)
        leading = [concept for concept in missed if concept in drawn_concepts]
        assert drawn_concepts[: len(leading)] == leading, (seed, missed, drawn_concepts)
        # A third attempt still gets a full check: the least recently seen come back.
        third = draw_check(entries, seen=[*first, *retry], seed=seed + 2000)
        assert len(third) == CHECK_SIZE == len(set(third))


@pytest.mark.parametrize("pattern_id", DRAWN_PATTERNS)
def test_the_same_seed_replays_the_same_check_and_other_seeds_vary(pattern_id: str) -> None:
    current = pattern(pattern_id)
    entries = current.pool_entries()
    assert draw_check(entries, seed=7) == draw_check(entries, seed=7)
    assert len({draw_check(entries, seed=seed) for seed in range(20)}) >= 15
    for variant in current.variants:
        again = current.check_question(variant.id, variant_seed(7, variant.id))
        assert again == current.check_question(variant.id, variant_seed(7, variant.id))
        prompts = {current.check_question(variant.id, variant_seed(attempt, variant.id)).prompt for attempt in range(20)}
        assert len(prompts) >= 15, variant.id


# ----- the draw's rules on small pools ----------------------------------------------------


def pool_of(spec: dict[str, int]) -> list[tuple[str, str]]:
    return [(f"{concept}-{n}", concept) for concept, count in spec.items() for n in range(count)]


def test_a_pool_smaller_than_the_check_is_asked_whole() -> None:
    pool = pool_of({"a": 2, "b": 1, RECOGNITION: 2})
    assert sorted(draw_check(pool, seed=1)) == sorted(question_id for question_id, _ in pool)


def test_without_recognition_questions_the_draw_is_plain_round_robin() -> None:
    pool = pool_of({"a": 5, "b": 5, "c": 5})
    counts = Counter(concept for concept in (dict(pool)[q] for q in draw_check(pool, size=9, seed=3)))
    assert counts == {"a": 3, "b": 3, "c": 3}


def test_recognition_is_in_every_check_even_with_many_concepts() -> None:
    pool = pool_of({**{f"c{n}": 2 for n in range(12)}, RECOGNITION: 4})
    for seed in range(30):
        drawn = draw_check(pool, seed=seed)
        assert sum(question_id.startswith(RECOGNITION) for question_id in drawn) == 2


def test_seen_questions_come_back_least_recently_seen_first() -> None:
    pool = pool_of({"a": 4, "b": 4})
    seen = ["a-3", "b-0", "a-1", "b-2", "a-0", "b-3", "a-2", "b-1"]  # oldest first
    assert set(draw_check(pool, size=4, seen=seen, seed=5)) == {"a-3", "a-1", "b-0", "b-2"}


def test_a_seen_variant_comes_back_before_a_seen_written_question() -> None:
    pool = pool_of({"a": 3})
    drawn = draw_check(pool, size=1, seen=["a-0", "a-1", "a-2"], renewable={"a-2"}, seed=9)
    assert drawn == ("a-2",)


def test_missed_concepts_lead_in_the_order_given_and_unknown_ones_are_ignored() -> None:
    pool = pool_of({"a": 3, "b": 3, "c": 3, "d": 3})
    drawn = draw_check(pool, size=8, missed_concepts=["c", "nowhere", "a"], seed=11)
    assert [dict(pool)[question_id] for question_id in drawn[:2]] == ["c", "a"]


def test_seen_as_a_set_is_accepted() -> None:
    pool = pool_of({"a": 4, "b": 4})
    drawn = draw_check(pool, size=4, seen={"a-0", "a-1", "b-0", "b-1"}, seed=2)
    assert set(drawn) == {"a-2", "a-3", "b-2", "b-3"}


def test_degenerate_requests() -> None:
    assert draw_check([], seed=1) == ()
    assert draw_check(pool_of({"a": 2}), size=0, seed=1) == ()
    with pytest.raises(ValueError, match="appears twice"):
        draw_check([("q", "a"), ("q", "b")], seed=1)


def test_variant_seed_is_stable_across_processes_and_differs_per_question() -> None:
    seeds = [variant_seed(12345, question_id) for question_id in ("tp-var-trace", "tp-var-other", "hs-var-one-pass")]
    assert len(set(seeds)) == 3 and all(0 <= seed < 2**64 for seed in seeds)
    script = (
        "from patternlift_cli.domain.question_pool import variant_seed;"
        "print([variant_seed(12345, q) for q in ('tp-var-trace', 'tp-var-other', 'hs-var-one-pass')])"
    )
    for hash_seed in ("0", "1"):
        output = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        ).stdout
        assert output.strip() == str(seeds)


# ----- every generator, over many seeds ---------------------------------------------------


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_every_generated_question_has_exactly_one_right_answer(name: str) -> None:
    variant = VariantQuestion(id=f"test-{name}", kind="variant", concept="test", generator=name)
    prompts = set()
    for seed in SEEDS:
        question = variant.instantiate(seed)
        assert question.id == variant.id and question.concept == "test"
        prompts.add(question.prompt)
        for line in _code_lines(question.prompt):
            assert len(line) <= 72, (seed, line)
        if isinstance(question, ShortAnswer):
            assert question.accepted and all(grade_answer(question, text).correct for text in question.accepted)
            continue
        assert isinstance(question, MultipleChoice)
        texts = [option.text for option in question.options]
        assert 3 <= len(texts) <= 4, (seed, texts)
        assert len({" ".join(t.casefold().split()) for t in texts}) == len(texts), (seed, texts)
        assert all(option.explanation.strip() for option in question.options)
        grades = [grade_answer(question, text) for text in texts]
        assert all(grade.valid for grade in grades), (seed, texts)  # each text picks its own option
        assert sum(grade.correct for grade in grades) == 1, (seed, texts)
        assert grades[0].correct_text in texts
        assert question == variant.instantiate(seed)
    assert len(prompts) >= len(SEEDS) * 3 // 4  # the seed really makes the instance


def _code_lines(prompt: str) -> list[str]:
    lines, inside = [], False
    for line in prompt.splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside:
            lines.append(line)
    return lines


def test_unknown_generator_or_param_is_one_clear_content_error(tmp_path) -> None:
    import shutil

    folder = tmp_path / "hashing"
    shutil.copytree(PATTERNS_ROOT / "hashing", folder)
    questions = folder / "questions.yaml"
    original = questions.read_text()
    questions.write_text(original + "  - {id: hs-x, kind: variant, concept: c, generator: hashing-one-pass-pairs}\n")
    with pytest.raises(ContentError, match=r"^hashing/questions\.yaml: questions\[\d+\]: unknown variant generator "
                       r"'hashing-one-pass-pairs' \(did you mean 'hashing-one-pass-pair'\?\)"):
        load_pattern_folder(folder)
    questions.write_text(original + "  - {id: hs-x, kind: variant, concept: c, generator: hashing-one-pass-pair, "
                         "params: {size: 3}}\n")
    with pytest.raises(ContentError, match="has no parameter 'size' \\(parameters: length\\)"):
        load_pattern_folder(folder)
    questions.write_text(original + "  - {id: hs-x, kind: variant, concept: c, generator: hashing-one-pass-pair, "
                         "params: {length: 40}}\n")
    with pytest.raises(ContentError, match="rejects params"):
        load_pattern_folder(folder)

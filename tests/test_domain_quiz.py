"""Options are shown in a per-learner order, so "always press a" cannot pass a check."""

from __future__ import annotations

import uuid

from patternlift_cli.domain.quiz import order_seed, presentation_order

LEARNERS = [uuid.uuid5(uuid.NAMESPACE_DNS, f"learner-{n}.example.com") for n in range(20)]


def test_order_is_a_permutation_fixed_by_learner_question_and_attempt() -> None:
    seed = order_seed(LEARNERS[0], "tp-1", 1)
    order = presentation_order(seed, 4)
    assert sorted(order) == [0, 1, 2, 3]
    assert presentation_order(seed, 4) == order  # a resumed session shows the same order
    retries = {presentation_order(order_seed(LEARNERS[0], "tp-1", attempt), 4) for attempt in range(1, 9)}
    assert len(retries) > 1  # a retry is not the same layout every time
    learners = {presentation_order(order_seed(learner, "tp-1", 1), 4) for learner in LEARNERS}
    assert len(learners) > 4


def test_pressing_the_same_letter_never_passes_a_knowledge_check() -> None:
    from patternlift_cli.content.loader import load_curriculum
    from patternlift_cli.domain.grading import choices_of, grade_answer
    from patternlift_cli.domain.stages import KNOWLEDGE_CHECK_PASS_PERCENT

    for pattern in load_curriculum().ordered():
        for learner in LEARNERS:
            for letter in "abcd":
                right = 0
                for question in pattern.questions:
                    count = len(choices_of(question))
                    order = presentation_order(order_seed(learner, question.id, 1), count)
                    grade = grade_answer(question, letter, order) if count else grade_answer(question, letter)
                    right += grade.correct
                score = 100 * right / len(pattern.questions)
                assert score < KNOWLEDGE_CHECK_PASS_PERCENT, (pattern.id, learner, letter, score)


def test_complexity_answers_accept_the_usual_spellings_and_keep_powers_apart() -> None:
    from patternlift_cli.domain.grading import normalise_short_answer as same

    assert same("O(n²)") == same("O(n^2)") == same("n**2") == same(" O( N^2 ) ")
    assert same("O(n log n)") == same("O(n*log(n))") == same("nlogn")
    assert same("O(2ⁿ)") == same("O(2^n)") != same("O(2n)")

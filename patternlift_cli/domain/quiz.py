"""The order in which a question's options are shown.

Authors tend to write the right answer first, and a check shown in authoring order can be
passed by always pressing "a". Each learner therefore sees the options in an order fixed by
(learner, question, attempt): the same order when a session resumes, a new one on a retry.
"""

from __future__ import annotations

import hashlib


def presentation_order(seed: str, count: int) -> tuple[int, ...]:
    """A permutation of range(count) that depends only on the seed (no global random state)."""
    return tuple(sorted(range(count), key=lambda index: hashlib.sha256(f"{seed}#{index}".encode()).digest()))


def order_seed(learner_id: object, question_id: str, attempt: int) -> str:
    return f"{learner_id}:{question_id}:{attempt}"

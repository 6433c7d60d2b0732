"""Variant questions: a concrete question generated from a seed.

A `kind: variant` entry in questions.yaml names a generator here. The generator draws a
small instance (an array, a target, a tree...) from `random.Random(seed)` only, computes the
right answer by running the algorithm, and computes each distractor by running a plausible
mistake on the same instance, so every option is right or wrong for *this* instance. The result
is an ordinary MultipleChoice or ShortAnswer, graded by the same code as written questions.

Generators are grouped by topic in the modules below; importing this package registers them.
"""

from __future__ import annotations

from patternlift_cli.content.variants import arrays, linked, ordering, trees, windows  # noqa: F401  (registers)
from patternlift_cli.content.variants.core import GENERATORS, check, generate

__all__ = ["GENERATORS", "check", "generate"]

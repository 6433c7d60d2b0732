"""A two-pattern curriculum in the real content format, small enough to click through in a test.

The learning-loop tests load it through PATTERNLIFT_CONTENT_DIR, so they exercise the real
loader, workspace and judge while staying independent of the packaged lessons' wording.
Each problem sums a pair: `CORRECT` passes all ten cases, `PARTIAL` exactly three.
"""

from __future__ import annotations

from pathlib import Path

import yaml

CORRECT = """class Solution:
    def pairSum(self, pair: List[int]) -> int:
        return pair[0] + pair[1]
"""
PARTIAL = """class Solution:
    def pairSum(self, pair: List[int]) -> int:
        return pair[0] + pair[1] if pair[0] < 3 else 0
"""

LESSON = """# {name}

## When it applies
When the input hands you pairs.

## Signals
- a pair of numbers

## Template
```python
def pair_sum(pair):
    return pair[0] + pair[1]
```

## Worked example
[1, 1] gives 2.

## Complexity
O(1) per pair.

## Common mistakes
- adding only one side
"""


def _multiple_choice(qid: str, concept: str) -> dict:
    return {
        "id": qid, "kind": "multiple_choice", "concept": concept, "prompt": f"Question {qid}?",
        "options": [
            {"text": "Right", "correct": True, "explanation": "Yes."},
            {"text": "Wrong", "explanation": "No."},
        ],
    }


def _recognition(qid: str) -> dict:
    return {
        "id": qid, "kind": "recognition", "concept": "recognition", "prompt": "Sorted pairs?",
        "choices": ["two-pointers", "hashing"], "answer": "two-pointers", "explanation": "Sorted input.",
    }


def _problem(problem_id: str, pattern: str, level: int | str) -> dict:
    return {
        "id": problem_id, "pattern": pattern, "level": level, "title": problem_id,
        "statement": "Return the sum of the pair.",
        "signature": {"method": "pairSum", "params": [{"name": "pair", "type": "List[int]"}], "returns": "int"},
        "cases": [{"args": [[k, k]], "expected": 2 * k} for k in range(10)],
        "hints": ["h1", "h2", "h3"],
        "solution": {"time": "O(1)", "space": "O(1)", "explanation": "Add both.", "code": CORRECT},
        "wrong_solutions": [{"kind": "edge_case", "description": "Gives up from 3 on.", "code": PARTIAL}],
    }


def _pattern(root: Path, pattern_id: str, name: str, order: int, prefix: str, prerequisites: list[str]) -> None:
    folder = root / pattern_id
    (folder / "problems").mkdir(parents=True)
    meta = {"id": pattern_id, "name": name, "summary": f"{name} in brief.", "order": order,
            "prerequisites": prerequisites, "tags": ["arrays"]}
    questions = [
        _multiple_choice(f"{prefix}-1", "sorted-input"),
        _multiple_choice(f"{prefix}-2", "complexity"),
        {"id": f"{prefix}-3", "kind": "short_answer", "concept": "complexity", "prompt": "Big-O?",
         "accepted": ["O(n)", "linear"], "explanation": "Each pointer moves n times."},
        _recognition(f"{prefix}-4"),
    ]
    problem_ids = {1: f"{pattern_id}-1-a", 2: f"{pattern_id}-2-b", 3: f"{pattern_id}-3-c", "mastery": f"{pattern_id}-m-x"}
    mastery = {"problems": [problem_ids["mastery"]], "pass_score": 80,
               "recognition": [_recognition(f"{prefix}-m1"), _recognition(f"{prefix}-m2")]}
    (folder / "pattern.yaml").write_text(yaml.safe_dump(meta))
    (folder / "lesson.md").write_text(LESSON.format(name=name))
    (folder / "questions.yaml").write_text(yaml.safe_dump({"questions": questions}))
    (folder / "mastery.yaml").write_text(yaml.safe_dump(mastery))
    for level, problem_id in problem_ids.items():
        (folder / "problems" / f"{problem_id}.yaml").write_text(yaml.safe_dump(_problem(problem_id, pattern_id, level)))


def write_mini_course(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    course = [{"id": "hashing", "name": "Hashing"}, {"id": "prefix-sum", "name": "Prefix Sum"},
              {"id": "two-pointers", "name": "Two Pointers"}]
    (root / "course.yaml").write_text(yaml.safe_dump(course))
    _pattern(root, "hashing", "Hashing", 1, "hs", [])
    _pattern(root, "two-pointers", "Two Pointers", 3, "tp", ["hashing"])
    return root

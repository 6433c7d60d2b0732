"""The curriculum's shape (docs/CONTENT_FORMAT.md) as validated pydantic models."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from patternlift_cli.domain.diagnosis import PREDICATES
from patternlift_cli.domain.lesson import SECTION_HEADINGS

KEBAB = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# The `## ` headings a lesson must have, in order (domain.lesson keys them).
LESSON_SECTIONS = tuple(SECTION_HEADINGS.values())
Level = Literal[1, 2, 3, "mastery"]
CompareMode = Literal["exact", "unordered", "unordered_nested", "float", "inplace"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PatternMeta(Strict):
    id: Annotated[str, Field(pattern=KEBAB)]
    name: str
    summary: str
    order: int
    prerequisites: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class Lesson(Strict):
    title: str
    sections: dict[str, str]
    markdown: str

    @property
    def template_code(self) -> str:
        match = re.search(r"```python\n(.*?)```", self.sections["Template"], re.DOTALL)
        return match.group(1) if match else ""


class Option(Strict):
    text: str
    correct: bool = False
    explanation: str


class MultipleChoice(Strict):
    id: str
    kind: Literal["multiple_choice"]
    concept: str
    prompt: str
    options: Annotated[list[Option], Field(min_length=2, max_length=6)]
    explanation: str | None = None

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[Option]) -> list[Option]:
        correct = sum(option.correct for option in options)
        if correct != 1:
            raise ValueError(f"exactly one option must be correct, found {correct}")
        return options


class ShortAnswer(Strict):
    id: str
    kind: Literal["short_answer"]
    concept: str
    prompt: str
    accepted: Annotated[list[str], Field(min_length=1)]
    explanation: str

    @field_validator("accepted")
    @classmethod
    def _non_empty(cls, accepted: list[str]) -> list[str]:
        if any(not str(answer).strip() for answer in accepted):
            raise ValueError("accepted answers must not be blank")
        return [str(answer) for answer in accepted]


class Recognition(Strict):
    id: str
    kind: Literal["recognition"]
    concept: str = "recognition"
    prompt: str
    choices: Annotated[list[str], Field(min_length=2, max_length=6)]
    answer: str
    explanation: str

    @model_validator(mode="after")
    def _answer_is_a_choice(self) -> Recognition:
        if self.answer not in self.choices:
            raise ValueError(f"answer '{self.answer}' is not one of the choices")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("choices repeat a pattern")
        return self


class VariantQuestion(Strict):
    """A question generated from a seed (content/variants.py): a new array, target or traced
    state on every attempt, always an ordinary multiple-choice or short-answer question."""

    id: str
    kind: Literal["variant"]
    concept: str
    generator: str
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _generator_exists(self) -> VariantQuestion:
        from patternlift_cli.content import (
            variants,  # lazy: variants builds the models above
        )

        variants.check(self.generator, self.params)
        return self

    def instantiate(self, seed: int) -> MultipleChoice | ShortAnswer:
        """The concrete question for this seed; the same seed gives the same question."""
        from patternlift_cli.content import variants

        return variants.generate(self.generator, seed, question_id=self.id, concept=self.concept, params=self.params)


Question = Annotated[MultipleChoice | ShortAnswer | Recognition, Field(discriminator="kind")]
PoolQuestion = Annotated[MultipleChoice | ShortAnswer | Recognition | VariantQuestion, Field(discriminator="kind")]


class QuestionFile(Strict):
    questions: list[PoolQuestion]

    @property
    def fixed(self) -> list[MultipleChoice | ShortAnswer | Recognition]:
        return [question for question in self.questions if not isinstance(question, VariantQuestion)]

    @property
    def variants(self) -> list[VariantQuestion]:
        return [question for question in self.questions if isinstance(question, VariantQuestion)]


class Mastery(Strict):
    problems: Annotated[list[str], Field(min_length=1)]
    pass_score: Annotated[int, Field(ge=1, le=100)] = 80
    recognition: Annotated[list[Recognition], Field(min_length=1)]


class Example(Strict):
    input: str
    output: str
    explanation: str | None = None


class Param(Strict):
    name: str
    type: str


class Signature(Strict):
    method: str | None = None
    params: list[Param] = Field(default_factory=list)
    returns: str | None = None
    class_name: str | None = None
    methods: list[str] | None = None


Range = Annotated[list[float], Field(min_length=2, max_length=2)]


class ParamLimits(Strict):
    """A parameter's constraints as data (a content test checks every case against them).

    `length`: len() of a list or string, or the number of nodes of a ListNode/TreeNode;
    `item_length`: len() of each item (rows of a grid, words of a list); `values`: every number
    inside, however nested; `chars`: a regex character class every string inside matches.
    """

    length: Range | None = None
    item_length: Range | None = None
    values: Range | None = None
    chars: str | None = None


class Case(Strict):
    args: list[Any] | None = None
    expected: Any = None
    args_py: str | None = None
    expected_py: str | None = None
    ops: list[str] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _has_input(self) -> Case:
        if self.args is None and self.args_py is None:
            raise ValueError("a case needs args or args_py")
        if "expected" not in self.model_fields_set and self.expected_py is None:
            raise ValueError("a case needs expected or expected_py")
        return self


class Solution(Strict):
    time: str
    space: str
    explanation: str | None = None
    code: str


class WrongSolution(Strict):
    kind: Literal["off_by_one", "edge_case", "too_slow", "wrong_logic"]
    description: str
    code: str
    diagnosis: str | None = None    # the id of the diagnosis its first failing case shows


class Diagnosis(Strict):
    """A typical mistake: a predicate over the first failing case (domain.diagnosis) and its hint."""

    id: Annotated[str, Field(pattern=KEBAB)]
    when: str
    hint: str
    ask: str | None = None          # the same hint as a question, for socratic learners

    @field_validator("when")
    @classmethod
    def _known_predicate(cls, when: str) -> str:
        if when not in PREDICATES:
            raise ValueError(f"unknown diagnosis predicate '{when}' (known: {', '.join(sorted(PREDICATES))})")
        return when


class Problem(Strict):
    id: Annotated[str, Field(pattern=KEBAB)]
    pattern: str
    level: Level
    title: str
    leetcode: Annotated[int, Field(ge=1)] | None = None  # the LeetCode problem number, when it is one
    kind: Literal["function", "design"] = "function"
    statement: str
    examples: list[Example] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    limits: dict[str, ParamLimits] = Field(default_factory=dict)
    requires: list[str] = Field(default_factory=list)  # Python predicates over the arguments
    signature: Signature
    compare: CompareMode = "exact"
    time_limit_seconds: Annotated[float, Field(gt=0, le=30)] | None = None
    cases: Annotated[list[Case], Field(min_length=1)]
    hints: Annotated[list[str], Field(min_length=3, max_length=3)]
    # The same three hints as questions to ask yourself, for learners who asked for that.
    socratic_hints: list[str] = Field(default_factory=list)
    diagnoses: list[Diagnosis] = Field(default_factory=list)
    solution: Solution
    wrong_solutions: Annotated[list[WrongSolution], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> Problem:
        if self.socratic_hints and len(self.socratic_hints) != len(self.hints):
            raise ValueError("socratic_hints must give every hint as a question (three of them)")
        named = {diagnosis.id for diagnosis in self.diagnoses}
        for wrong in self.wrong_solutions:
            if wrong.diagnosis is not None and wrong.diagnosis not in named:
                raise ValueError(f"wrong solution names diagnosis '{wrong.diagnosis}', which this problem does not define")
        if not self.id.startswith(self.pattern + "-"):
            raise ValueError(f"problem id must start with its pattern id '{self.pattern}-'")
        if self.kind == "design":
            if not self.signature.class_name:
                raise ValueError("a design problem's signature needs class_name")
            if any(case.ops is None for case in self.cases):
                raise ValueError("every case of a design problem needs ops")
        elif not self.signature.method:
            raise ValueError("signature.method is required")
        unknown = set(self.limits) - {param.name for param in self.signature.params}
        if unknown:
            raise ValueError(f"limits name no parameter of the signature: {sorted(unknown)}")
        return self

    @property
    def entry_point(self) -> str:
        return self.signature.class_name or "Solution"

    @property
    def level_label(self) -> str:
        return "mastery" if self.level == "mastery" else f"level {self.level}"


class Pattern(Strict):
    id: str
    name: str
    summary: str
    order: int
    prerequisites: list[str]
    tags: list[str]
    lesson: Lesson
    # The written questions; `variants` are generated per attempt (see `check_question`).
    questions: list[Question]
    mastery: Mastery
    problems: list[Problem]
    content_hash: str
    variants: list[VariantQuestion] = Field(default_factory=list)

    @property
    def question_pool(self) -> list[MultipleChoice | ShortAnswer | Recognition | VariantQuestion]:
        """Every knowledge-check question a check can be drawn from (domain/question_pool.py)."""
        return [*self.questions, *self.variants]

    def pool_entries(self) -> list[tuple[str, str]]:
        """(question id, concept) pairs: what `draw_check` draws from."""
        return [(question.id, question.concept) for question in self.question_pool]

    def check_question(self, question_id: str, seed: int) -> MultipleChoice | ShortAnswer | Recognition:
        """The question to ask for a drawn id; a variant is generated from `seed`, which should
        be `variant_seed(attempt_seed, question_id)` so a resumed attempt asks the same one."""
        for question in self.question_pool:
            if question.id == question_id:
                return question.instantiate(seed) if isinstance(question, VariantQuestion) else question
        raise KeyError(question_id)

    def practice_problem(self, level: int) -> Problem:
        return next(problem for problem in self.problems if problem.level == level)

    @property
    def mastery_problems(self) -> list[Problem]:
        by_id = {problem.id: problem for problem in self.problems}
        return [by_id[problem_id] for problem_id in self.mastery.problems]

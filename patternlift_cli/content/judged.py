"""A problem as the judge and `check` see it, as plain data: the lean `check` path's form.

Validating a problem with the content models means importing pydantic and building them, most of
a fresh `check` process's time. So the curriculum cache (cache.py) keeps, beside each problem's
full JSON, its `judged_slice`: what the judge reads, dumped from the validated model when the
cache is written, with every default filled in, stored with a digest of its bytes. Read back it
is a `JudgedProblem` without pydantic; it is used only when the cache key (the content, the
code that shapes it, the version) and the digest match, so it is the validated problem, not a
second reading of the YAML.
"""

from __future__ import annotations

from typing import Any, NamedTuple

CASE_FIELDS = ("args", "expected", "args_py", "expected_py", "ops", "note")


# NamedTuples, not dataclasses: importing `dataclasses` alone costs the lean path ~7 ms.
class JudgedParam(NamedTuple):
    name: str
    type: str


class JudgedSignature(NamedTuple):
    data: dict[str, Any]  # the model's dump without None fields: what the child receives
    params: tuple[JudgedParam, ...]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.data)


class JudgedCase(NamedTuple):
    args: list[Any] | None
    expected: Any
    args_py: str | None
    expected_py: str | None
    ops: list[str] | None
    note: str | None


class JudgedProblem(NamedTuple):
    id: str
    pattern: str
    title: str
    level: int | str
    kind: str
    compare: str
    time_limit_seconds: float | None
    signature: JudgedSignature
    cases: tuple[JudgedCase, ...]


def judged_slice(problem: Any) -> dict[str, Any]:
    """The plain data of a validated `content.models.Problem` that judging it reads."""
    return {
        "id": problem.id,
        "pattern": problem.pattern,
        "title": problem.title,
        "level": problem.level,
        "kind": problem.kind,
        "compare": problem.compare,
        "time_limit_seconds": problem.time_limit_seconds,
        "signature": problem.signature.model_dump(exclude_none=True),
        "cases": [{name: getattr(case, name) for name in CASE_FIELDS} for case in problem.cases],
    }


def from_slice(data: dict[str, Any]) -> JudgedProblem:
    signature = data["signature"]
    return JudgedProblem(
        id=data["id"],
        pattern=data["pattern"],
        title=data["title"],
        level=data["level"],
        kind=data["kind"],
        compare=data["compare"],
        time_limit_seconds=data["time_limit_seconds"],
        signature=JudgedSignature(
            data=signature,
            params=tuple(JudgedParam(param["name"], param["type"]) for param in signature.get("params", ())),
        ),
        cases=tuple(JudgedCase(**{name: case[name] for name in CASE_FIELDS}) for case in data["cases"]),
    )

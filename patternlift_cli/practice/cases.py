"""A problem's cases as the parent holds them: arguments to send, expected answers to keep.

`args_py`/`expected_py` (authored Python expressions that generate big inputs) are evaluated
here, in the parent, with LeetCode's prelude names available: the child receives plain data
either way, and one evaluation serves every run of the problem in this process.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from patternlift_cli.practice.compare import plain

REPR_LIMIT = 300
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_prepared: dict[int, tuple[Any, list["PreparedCase"]]] = {}
_PREPARED_KEEP = 16


class PreparedCase(NamedTuple):
    number: int
    frame: dict[str, Any]  # what the child receives: the arguments only
    expected: Any
    arguments: dict[str, Any]
    shown_input: str
    note: str | None


def visible(text: str) -> str:
    """Control characters as escapes: nothing a program prints can move the cursor or recolour."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def short_repr(value: Any) -> str:
    text = repr(value)
    return visible(text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 15] + f"... ({len(text)} chars)")


def signature_of(problem: Any) -> dict[str, Any]:
    """The signature as the child receives it: a content model's, or a cached plain copy of one."""
    signature = problem.signature
    dump = getattr(signature, "model_dump", None)
    return dump(exclude_none=True) if dump is not None else signature.as_dict()


def _namespace() -> dict[str, Any]:
    import importlib

    from patternlift_cli.practice.prelude import table

    namespace: dict[str, Any] = {}
    for name, (module_name, attribute) in table().items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        namespace[name] = module if attribute is None else getattr(module, attribute, None)
    return namespace


def prepare(problem: Any) -> list[PreparedCase]:
    cached = _prepared.get(id(problem))
    if cached is not None and cached[0] is problem:
        return cached[1]
    namespace: dict[str, Any] | None = None
    prepared = []
    params = [param.name for param in problem.signature.params]
    for number, case in enumerate(problem.cases, start=1):
        if case.args_py is not None or case.expected_py is not None:
            namespace = namespace if namespace is not None else _namespace()
        raw_args = plain(eval(case.args_py, dict(namespace)) if case.args_py is not None else case.args)  # noqa: S307 - authored content
        expected = plain(eval(case.expected_py, dict(namespace)) if case.expected_py is not None else case.expected)  # noqa: S307
        if problem.kind == "design":
            frame = {"ops": list(case.ops or []), "args": raw_args}
            arguments = {"ops": frame["ops"], "args": raw_args}
            shown = short_repr(list(zip(frame["ops"], raw_args)))
        else:
            frame = {"args": raw_args}
            arguments = {params[i] if i < len(params) else f"arg{i + 1}": value for i, value in enumerate(raw_args)}
            shown = ", ".join(f"{name} = {short_repr(value)}" for name, value in arguments.items())
        prepared.append(PreparedCase(number, {"case": number, **frame}, expected, arguments, shown, case.note))
    if len(_prepared) >= _PREPARED_KEEP:
        _prepared.pop(next(iter(_prepared)))
    _prepared[id(problem)] = (problem, prepared)
    return prepared

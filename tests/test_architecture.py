"""The layers of docs/ARCHITECTURE.md, checked over the package's source so they hold from now on.

Every import counts, including the lazy ones inside functions and those only for type checking:
a layer that may not depend on another may not name it at all.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "patternlift_cli"
MAX_LINES = 400

# What each part of the package may import from the project (besides itself).
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "errors": {"domain"},
    "config": {"errors", "domain"},
    "ports": {"domain"},
    "content": {"domain", "errors", "config", "practice"},  # content.validate runs the judge
    "db": {"domain", "errors", "config"},
    "ai": {"domain", "errors"},
    "billing": {"domain", "errors"},
    "practice": {"domain", "errors", "config"},
    "signin": {"config"},
    "services": {"domain", "errors", "config", "ports", "db", "ai", "billing", "practice", "content", "signin"},
    "remote": {"domain", "errors", "config", "ports", "practice", "content", "signin"},
    "server": {"domain", "errors", "config", "ports", "db", "services", "content", "practice"},
    "ui": {"domain", "errors", "ports", "content"},
    "cli": {"domain", "errors", "config", "ports", "ui", "services", "remote", "server", "signin"},
    "__main__": {"cli"},
    "__init__": set(),
}
# Third-party libraries only one part may talk to.
OWNED_LIBRARIES = {
    "typer": {"cli"},
    "rich": {"ui"},
    "openai": {"ai"},
    "stripe": {"billing"},
    "keyring": {"config"},
}


def modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts)


def part_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def imported(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def project_parts(path: Path) -> set[str]:
    return {
        name.split(".")[1]
        for name in imported(path)
        if name.startswith("patternlift_cli.") and len(name.split(".")) > 1
    }


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_each_module_imports_only_the_layers_below_it(path: Path) -> None:
    part = part_of(path)
    assert part in ALLOWED, f"{part} is a new part of the package: give it a place in ALLOWED and ARCHITECTURE.md"
    forbidden = project_parts(path) - ALLOWED[part] - {part}
    assert not forbidden, f"{part} may not import {sorted(forbidden)}"
    for name in imported(path):
        library = name.split(".")[0]
        owners = OWNED_LIBRARIES.get(library)
        assert owners is None or part in owners, f"only {sorted(owners or ())} may import {library}"


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_module_is_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{lines} lines: split it along its seams"


def test_the_parts_depend_on_each_other_without_cycles() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in modules():
        graph[part_of(path)] |= project_parts(path) - {part_of(path)}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        assert node not in visiting, f"import cycle: {' -> '.join([*visiting[visiting.index(node):], node])}"
        if node in done:
            return
        visiting.append(node)
        for neighbour in sorted(graph[node]):
            visit(neighbour)
        visiting.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)


def test_every_command_has_its_own_module_named_as_typed() -> None:
    from patternlift_cli.cli.app import COMMAND_MODULES, command_app

    for name in COMMAND_MODULES:  # each module registers exactly the command named as typed
        holder = command_app(name)
        typed = [command.name or command.callback.__name__ for command in holder.registered_commands]
        typed += [group.name for group in holder.registered_groups]
        assert typed == [name.replace("_", "-")], name
        module = PACKAGE / "cli" / "commands" / name
        assert module.with_suffix(".py").exists() or (module / "__init__.py").exists(), name


def test_the_console_script_imports_only_the_standard_library_before_it_knows_the_command() -> None:
    """cli/lean.py is the entry: `check` takes its lean path without typer; everything else
    reaches the Typer app through it."""
    import tomllib

    scripts = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["patternlift"] == "patternlift_cli.cli.lean:main"
    tree = ast.parse((PACKAGE / "cli" / "lean.py").read_text(encoding="utf-8"))
    top_level = [alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names]
    top_level += [node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module]
    assert set(top_level) <= {"__future__", "sys"}, top_level

"""What a command imports, what each heavy library costs, and which module pulls it in.

    python bench/import_cost.py patterns
    python bench/import_cost.py check two-pointers-pair-sum-sorted solution.py

Runs the command once with `python -X importtime` (signed in as a throwaway SQLite learner
under a temporary PATTERNLIFT_HOME, after one warm-up run that fills the caches) and prints,
for each library of interest, the cumulative import time of its first import and the chain of
patternlift_cli modules that led to it; then what the command imports beyond
`python -c "import sqlmodel"` (the baseline of bench/patterns_startup.py), by package, with
the project module that first imports each. Times are one run's (median of --runs): use them
to rank, not to compare runs (`bench/patterns_startup.py` does the comparing).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

LIBRARIES = (
    "typer", "click", "rich", "sqlmodel", "sqlalchemy", "alembic", "mako", "yaml", "pydantic",
    "pydantic_settings", "platformdirs", "psycopg", "openai", "httpx", "stripe", "keyring",
    "genai_prices", "dotenv",
)
LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


@dataclass
class Node:
    name: str
    self_us: int
    cumulative_us: int
    depth: int
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None


def parse(text: str) -> list[Node]:
    """The import tree; -X importtime prints children before their parent."""
    roots: list[Node] = []
    pending: dict[int, list[Node]] = {}
    for line in text.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        depth = len(match.group(3)) // 2
        node = Node(match.group(4), int(match.group(1)), int(match.group(2)), depth)
        node.children = pending.pop(depth + 1, [])
        for child in node.children:
            child.parent = node
        if depth == 0:
            roots.append(node)
        else:
            pending.setdefault(depth, []).append(node)
    return roots


def walk(nodes: list[Node]):
    for node in nodes:
        yield node
        yield from walk(node.children)


def chain(node: Node) -> str:
    """The project modules (and the first outside one) on the way to this import."""
    names: list[str] = []
    current = node.parent
    while current is not None:
        names.append(current.name)
        current = current.parent
    project = [name for name in names if name.startswith("patternlift_cli")]
    return " <- ".join(project[:3]) if project else (names[0] if names else "(top level)")


def own_ms(roots: list[Node], skip: set[str]) -> dict[str, tuple[float, str]]:
    """Self time of every module not in `skip`, summed per top-level package, with its importer."""
    totals: dict[str, float] = {}
    importer: dict[str, str] = {}
    for node in walk(roots):
        if node.name in skip:
            continue
        package = node.name if node.name.startswith("patternlift_cli") else node.name.split(".")[0]
        totals[package] = totals.get(package, 0.0) + node.self_us / 1000
        if package not in importer:
            top = node
            while top.parent is not None and top.parent.name.split(".")[0] == package.split(".")[0] and not package.startswith("patternlift_cli"):
                top = top.parent
            importer[package] = chain(top)
    return {package: (ms, importer[package]) for package, ms in totals.items()}


def prepare(command: list[str], home: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PATTERNLIFT_")}
    environment.update({"PATTERNLIFT_HOME": str(home), "NO_COLOR": "1",
                        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"})
    base = [sys.executable, "-m", "patternlift_cli"]
    subprocess.run([*base, "login", "--email", "bench@example.com"], env=environment, cwd=home,
                   capture_output=True, check=True)
    for warm_up in (["patterns"], command):  # `patterns` fills the curriculum cache, as any command does
        subprocess.run([*base, *warm_up], env=environment, cwd=home, capture_output=True)
    return environment


def importtime(arguments: list[str], environment: dict[str, str] | None = None, cwd: Path | None = None) -> list[Node]:
    result = subprocess.run([sys.executable, "-X", "importtime", *arguments], env=environment, cwd=cwd,
                            capture_output=True, text=True)
    return parse(result.stderr)


def measure(roots: list[Node], in_baseline: set[str]) -> dict[str, dict[str, tuple[float, str]]]:
    libraries: dict[str, tuple[float, str]] = {}
    for library in LIBRARIES:
        first = next((n for n in walk(roots) if n.name == library or n.name.startswith(library + ".")), None)
        if first is not None:
            top = first
            while top.parent is not None and top.parent.name.split(".")[0] == library:
                top = top.parent
            libraries[library] = (top.cumulative_us / 1000, chain(top))
    project = {n.name: (n.cumulative_us / 1000, "") for n in walk(roots) if n.name.startswith("patternlift_cli")}
    total = {"all": (sum(root.cumulative_us for root in roots) / 1000, "")}
    return {"total": total, "libraries": libraries, "extra": own_ms(roots, in_baseline), "project": project}


def median_of(runs: list[dict[str, dict[str, tuple[float, str]]]], section: str) -> dict[str, tuple[float, str]]:
    keys = {key for run in runs for key in run[section]}
    return {
        key: (statistics.median(run[section].get(key, (0.0, ""))[0] for run in runs),
              next(run[section][key][1] for run in runs if key in run[section]))
        for key in keys
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        environment = prepare(args.command, home)
        runs = []
        for _ in range(args.runs):
            in_baseline = {node.name for node in walk(importtime(["-c", "import sqlmodel"]))}
            roots = importtime(["-m", "patternlift_cli", *args.command], environment, home)
            runs.append(measure(roots, in_baseline))
    print(f"patternlift {' '.join(args.command)}: {median_of(runs, 'total')['all'][0]:.0f} ms of imports in all "
          f"(medians of {args.runs} runs)")
    libraries = median_of(runs, "libraries")
    print(f"{'library':<18} {'ms':>6}  first imported by")
    for library in LIBRARIES:
        ms, by = libraries.get(library, (0.0, ""))
        print(f"{library:<18} {ms:6.1f}  {by}" if by else f"{library:<18} {'-':>6}  not imported")
    extra = median_of(runs, "extra")
    print(f"\nbeyond `import sqlmodel` ({sum(ms for ms, _ in extra.values()):.0f} ms of own import time):")
    for package, (ms, by) in sorted(extra.items(), key=lambda item: -item[1][0])[:25]:
        print(f"  {ms:6.1f}  {package:<40} {by}")
    print("\nproject modules by cumulative ms (their own imports included):")
    for name, (ms, _) in sorted(median_of(runs, "project").items(), key=lambda item: -item[1][0])[:15]:
        print(f"  {ms:6.1f}  {name}")


if __name__ == "__main__":
    main()

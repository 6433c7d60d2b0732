"""Variants over small random binary trees: breadth-first and depth-first walks."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

from patternlift_cli.content.variants.core import (
    ATTEMPTS,
    Choice,
    ChoiceDraft,
    code_block,
    generator,
    plural,
    show_list,
    unsolvable,
)


@dataclass
class Node:
    val: int
    left: Node | None = None
    right: Node | None = None


def random_tree(rng: random.Random, values: list[int]) -> Node:
    """Each new value hangs from a free child slot chosen uniformly."""
    root = Node(values[0])
    slots: list[tuple[Node, str]] = [(root, "left"), (root, "right")]
    for value in values[1:]:
        parent, side = slots.pop(rng.randrange(len(slots)))
        child = Node(value)
        setattr(parent, side, child)
        slots += [(child, "left"), (child, "right")]
    return root


def levels(root: Node) -> list[list[int]]:
    rows, row_nodes = [], [root]
    while row_nodes:
        rows.append([n.val for n in row_nodes])
        row_nodes = [child for n in row_nodes for child in (n.left, n.right) if child]
    return rows


def level_order_form(root: Node) -> list[int | None]:
    """LeetCode's form: level order with null for a missing child, trailing nulls trimmed."""
    form: list[int | None] = []
    queue: deque[Node | None] = deque([root])
    while queue:
        current = queue.popleft()
        form.append(current.val if current else None)
        if current:
            queue += [current.left, current.right]
    while form[-1] is None:
        form.pop()
    return form


def drawing(root: Node) -> str:
    lines = [str(root.val)]

    def below(current: Node, indent: str) -> None:
        children = [(side, child) for side, child in (("L", current.left), ("R", current.right)) if child]
        for index, (side, child) in enumerate(children):
            last = index == len(children) - 1
            lines.append(f"{indent}{'`--' if last else '|--'} {side} {child.val}")
            below(child, indent + ("    " if last else "|   "))

    below(root, "")
    return "```text\n" + "\n".join(lines) + "\n```"


def describe(root: Node) -> str:
    return f"The tree `{show_list(level_order_form(root))}` (level order, null = no child):\n\n{drawing(root)}"


def walk(current: Node | None, order: str) -> list[int]:
    if current is None:
        return []
    left, right = walk(current.left, order), walk(current.right, order)
    return {"pre": [current.val, *left, *right], "in": [*left, current.val, *right], "post": [*left, *right, current.val]}[order]


def right_spine(root: Node) -> list[int]:
    spine, current = [], root
    while current:
        spine.append(current.val)
        current = current.right
    return spine


# ----- breadth-first ----------------------------------------------------------------------

LEVEL_ORDER_CODE = code_block(
    """
    def level_order(root):
        rows, queue = [], deque([root] if root else [])
        while queue:
            row = []
            for _ in range(len(queue)):
                node = queue.popleft()
                row.append(node.val)
                if node.left:
                    queue.append(node.left)
                if node.right:
                    queue.append(node.right)
            rows.append(row)
        return rows
    """
)


@generator("tree-bfs-level-order")
def tree_bfs_level_order(rng: random.Random, *, size: int = 7) -> ChoiceDraft:
    if not 5 <= size <= 10:
        raise ValueError("size must be between 5 and 10")
    for _ in range(ATTEMPTS):
        root = random_tree(rng, rng.sample(range(1, 40), size))
        rows = levels(root)
        if len(rows) >= 3 and len(rows[1]) == 2:
            break
    else:
        raise unsolvable("tree-bfs-level-order")
    zigzag = [row[::-1] if depth % 2 else row for depth, row in enumerate(rows)]
    wrong = [
        Choice(show_list(rows[::-1]), "No. Those are the rows from the bottom up; the queue starts at the root."),
        Choice(
            show_list([row[::-1] for row in rows]),
            "No. Each row is right to left. The code adds the left child before the right one, "
            "so every row comes out left to right.",
        ),
        Choice(show_list(zigzag), "No. That alternates the direction of the rows (zigzag); nothing here reverses a row."),
        Choice(
            show_list(walk(root, "pre")),
            "No. That is a depth-first pre-order as one flat list. The level-size loop groups the "
            "nodes row by row.",
        ),
    ]
    prompt = f"{describe(root)}\n\nWhat does `level_order(root)` return?\n\n{LEVEL_ORDER_CODE}"
    explanation = (
        "Yes. Each round takes exactly the nodes that were in the queue when it started (one row), "
        "left to right, and queues their children for the next round."
    )
    return ChoiceDraft(prompt, Choice(show_list(rows), explanation), wrong)


@generator("tree-bfs-right-view")
def tree_bfs_right_view(rng: random.Random, *, size: int = 8) -> ChoiceDraft:
    if not 5 <= size <= 10:
        raise ValueError("size must be between 5 and 10")
    for _ in range(ATTEMPTS):
        root = random_tree(rng, rng.sample(range(1, 40), size))
        rows = levels(root)
        view = [row[-1] for row in rows]
        if right_spine(root) != view and len(rows) >= 3:
            break
    else:
        raise unsolvable("tree-bfs-right-view")
    wrong = [
        Choice(
            show_list(right_spine(root)),
            "No. That follows `.right` from the root. Where the right branch is short, a deeper "
            "row is seen through a left subtree.",
        ),
        Choice(show_list([row[0] for row in rows]), "No. That is the first node of each row: the left-side view."),
        Choice(show_list(rows[-1]), "No. That is the bottom row. The view has one node per row."),
        Choice(show_list([max(row) for row in rows]), "No. That is the largest value of each row; visibility is about position."),
    ]
    prompt = (
        f"{describe(root)}\n\nWhich values does someone standing to the right of the tree see, "
        "from top to bottom?"
    )
    explanation = (
        f"Yes. The rows are {show_list(rows)}; the last node of each row (children queued left, "
        "then right) is the one seen from the right."
    )
    return ChoiceDraft(prompt, Choice(show_list(view), explanation), wrong)


# ----- depth-first ------------------------------------------------------------------------


def root_paths(current: Node, prefix: tuple[int, ...] = ()) -> list[tuple[tuple[int, ...], bool]]:
    """Every path from the root to each node, with whether it ends at a leaf."""
    path = (*prefix, current.val)
    found = [(path, current.left is None and current.right is None)]
    for child in (current.left, current.right):
        if child:
            found += root_paths(child, path)
    return found


def none_as_leaf_count(current: Node | None, remaining: int) -> int:
    """The slip `if node is None: return remaining == 0`, counting paths."""
    if current is None:
        return 1 if remaining == 0 else 0
    remaining -= current.val
    return none_as_leaf_count(current.left, remaining) + none_as_leaf_count(current.right, remaining)


@generator("tree-dfs-path-sum-count")
def tree_dfs_path_sum_count(rng: random.Random, *, size: int = 8) -> ChoiceDraft:
    if not 5 <= size <= 10:
        raise ValueError("size must be between 5 and 10")
    for _ in range(ATTEMPTS):
        root = random_tree(rng, [rng.randint(1, 9) for _ in range(size)])
        paths = root_paths(root)
        leaf_paths = [path for path, leaf in paths if leaf]
        target = sum(rng.choice(leaf_paths))
        matching = [path for path in leaf_paths if sum(path) == target]
        anywhere = [path for path, _ in paths if sum(path) == target]
        if len(anywhere) > len(matching):
            break
    else:
        raise unsolvable("tree-dfs-path-sum-count")
    count = len(matching)
    listed = "; ".join(" -> ".join(str(v) for v in path) for path in matching)
    wrong = [
        Choice(
            plural(none_as_leaf_count(root, target), "path"),
            "No. That is what `if node is None: return remaining == 0` counts: a leaf is counted "
            "once per missing child, and a node with one child looks like a path end.",
        ),
        Choice(
            plural(len(anywhere), "path"),
            "No. That also counts paths that stop at a node with children. A root-to-leaf path "
            "must end at a node with no children.",
        ),
        Choice(plural(count + 1, "path"), f"No. Exactly {plural(count, 'path')} work: {listed}."),
        Choice(plural(0, "path"), f"No. {listed} adds up to {target}."),
    ]
    prompt = f"{describe(root)}\n\nHow many root-to-leaf paths have values adding up to {target}?"
    explanation = f"Yes. The matching root-to-leaf paths: {listed}."
    return ChoiceDraft(prompt, Choice(plural(count, "path"), explanation), wrong)


ORDER_NAMES = {"pre": "pre-order", "in": "in-order", "post": "post-order"}
ORDER_RULES = {
    "pre": "the node, then its left subtree, then its right subtree",
    "in": "the left subtree, then the node, then the right subtree",
    "post": "the left subtree, then the right subtree, then the node",
}


@generator("tree-dfs-traversal-order")
def tree_dfs_traversal_order(rng: random.Random, *, order: str = "post", size: int = 7) -> ChoiceDraft:
    if order not in ORDER_NAMES or not 5 <= size <= 10:
        raise ValueError("order must be pre, in or post, and size 5..10")
    for _ in range(ATTEMPTS):
        root = random_tree(rng, rng.sample(range(1, 40), size))
        walks = {name: walk(root, name) for name in ORDER_NAMES}
        flat_levels = [value for row in levels(root) for value in row]
        if len({tuple(w) for w in [*walks.values(), flat_levels]}) == 4:
            break
    else:
        raise unsolvable("tree-dfs-traversal-order")
    wrong = [
        Choice(show_list(walks[other]), f"No. That is the {ORDER_NAMES[other]}: {ORDER_RULES[other]}.")
        for other in ORDER_NAMES
        if other != order
    ]
    wrong.append(Choice(show_list(flat_levels), "No. That is level order, row by row; a depth-first walk finishes a subtree first."))
    wrong.append(Choice(show_list(walks[order][::-1]), f"No. That is the {ORDER_NAMES[order]} backwards."))
    prompt = f"{describe(root)}\n\nIn which order does a recursive {ORDER_NAMES[order]} traversal visit the values?"
    explanation = f"Yes. {ORDER_NAMES[order].capitalize()} visits {ORDER_RULES[order]}, at every node."
    return ChoiceDraft(prompt, Choice(show_list(walks[order]), explanation), wrong)

"""LeetCode's node classes and list forms, inside the judge's child process (stdlib only).

Arguments arrive as plain data and are built into ListNode/TreeNode objects when the parameter's
declared type says so; whatever the solution returns is written back in LeetCode's list forms
(a linked list as its values, a tree in level order with None for missing children).
"""

from __future__ import annotations

from collections import deque

# Longer than any list a problem builds: a returned list longer than this has a cycle.
MAX_RETURNED_NODES = 1_000_000


class ListNode:
    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next

    def __repr__(self):
        return f"ListNode({self.val})"


class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right

    def __repr__(self):
        return f"TreeNode({self.val})"


def _compact(type_name: str) -> str:
    return (type_name or "").replace(" ", "").replace("'", "").replace('"', "")


def is_list_of(node_class: str, type_name: str) -> bool:
    compact = _compact(type_name)
    return node_class in compact and compact.startswith("List[")


def is_single(node_class: str, type_name: str) -> bool:
    compact = _compact(type_name)
    return node_class in compact and not compact.startswith("List[")


def build_list(values):
    head = None
    for value in reversed(values or []):
        head = ListNode(value, head)
    return head


def build_tree(values):
    if not values or values[0] is None:
        return None
    root = TreeNode(values[0])
    queue = deque([root])
    index = 1
    while queue and index < len(values):
        node = queue.popleft()
        if index < len(values) and values[index] is not None:
            node.left = TreeNode(values[index])
            queue.append(node.left)
        index += 1
        if index < len(values) and values[index] is not None:
            node.right = TreeNode(values[index])
            queue.append(node.right)
        index += 1
    return root


def to_argument(value, type_name: str):
    if is_list_of("ListNode", type_name):
        return [build_list(item) for item in value]
    if is_single("ListNode", type_name):
        return build_list(value)
    if is_list_of("TreeNode", type_name):
        return [build_tree(item) for item in value]
    if is_single("TreeNode", type_name):
        return build_tree(value)
    return value


def _is_list_node(value) -> bool:
    return hasattr(value, "val") and hasattr(value, "next") and not hasattr(value, "left")


def _is_tree_node(value) -> bool:
    return hasattr(value, "val") and hasattr(value, "left") and hasattr(value, "right")


def list_values(node) -> list:
    values = []
    while node is not None:
        values.append(node.val)
        node = node.next
        if len(values) > MAX_RETURNED_NODES:
            raise ValueError("the returned linked list has a cycle (or over a million nodes)")
    return values


def tree_values(root) -> list:
    if root is None:
        return []
    values, queue, seen = [], deque([root]), set()
    while queue:
        node = queue.popleft()
        if node is None:
            values.append(None)
            continue
        if id(node) in seen:
            raise ValueError("the returned tree has a cycle (a node is its own descendant)")
        seen.add(id(node))
        values.append(node.val)
        queue.append(node.left)
        queue.append(node.right)
    while values and values[-1] is None:
        values.pop()
    return values


def leetcode_form(value):
    """json.dumps' `default`: the few non-JSON things a solution may return, in LeetCode's form."""
    if _is_tree_node(value):
        return tree_values(value)
    if _is_list_node(value):
        return list_values(value)
    if isinstance(value, (set, frozenset)):
        try:
            return sorted(value)
        except TypeError:
            return list(value)
    if isinstance(value, (deque, range)) or type(value).__name__ in ("generator", "map", "filter", "zip"):
        return list(value)
    if hasattr(value, "__index__") and not isinstance(value, float):
        return value.__index__()
    raise TypeError(f"a {type(value).__name__} cannot be an answer (return lists, numbers, strings, booleans or None)")


def result_form(value, type_name: str):
    """None stands for the empty list or tree when the method returns a node, as on LeetCode."""
    if value is None and (is_single("ListNode", type_name) or is_single("TreeNode", type_name)):
        return []
    return value

"""Each generated question's marked answer is right for the instance its prompt shows.

The instance is read back from the prompt the learner sees (the arrays, targets, trees and
lists in backticks), and the answer is worked out here independently: by running the code
block the prompt shows, or by brute force. A generator whose answer and prompt disagree fails.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections import deque
from itertools import count

import pytest

from patternlift_cli.content.variants import GENERATORS, generate

SEEDS = range(200)


def instance(name: str, seed: int):
    question = generate(name, seed, question_id="q", concept="c")
    right = next(option.text for option in question.options if option.correct)
    return question.prompt, right


def literal(prompt: str, name: str):
    match = re.search(rf"`{name} = (.+?)`", prompt)
    assert match, f"no `{name} = ...` in the prompt"
    return ast.literal_eval(match.group(1))


def number(prompt: str, pattern: str) -> int:
    match = re.search(pattern, prompt)
    assert match, pattern
    return int(match.group(1))


def run_code(prompt: str, **names):
    """Run the prompt's code block with `names` bound, and return its variables."""
    code = re.search(r"```python\n(.*?)```", prompt, re.DOTALL).group(1)
    scope = {"deque": deque, **names}
    exec(code, scope)  # noqa: S102  (our own generated code, in a test)
    return scope


def show(values) -> str:
    return str(values).replace("None", "null")


# ----- arrays ---------------------------------------------------------------------------


def check_hashing_one_pass_pair(prompt: str, right: str) -> None:
    nums, target = literal(prompt, "nums"), literal(prompt, "target")
    assert right == show(run_code(prompt)["pair"](nums, target))


def check_prefix_sum_range_query(prompt: str, right: str) -> None:
    nums = literal(prompt, "nums")
    left, last = number(prompt, r"indices (\d+) to"), number(prompt, r"to (\d+), inclusive")
    end, start, value = map(int, re.fullmatch(r"`prefix\[(\d+)\] - prefix\[(\d+)\]` = (-?\d+)", right).groups())
    assert (end, start) == (last + 1, left)
    assert value == sum(nums[left : last + 1])


def check_prefix_sum_count_k(prompt: str, right: str) -> None:
    nums, k = literal(prompt, "nums"), literal(prompt, "k")
    brute = sum(sum(nums[i : j + 1]) == k for i in range(len(nums)) for j in range(i, len(nums)))
    assert run_code(prompt)["count_k"](nums, k) == brute
    assert right == f"{brute} subarray" + ("" if brute == 1 else "s")


def check_two_pointers_pair_trace(prompt: str, right: str) -> None:
    nums, target = literal(prompt, "nums"), literal(prompt, "target")
    moves = number(prompt, r"first (\d+) moves")
    left, right_index = 0, len(nums) - 1
    for _ in range(moves):
        total = nums[left] + nums[right_index]
        assert total != target and left < right_index  # the loop is still running
        if total < target:
            left += 1
        else:
            right_index -= 1
    assert right == (
        f"left at index {left} (value {nums[left]}), right at index {right_index} (value {nums[right_index]})"
    )


def check_sliding_window_best_fixed(prompt: str, right: str) -> None:
    nums, k = literal(prompt, "nums"), number(prompt, r"total of (\d+) consecutive")
    best = max(sum(nums[i : i + k]) for i in range(len(nums) - k + 1))
    assert right == f"a best total of {best}"


def check_sliding_window_shortest_sum(prompt: str, right: str) -> None:
    nums, s = literal(prompt, "nums"), literal(prompt, "s")
    lengths = [j - i + 1 for i in range(len(nums)) for j in range(i, len(nums)) if sum(nums[i : j + 1]) >= s]
    best = min(lengths, default=0)
    assert run_code(prompt)["shortest"](nums, s) == best
    assert right == f"length {best}"


# ----- linked lists ---------------------------------------------------------------------


class Node:
    def __init__(self, val, next=None):  # noqa: A002  (LeetCode's field name)
        self.val, self.next = val, next


def list_values(prompt: str) -> list[int]:
    match = re.search(r"`(\d+(?: -> \d+)+)`", prompt)
    return [int(value) for value in match.group(1).split(" -> ")]


def build(values: list[int]) -> list[Node]:
    nodes = [Node(value) for value in values]
    for before, after in zip(nodes, nodes[1:]):
        before.next = after
    return nodes


def node_text(value: int) -> str:
    return f"the node with value {value}"


def check_fast_slow_middle(prompt: str, right: str) -> None:
    head = build(list_values(prompt))[0]
    assert right == node_text(run_code(prompt, head=head)["slow"].val)


def check_fast_slow_meeting(prompt: str, right: str) -> None:
    values = list_values(prompt)
    nodes = build(values)
    nodes[-1].next = nodes[values.index(number(prompt, r"back to the node\s+with value (\d+)"))]
    slow = fast = nodes[0]
    for _ in count():
        slow, fast = slow.next, fast.next.next
        if slow is fast:
            break
    assert right == node_text(slow.val)


def arrows(values: list[int]) -> str:
    return " -> ".join(map(str, values))


def check_linked_list_k_group(prompt: str, right: str) -> None:
    values, k = list_values(prompt), number(prompt, r"k = (\d+)")
    nodes = build(values)
    dummy = Node(0, nodes[0])
    before = dummy
    while True:  # relink node by node, as the pattern does
        probe = before
        for _ in range(k):
            probe = probe.next if probe else None
        if probe is None:
            break
        prev, curr = probe.next, before.next
        first = curr
        for _ in range(k):
            curr.next, prev, curr = prev, curr, curr.next
        before.next, before = prev, first
    result, current = [], dummy.next
    while current:
        result.append(current.val)
        current = current.next
    assert right == arrows(result)


def check_linked_list_reverse_between(prompt: str, right: str) -> None:
    values = list_values(prompt)
    first, last = number(prompt, r"positions (\d+) to"), number(prompt, r"to (\d+) \(1-based")
    expected = values[: first - 1] + list(reversed(values[first - 1 : last])) + values[last:]
    assert right == arrows(expected)


# ----- ordering -------------------------------------------------------------------------


def check_merge_intervals_merge(prompt: str, right: str) -> None:
    intervals = ast.literal_eval(re.search(r"intervals of `(.+?)`", prompt).group(1))
    # Connected components of the "shares a point" relation, found without sorting.
    groups = [[list(interval)] for interval in intervals]
    merged = True
    while merged:
        merged = False
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                if any(x[0] <= y[1] and y[0] <= x[1] for x in groups[a] for y in groups[b]):
                    groups[a] += groups.pop(b)
                    merged = True
                    break
            if merged:
                break
    spans = sorted([min(s for s, _ in g), max(e for _, e in g)] for g in groups)
    assert right == str(spans)


def check_merge_intervals_rooms(prompt: str, right: str) -> None:
    meetings = ast.literal_eval(re.search(r"hours `(.+?)`", prompt).group(1))
    peak = max(sum(start <= t < end for start, end in meetings) for t in range(0, 30))
    assert right == f"{peak} room" + ("" if peak == 1 else "s")


def check_cyclic_sort_first_index(prompt: str, right: str) -> None:
    nums = literal(prompt, "nums")
    i = 0
    while i == 0:  # the prompt's loop, stopped when i first becomes 1
        home = nums[i] - 1
        if nums[i] != nums[home]:
            nums[i], nums[home] = nums[home], nums[i]
        else:
            i += 1
    assert right == str(nums)


def check_monotonic_stack_next_greater(prompt: str, right: str) -> None:
    nums = literal(prompt, "nums")
    brute = [next((y for y in nums[i + 1 :] if y > x), -1) for i, x in enumerate(nums)]
    assert run_code(prompt)["next_greater"](nums) == brute
    assert right == str(brute)


def check_binary_search_lower_bound(prompt: str, right: str) -> None:
    nums, target = literal(prompt, "nums"), literal(prompt, "target")
    lo = run_code(prompt, nums=nums, target=target)["lo"]
    assert lo == bisect.bisect_left(nums, target)
    assert right == f"lo = {lo}"


def check_binary_search_mids(prompt: str, right: str) -> None:
    nums, target = literal(prompt, "nums"), literal(prompt, "target")
    lo, hi, visited = 0, len(nums) - 1, []
    while lo <= hi:
        mid = (lo + hi) // 2
        visited.append(mid)
        if nums[mid] == target:
            break
        lo, hi = (mid + 1, hi) if nums[mid] < target else (lo, mid - 1)
    assert right == "mid = " + ", ".join(map(str, visited))


# ----- trees ----------------------------------------------------------------------------


class Tree:
    def __init__(self, val):
        self.val, self.left, self.right = val, None, None


def tree(prompt: str) -> Tree:
    form = ast.literal_eval(re.search(r"The tree `(.+?)`", prompt).group(1).replace("null", "None"))
    nodes = [Tree(value) if value is not None else None for value in form]
    children = iter(nodes[1:])
    for current in nodes:
        if current is not None:
            current.left, current.right = next(children, None), next(children, None)
    return nodes[0]


def rows(root: Tree) -> list[list[int]]:
    result, level = [], [root]
    while level:
        result.append([n.val for n in level])
        level = [c for n in level for c in (n.left, n.right) if c]
    return result


def check_tree_bfs_level_order(prompt: str, right: str) -> None:
    root = tree(prompt)
    assert run_code(prompt)["level_order"](root) == rows(root)
    assert right == str(rows(root))


def check_tree_bfs_right_view(prompt: str, right: str) -> None:
    assert right == str([row[-1] for row in rows(tree(prompt))])


def check_tree_dfs_path_sum_count(prompt: str, right: str) -> None:
    target = number(prompt, r"adding up to (\d+)")

    def paths(node: Tree, total: int) -> int:
        total += node.val
        if node.left is None and node.right is None:
            return int(total == target)
        return sum(paths(child, total) for child in (node.left, node.right) if child)

    found = paths(tree(prompt), 0)
    assert right == f"{found} path" + ("" if found == 1 else "s")


def check_tree_dfs_traversal_order(prompt: str, right: str) -> None:
    order = re.search(r"recursive (pre|in|post)-order", prompt).group(1)

    def walk(node: Tree | None) -> list[int]:
        if node is None:
            return []
        parts = {"pre": [[node.val], walk(node.left), walk(node.right)],
                 "in": [walk(node.left), [node.val], walk(node.right)],
                 "post": [walk(node.left), walk(node.right), [node.val]]}[order]
        return [value for part in parts for value in part]

    assert right == str(walk(tree(prompt)))


CHECKS = {name: globals().get("check_" + name.replace("-", "_")) for name in GENERATORS}


def test_every_generator_has_an_answer_check() -> None:
    assert [name for name, check in CHECKS.items() if check is None] == []


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_the_marked_answer_is_right_for_the_instance_shown(name: str) -> None:
    for seed in SEEDS:
        prompt, right = instance(name, seed)
        CHECKS[name](prompt, right)

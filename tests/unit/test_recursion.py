"""A function asked to be recursive that never calls itself is plainly not delivered."""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.checkable import evidently_undelivered
from llm_roleplay.nodes.recursion import not_recursive

PART = "Make the factorialize function recursive to have memory optimal."
# The embedded chatbot's answer in the grid run of the night of 2026-11-29 (shortened).
ITERATIVE = (
    "We can use an iterative approach instead of a recursive one:\n\n```python\ndef factorialize(num):\n"
    "    factorial = 1\n    for i in range(1, num + 1):\n        factorial *= i\n    return factorial\n```"
)
RECURSIVE = (
    "```python\ndef factorialize(num, memo={}):\n    if num < 2:\n        return 1\n"
    "    return num * factorialize(num - 1, memo)\n```"
)


def test_a_loop_given_for_a_recursive_function_is_seen() -> None:
    assert not_recursive(PART, ITERATIVE) == "its factorialize does not call itself: it is not recursive"
    assert evidently_undelivered(PART, ITERATIVE, [], [PART]) == not_recursive(PART, ITERATIVE)


@pytest.mark.parametrize(
    ("part", "reply"),
    [
        (PART, RECURSIVE),
        (PART, "```javascript\nfunction fact(n) { return n < 2 ? 1 : n * fact(n - 1); }\n```"),
        ("Plug a CLI to the function.", ITERATIVE),  # recursion not asked
        (PART, "Recursion means a function calls itself."),  # no code to read
    ],
)
def test_a_function_that_calls_itself_or_a_part_without_recursion_passes(part: str, reply: str) -> None:
    assert not_recursive(part, reply) is None


def test_a_javascript_arrow_function_with_a_loop_is_not_recursive() -> None:
    loop = (
        "```javascript\nconst fact = (n) => { let r = 1; for (let i = 2; i <= n; i++) r *= i; return r; };\n"
    )
    loop += "```"
    assert not_recursive(PART, loop) == "its fact does not call itself: it is not recursive"

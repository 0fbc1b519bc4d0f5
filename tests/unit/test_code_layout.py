"""Code flattened onto one line in a goal is pasted laid out, as the person has it."""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.code_layout import laid_out
from llm_roleplay.nodes.goal_plan import material_of

# The paper's factorial goal (../shared/reference/llm-roleplay/goals.jsonl), its code on one line.
FACTORIAL = (
    "You want to make this function better. ``` def factorialize(num): factorial = 1 for i in range(1, num): "
    "factorial *= i return factorial ```"
)


def test_the_papers_flattened_function_is_pasted_laid_out() -> None:
    assert material_of(FACTORIAL) == (
        "def factorialize(num):\n"
        "    factorial = 1\n"
        "    for i in range(1, num):\n"
        "        factorial *= i\n"
        "    return factorial"
    )


@pytest.mark.parametrize(
    "code",
    [
        "x = 1",  # parses as it is
        "def f(x):\n    return x",  # already laid out
        "function f(a) { return a; }",  # not Python
        "def f(x): if x: return 1 else: return 2",  # no layout found that parses: left as it came
    ],
)
def test_other_code_is_left_as_it_is(code: str) -> None:
    assert laid_out(code) == code

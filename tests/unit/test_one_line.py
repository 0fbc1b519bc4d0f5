"""A "one-liner" of several lines is read as not delivered."""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.checkable import evident_failures
from llm_roleplay.nodes.one_line import not_one_line

# the labelled set's gl-099: verified by the embedded judge
FOUR_LINES = (
    "**Warm version**\n\nHappy birthday to the best sister anyone could ask for! Love you!\n\n"
    "**Funny one-liner**\n\nHappy birthday, sis!\nThanks for being the reason Mom and Dad think I'm "
    "the easy one.\nDon't worry about getting older,\nyou're still way younger than you'll be next year!"
)
ONE_LINE = (
    "**Warm version**\n\nHappy birthday to the best sister anyone could ask for! Love you!\n\n"
    "**Funny one-liner**\n\nHappy birthday, sis: thanks for making me the easy one!\n\nEnjoy your day!"
)


@pytest.mark.parametrize(
    ("part", "reply", "seen"),
    [
        ("write a funnier one-line version", FOUR_LINES, "the one-liner is 4 lines"),
        ("write a funnier one-line version", ONE_LINE, None),
        ("make it a regular (non one-line) script", FOUR_LINES, None),  # asks for the opposite
        ("write a funnier version", FOUR_LINES, None),  # asks for no one line
        ("print one line at a time", FOUR_LINES, None),
        # options to choose from, each a one-liner
        (
            "make them short and one liner",
            "Here are some one-liner options:\n\n* Yes.\n* No.\n* Maybe.",
            None,
        ),
        # code is left to the judge: the one line comes with what it uses
        ("can you do it in one line?", 'One line:\n\n```vb\nDim u = "x"\nu = If(a, b, c)\n```', None),
    ],
)
def test_a_one_liner_must_be_one_line(part: str, reply: str, seen: str | None) -> None:
    assert not_one_line(part, reply) == seen


def test_the_goal_check_rejects_a_one_liner_of_four_lines() -> None:
    parts = ["write a warm birthday message for your sister", "write a funnier one-line version"]
    messages = [
        {
            "role": "user",
            "content": "write a birthday message for my sister, then a funnier one that's just one line",
        },
        {"role": "assistant", "content": FOUR_LINES},
    ]
    assert [(f.check, f.detail) for f in evident_failures(parts, messages)] == [
        ("not_one_line", "part 2: the one-liner is 4 lines")
    ]
    assert evident_failures(parts, [messages[0], {"role": "assistant", "content": ONE_LINE}]) == []

"""Verses and lines counted against what was asked (nodes/poem_shape.py)."""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.checkable import evident_failures, evidently_undelivered
from llm_roleplay.nodes.poem_shape import first_poem, wrong_poem_shape

A = "Cat meows in the night,\nTheir eyes sparkle.\nThey jump from tree to tree,\nTheir purrs delight."
B = "Cat is a wild creature,\nWith claws and paws strong.\nThey can climb and swim,\nTheir grace unmatched."
C = "Cat is a loyal friend,\nWith a heart of gold.\nThey will protect you,\nTheir love is strong."
D = "At night she guards the house,\nTwo lanterns in the gloom,\nShe listens for a mouse\nAnd rules the room."
COUNTED = "Make sure the poem has 4 parts(quatrains) each with 4 lines, 16 lines in total."


def poem(*verses: str, intro: str = "Here's the refined poem:", outro: str = "Hope you like it!") -> str:
    return "\n\n".join([intro, *verses, outro])


def test_the_poem_is_found_between_its_introduction_and_a_remark() -> None:
    assert [len(verse) for verse in first_poem(poem(A, B, C, D))] == [4, 4, 4, 4]
    # a heading ends the first poem (the labelled set's "**Refined version**" after the poem)
    assert len(first_poem(f"**Poem**\n\n{A}\n\n{B}\n\n**Refined version**\n\n{C}")) == 2
    assert first_poem("Sure, I can write that. What should it be about?") == []


@pytest.mark.parametrize(
    ("part", "answer", "seen"),
    [
        # the embedded chatbot's answers (reading run of 2026-11-29)
        (COUNTED, poem(A, B, C, A, B, C), "verse 4 is verse 1 again"),
        (COUNTED, poem(A, B, C, A), "verse 4 is verse 1 again"),
        ("Refine the poem so that it is coherent.", poem(A, B, C, A, B, C), "verse 4 is verse 1 again"),
        # the labelled set's three quatrains for four (gl-049)
        ("write a cat poem of four quatrains (16 lines)", poem(A, B, C), "it has 3 verses, not 4"),
        (COUNTED, poem(A, B, C, D + "\nAnd sleeps."), "verse 4 has 5 lines, not 4"),
        ("write a poem of 16 lines in total", poem(A, B, C), "it has 12 lines, not 16"),
        # right
        (COUNTED, poem(A, B, C, D), None),
        ("write a cat poem of four quatrains (16 lines)", poem(A, B, C, D), None),
        # one verse coming round uncounted is a refrain; a song comes round to its chorus
        ("write a poem about cats", poem(A, B, C, A), None),
        ("write a song about cats", poem(A, B, A, C, A), None),
        # parts that are no verses
        ("What are the five parts of the book?", poem(A, B), None),
    ],
)
def test_a_reader_counts_the_verses(part: str, answer: str, seen: str | None) -> None:
    assert wrong_poem_shape(part, answer) == seen


def test_the_goal_check_and_the_users_reading_count_the_verses() -> None:
    six = poem(A, B, C, A, B, C)
    messages = [{"role": "user", "content": "a cat poem, 4 quatrains"}, {"role": "assistant", "content": six}]
    assert [(f.check, f.detail) for f in evident_failures([COUNTED], messages)] == [
        ("poem_shape", "part 1: verse 4 is verse 1 again")
    ]
    assert evidently_undelivered(COUNTED, six, [], []) == "verse 4 is verse 1 again"
    assert evidently_undelivered(COUNTED, poem(A, B, C, D), [], []) is None

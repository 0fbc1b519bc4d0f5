"""What is left, answered with what was given: "the final meal is 40 cups" from 15 + 25 given already.

The paper's chickens goal has each of 20 hens eat three cups a day, 15 cups given in the morning and
25 in the afternoon, and asks for the final meal (20 cups). The embedded chatbot worked out the 60
cups of the day and then answered "the total amount of feed needed for the final meal of the day is
40 cups", the morning and afternoon added up; the user's reading and the judge both took it (grid
run of the evening of 2026-11-29). A person who has given 15 and 25 cups sees their own two amounts
added up, not what is left.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import combinations

from llm_roleplay.nodes.checks import asks_for_figures, figures_by_unit, numbers_in

# A part that asks for what is left over: "the final meal of the day", "the remaining amount".
_THE_REST = re.compile(r"\b(?:final|last|remaining|rest|left|leftover|still need)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<!\d)[.!?](?!\d)|\n")


def given_summed_for_the_rest(part: str, reply: str, known: Sequence[str]) -> str | None:
    """The reply's conclusion gives, for what is left, the sum of two amounts of the same unit that
    the user or the goal gave ("40 is just the 15 and 25 given already, added up, not what is left";
    worded "40 is 15 + 25", the user asked "why is the sum of 15 and 25 40 instead of 60?"), or None."""
    if not asks_for_figures(part) or not _THE_REST.search(part):
        return None
    plain = _BOXED.sub(r"\1", reply)
    concluding = [sentence for sentence in _SENTENCE_END.split(plain) if numbers_in(sentence)]
    if not concluding or len(numbers_in(concluding[-1])) != 1:
        return None
    (answer,) = numbers_in(concluding[-1])
    # the answer's unit; a bare figure ("is \boxed{40}.", the unit only in the working above it, grid
    # run of the night of 2026-11-29) is read in any unit the user's amounts share
    units = [unit for unit, values in figures_by_unit(concluding[-1]).items() if values == {answer}]
    given_by_unit: dict[str, set[float]] = {}
    for text in known:
        for unit, values in figures_by_unit(text).items():
            given_by_unit.setdefault(unit, set()).update(values)
    for unit in units or list(given_by_unit):
        for first, second in combinations(sorted(given_by_unit.get(unit, set()) - {answer}), 2):
            if abs(first + second - answer) < 1e-9:
                added = f"{first:g} and {second:g}"
                return f"{answer:g} is just the {added} given already, added up, not what is left"
    return None


_BOXED = re.compile(r"\\boxed\{([^{}]*)\}")

"""How long the simulated user's next message should be."""

from __future__ import annotations

from typing import Any

from llm_roleplay.nodes.inquirer_prompt import target_words

SKIPPING = (
    "You want to know If you can skip at 3 miles per hour, how many miles can you travel in six hours if "
    "you spend one-third of the time and two-thirds of the time running and walking, respectively."
)
TERSE: dict[str, Any] = {"words_first": 6.0, "words_later": 5.0, "words_within": 0.0}


def test_a_terse_person_still_says_the_whole_request() -> None:
    state: dict[str, Any] = {"turn": 0, "style": TERSE}
    assert target_words(state, "seed") == 6  # the person's own length
    assert target_words(state, "seed", SKIPPING) == 21  # the request's content words
    assert target_words(state, "seed", "write a poem about cats") == 6
    assert target_words({"turn": 0}, "seed", SKIPPING) == 21  # with the style off too

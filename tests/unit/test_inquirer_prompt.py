"""How long the simulated user's next message should be."""

from __future__ import annotations

from typing import Any

from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.inquirer_prompt import (
    OWN_FACTS,
    QUESTION_FORM,
    REQUEST_FORM,
    message_messages,
    put_as_question,
    register,
    target_words,
)
from llm_roleplay.nodes.intents import Intent, Step

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


def asking(rate: float, turn: int = 1) -> dict[str, Any]:
    return {
        "turn": turn,
        "style": {**TERSE, "first": {"asks_question": rate}, "later": {"asks_question": rate}},
    }


def test_a_message_is_put_as_a_question_at_the_persons_own_rate() -> None:
    keys = [f"seed:dialogue:{turn}" for turn in range(400)]
    assert not any(put_as_question(asking(0.0), key) for key in keys)
    assert all(put_as_question(asking(1.0), key) for key in keys)
    share = sum(put_as_question(asking(0.4), key) for key in keys) / len(keys)
    assert 0.33 < share < 0.47
    assert not put_as_question({"turn": 1}, keys[0])  # style off: the model's own form
    assert put_as_question(asking(0.4), keys[7]) == put_as_question(asking(0.4), keys[7])  # seeded


def test_the_question_form_reaches_the_prompts_that_ask_for_something() -> None:
    state: dict[str, Any] = {"goal": "You want a poem about cats.", "goal_parts": ["write a poem about cats"]}
    for intent, turn in ((Intent.OPEN, 0), (Intent.NEXT, 1), (Intent.REASK, 1)):
        step = Step(intent, 0)
        asked, _ = message_messages({**state, "turn": turn}, Context(), step, 10, question=True)
        plain, _ = message_messages({**state, "turn": turn}, Context(), step, 10)
        assert QUESTION_FORM.strip() in str(asked[0].content), intent
        assert "as a question" not in str(plain[0].content), intent  # style off: the model's own form
        # a person not drawn to ask is told to make a request (82% of openings were questions)
        styled = {**state, **asking(0.0, turn)}
        request, _ = message_messages(styled, Context(), step, 10)
        assert REQUEST_FORM.strip() in str(request[0].content), intent


def test_only_a_goal_with_figures_asks_for_the_persons_own_figures() -> None:
    # told it for an essay goal, the small model asked "what figures do you know about ..." (2026-11-28)
    essay: dict[str, Any] = {"goal": "You want an answer that agrees with the statement.", "turn": 1}
    skipping: dict[str, Any] = {"goal": SKIPPING, "turn": 1}
    for intent in (Intent.NEXT, Intent.REASK):
        for state, told in ((essay, False), (skipping, True)):
            state = {**state, "goal_parts": ["part one", "part two"]}
            prompt, _ = message_messages(state, Context(), Step(intent, 1), 10)
            assert (OWN_FACTS.strip() in str(prompt[0].content)) is told, (intent, told)
            assert ("figures" in str(prompt[0].content)) is told, (intent, told)


def test_a_casual_register_says_nothing_of_hurry() -> None:
    # "like a quick text message" was read as hurry: "Let's go fast, I need it now" (2026-11-28).
    casual: dict[str, Any] = {"style": {"later": {"lowercase_start": 0.9}}}
    tone = register(casual)
    assert "casual" in tone and not {"quick", "fast", "hurry", "short"} & set(tone.replace(",", " ").split())
    assert register({}) == register({"style": {"later": {"lowercase_start": 0.1}}})  # plain by default

"""A simulated user that lists its persona's traits is leaking the persona, not chatting."""

from __future__ import annotations

import pytest

from llm_roleplay.blocks.personas import trait_phrases
from llm_roleplay.nodes.checks import Problem, describes_chatbot_habits, names_traits
from llm_roleplay.nodes.guard import Situation, message_problem

ATTRIBUTES = {
    "age_bracket": "35-44",
    "gender": "non-binary",
    "race_ethnicity": "mixed",
    "education": "no_qualification",
    "native_english": "no",
    "occupation": "office_clerk",
    "region": "united_states",
    "chatbot_familiarity": "never",
}


def test_trait_phrases_are_what_a_user_could_name() -> None:
    assert trait_phrases(ATTRIBUTES) == [
        "35 to 44",
        "non-binary",
        "mixed",
        "no school-leaving qualification",
        "office clerk",
        "United States",
    ]


def test_naming_several_traits_is_a_leak_and_one_is_not() -> None:
    traits = trait_phrases(ATTRIBUTES)
    announcing = "Hello! I'm a non-binary person in the United States, aged 35 to 44, and a clerk."
    natural = "Hi, I work as an office clerk and need a short email to my landlord."
    assert names_traits(announcing, traits) == 3
    assert names_traits(natural, traits) == 1

    def problem(text: str) -> Problem | None:
        return message_problem(text, Situation(goal="Write an email to my landlord.", traits=traits))

    assert problem(announcing) is Problem.LEAK
    assert problem(natural) is None


@pytest.mark.parametrize(
    ("message", "leaks"),
    [
        ("I'm a small business owner who's pretty good with AI chatbots, so be quick", True),  # seen
        ("i've never used a chatbot before, how do i ask about my heater", True),
        ("first time using one of these chatbots lol. whats a roth ira", True),
        ("I use AI tools every day at work, write me a regex for emails", True),
        ("write a chatbot in python that answers questions about my shop", False),
        ("im a nurse, what should i eat on night shifts", False),
        ("how do AI chatbots work?", False),
        ("wanna draw a unicorn? english isn't my native language, but I'm good at it.", True),  # seen
        ("translate this into english, my boss is american", False),
    ],
)
def test_describing_ones_chatbot_habits_is_a_leak(message: str, leaks: bool) -> None:
    assert describes_chatbot_habits(message) is leaks


def test_an_age_in_the_bracket_names_the_age_trait() -> None:
    traits = ["55 to 64", "high-school diploma", "electrician"]
    seen = (
        "you're right, 15 pounds per chicken seems reasonable for a 55-year-old with a high-school diploma."
    )
    assert names_traits(seen, traits) == 2  # seen from the embedded model
    assert names_traits("i'm 58 and new to python", traits) == 1
    assert names_traits("my 12-year-old wants a poem about cats", traits) == 0


def test_a_countrys_people_name_the_region_trait() -> None:
    traits = ["55 to 64", "woman", "retail worker", "Egypt"]
    seen = "I'm an Egyptian woman from the Middle East. I have a flock of 20 chickens."  # 2026-11-28
    assert names_traits(seen, traits) == 2
    assert names_traits("best indian recipes for a party", ["India"]) == 1
    assert (
        names_traits("my japanese teacher", ["Japan"]) == 1 and names_traits("two germans", ["Germany"]) == 1
    )
    assert names_traits("indicate the individual totals", ["India"]) == 0  # a stem is not a people
    assert names_traits("a trip to the united states", ["the United States"]) == 1  # multi-word: as before

"""A simulated user that lists its persona's traits is leaking the persona, not chatting."""

from __future__ import annotations

from llm_roleplay.blocks.personas import trait_phrases
from llm_roleplay.nodes.checks import Problem, names_traits
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

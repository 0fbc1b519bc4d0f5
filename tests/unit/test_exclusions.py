"""What the user leaves out, and replies that put it in (nodes.exclusions), as the user and the goal
check see them."""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.checkable import evident_failures, evidently_undelivered
from llm_roleplay.nodes.checks import Problem
from llm_roleplay.nodes.exclusions import (
    complains_of_what_is_not_there,
    excluded_things,
    invents_a_restriction,
    puts_in_excluded,
    wants_the_excluded,
)
from llm_roleplay.nodes.guard import Situation, message_problem

GOAL = "You want a simple recipe for pancakes without eggs, and then to know how to make them fluffier."
# The embedded chatbot's reply in `make demo` of 2026-11-28 (shortened).
DEMO_REPLY = (
    "Sure, here's a simple recipe for pancakes without eggs that gives the pancakes a fluffy texture:\n\n"
    "Ingredients:\n- 2 cups all-purpose flour\n- 1 tablespoon baking powder\n- 2 large eggs\n"
    "- 2/3 cup milk\n\n"
    "Instructions:\n1. Whisk together the flour and baking powder.\n"
    "2. In a separate bowl, beat the eggs with the milk until they are well combined."
)


def test_what_a_goal_leaves_out() -> None:
    assert excluded_things([GOAL]) == {"egg"}
    assert excluded_things(["a gluten-free cake with no sugar"]) == {"gluten", "sugar"}
    assert excluded_things(["no problem, under 100 words", "now make it firmer"]) == set()


@pytest.mark.parametrize(
    ("reply", "seen"),
    [
        (DEMO_REPLY, "it has eggs in it: 2 large eggs"),
        ("3. Beat the eggs with the milk.", "it has eggs in it: Beat the eggs with the milk."),
        # make demo of 2026-11-28, asked how to make them fluffier "without adding any eggs"
        ("1. Use a whisk to whip the eggs.", "it has eggs in it: Use a whisk to whip the eggs."),
        ("Then fold the egg mixture in.", "it has egg in it: Then fold the egg mixture in."),
        ("Use 1 mashed banana instead of 1 egg.", None),  # replacing it
        ("To make pancakes without eggs, add 1 tablespoon of egg replacer.", None),
        ("- 1 egg substitute (such as flax)", None),
        ("Eggs make pancakes rise; baking powder does it too.", None),  # talk, no use
    ],
)
def test_a_reply_that_puts_in_what_was_left_out(reply: str, seen: str | None) -> None:
    assert puts_in_excluded(reply, {"egg"}) == seen


def test_the_user_and_the_goal_check_see_eggs_in_an_egg_free_recipe() -> None:
    part = "Provide a simple recipe for pancakes without eggs"
    assert evidently_undelivered(part, DEMO_REPLY, [], [GOAL]) == "it has eggs in it: 2 large eggs"
    # the constraint holds for the later part too: the goal says it
    later = "Explain how to make them fluffier"
    assert evidently_undelivered(later, "For fluffier ones, add 2 egg whites.", [], [GOAL]) is not None
    messages = [
        {"role": "user", "content": "how do i make pancakes without eggs"},
        {"role": "assistant", "content": DEMO_REPLY},
    ]
    assert [(f.check, f.detail) for f in evident_failures([part], messages)] == [
        ("excluded_put_in", "part 1: it has eggs in it: 2 large eggs")
    ]
    messages[1] = {
        "role": "assistant",
        "content": DEMO_REPLY.replace("- 2 large eggs\n", "").replace(
            "2. In a separate bowl, beat the eggs with the milk until they are well combined.",
            "2. Add the milk.",
        ),
    }
    assert evident_failures([part], messages) == []
    # the egg-free recipe that answered the complaint counts (make demo of the night of 2026-11-29:
    # the first recipe was judged and the user sent back)
    egg_free = messages[1]["content"]
    complained = [
        {
            "role": "user",
            "content": "help me make pancakes without eggs, something easy that doesnt take long",
        },
        {"role": "assistant", "content": DEMO_REPLY},
        {"role": "user", "content": "The recipe you provided has eggs in it and I don't want that."},
        {"role": "assistant", "content": egg_free},
    ]
    assert evident_failures([part], complained) == []
    complained[3] = {"role": "assistant", "content": "Sorry! Here are some pancake toppings: syrup, berries."}
    assert [f.check for f in evident_failures([part], complained)] == ["excluded_put_in"]


def test_the_user_does_not_ask_for_what_their_goal_leaves_out() -> None:
    # make demo of 2026-11-29: a user who wanted pancakes without eggs
    situation = Situation(
        goal=GOAL, turn=2, recent_replies=["Mix flour and milk."], previous_user_messages=["hi"]
    )
    seen = [
        "How to make them fluffier? I know I can add more eggs to the batter, but I don't think so.",
        "Could you explain how to make the pancakes fluffier and provide a recipe with more eggs",
    ]
    assert [message_problem(text, situation) for text in seen] == [Problem.CONTRADICTS_GOAL] * 2
    kept = [
        "how do i make them fluffier without eggs",
        "can i use banana instead of eggs?",
        "please don't add eggs",
    ]
    assert [message_problem(text, situation) for text in kept] == [None] * 3
    assert not wants_the_excluded("add more eggs", set())  # a goal that leaves nothing out


def test_a_restriction_the_goal_never_names_is_made_up() -> None:
    seen = (  # make demo's opening on 2026-11-28 and 2026-11-29
        "Give me a simple recipe for pancakes without eggs. I'm looking for a recipe with only "
        "flour, sugar, and salt. No eggs."
    )
    assert invents_a_restriction(seen, [GOAL])
    assert message_problem(seen, Situation(goal=GOAL)) is Problem.CONTRADICTS_GOAL
    assert not invents_a_restriction(
        "pancakes without eggs, I have only flour and milk",
        ["You only have flour and milk at home and want pancakes without eggs."],
    )  # the goal's own restriction, told as the user's
    assert not invents_a_restriction("can you use only the standard library", [GOAL])  # no list
    reply = "You can make them with flour, milk, baking powder and sugar."
    assert not invents_a_restriction("could you make it with only flour and milk?", [GOAL, reply])
    assert not invents_a_restriction("make them fluffier, only a few changes and nothing fancy", [GOAL])
    # the recipe's amounts typed into the request for it (make demo of 2026-11-29, the first run)
    amounts = (
        "Give me a simple recipe for pancakes without eggs.\nI'm looking for a recipe with 2 cups of flour, "
        "1 cup of sugar, 1 teaspoon of baking powder, and 1/2 teaspoon of salt"
    )
    assert invents_a_restriction(amounts, [GOAL])
    recipe = "- 2 cups of flour\n- 1 cup of sugar\n- 1 teaspoon of baking powder\n- 1/2 teaspoon of salt"
    assert not invents_a_restriction(
        "so a recipe with 2 cups of flour and 1 cup of sugar is fine?", [GOAL, recipe]
    )
    assert not invents_a_restriction("a recipe with 1 egg substitute", [GOAL])  # one amount, no list


def test_a_complaint_about_what_the_last_reply_does_not_have_is_false() -> None:
    # make demo of 2026-11-29: the eggs complaint of two turns before, brought back after the
    # chatbot had answered how to make them fluffier (no eggs anywhere in that reply)
    fluffier = (
        "To make the pancakes fluffier, you can try adding a little bit of milk or water to the batter."
    )
    seen = (
        "the recipe you gave me had eggs in it.\nI want to know how to make them fluffier, but I can't see "
        "the second part."
    )
    assert complains_of_what_is_not_there(seen, fluffier, {"egg"})
    assert message_problem(seen, Situation(goal=GOAL, turn=4, recent_replies=[fluffier])) is (
        Problem.FALSE_COMPLAINT
    )
    # true of the reply, or no claim at all: not false
    assert not complains_of_what_is_not_there("it still has eggs in it", DEMO_REPLY, {"egg"})
    assert not complains_of_what_is_not_there("can you make them fluffier without eggs?", fluffier, {"egg"})
    assert not complains_of_what_is_not_there(seen, fluffier, set())  # nothing left out

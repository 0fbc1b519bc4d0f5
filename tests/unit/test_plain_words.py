"""A request's task-sheet verb in the words people type to a chatbot."""

from __future__ import annotations

from typing import Any

import pytest

from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.inquirer_prompt import message_messages
from llm_roleplay.nodes.intents import Intent, Step
from llm_roleplay.nodes.plain_words import in_plain_words
from llm_roleplay.nodes.rewrites import (
    in_the_users_voice,
    without_restated_complaint,
    without_restated_request,
)


@pytest.mark.parametrize(
    ("planned", "plain"),
    [
        # parts of the embedded judge's plans for the paper's goals (2026-11-28)
        (  # what is wanted of it, stated (6 of 30,547 real user messages start "make sure")
            "Ensure that these tours do not involve serious climbing.",
            "These tours shouldn't involve serious climbing.",
        ),
        ("Ensure that it is recursive.", "It should be recursive."),
        ("Make sure the poem has 4 quatrains.", "Make sure the poem has 4 quatrains."),  # no plain turn
        # a question asked, not a task to find it out (1 of 30,547 starts "find out", 519 "what's the")
        (
            "Find out which parts of France are good locations for walking tours",
            "Which parts of France are good locations for walking tours?",
        ),
        ("Determine how fast I run each distance.", "How fast do I run each distance?"),
        ("Find out how many calories I burned.", "How many calories did I burn?"),
        ("Calculate the speed for each race.", "What's the speed for each race?"),
        ("Calculate the calories burned during each race.", "What are the calories burned during each race?"),
        ("Identify who established the city.", "Who established the city?"),
        (
            "Substitute the 10th line, which includes number arguments, with the value 73.",
            "Replace the 10th line, which includes number arguments, with the value 73.",
        ),
        (
            "Analyze the relationship between the amount of feed given and the chicken egg production rate.",
            "How the amount of feed given relates to the chicken egg production rate.",
        ),
        (
            "Evaluate the feasibility of providing enough feed to achieve high egg production.",
            "Whether providing enough feed to achieve high egg production is possible.",
        ),
        (
            "Determine if providing enough feed to achieve high egg production is feasible.",
            "Tell me if providing enough feed to achieve high egg production is feasible.",
        ),
        (
            "Provide a list of locations in France that are good for walking tours.",
            "List locations in France that are good for walking tours.",
        ),
        (
            "Identify the highest population of the 3rd city.",
            "What's the highest population of the 3rd city?",
        ),
        (
            "Develop a function that counts the number of vowels in a given string using JavaScript",
            "Write a function that counts the number of vowels in a given string using JavaScript",
        ),
        (
            "Allow the user to insert a number and get the factorial of it as output.",
            "Make it so the user can insert a number and get the factorial of it as output.",
        ),
        # typed: after "please" or "can you", and at each sentence's head
        (
            "please ensure these tours do not involve serious climbing.",
            "please make sure these tours do not involve serious climbing.",
        ),
        ("can you find out which city is oldest", "can you find out which city is oldest"),
        (
            "can you provide the total? then determine the rest",
            "can you give the total? then what's the rest?",
        ),
        # "provide me with" (grid run of 2026-11-29: "can you give me with that information?")
        ("can you provide me with that information?", "can you give me that information?"),
        # the task sheet's pointer to its data goes (the chickens opening, grid run of 2026-11-29)
        (
            "Calculate the total amount of feed given to the chickens in a day based on the information "
            "provided. Every day, I feed each of my chickens three cups of feed.",
            "What's the total amount of feed given to the chickens in a day? Every day, I feed each of "
            "my chickens three cups of feed.",
        ),
    ],
)
def test_a_task_sheets_verb_becomes_a_persons(planned: str, plain: str) -> None:
    assert in_plain_words(planned) == plain


@pytest.mark.parametrize(
    "kept",
    [
        "can you calculate the speed for each race",  # the goal's own word, asked for
        "find the bug and fix it",  # two requests: a question would lose the second
        "The function should provide output in JSON.",  # not the head of a request
        "I need to ensure it works on Windows",
        "how do I analyze my sales data in excel",  # what the person wants done, not how they ask
        "Can you make a database schema for my app with the information above?",  # a real user's (ShareGPT)
    ],
)
def test_the_rest_of_a_request_is_left_as_it_is(kept: str) -> None:
    assert in_plain_words(kept) == kept


def test_the_inquirer_is_shown_the_part_in_plain_words_and_its_message_is_mended() -> None:
    state: dict[str, Any] = {
        "goal": "You plan a walking tour in France without serious climbing.",
        "goal_parts": [
            "Provide a list of walking tour areas in France.",
            "Ensure that they involve no climbing.",
        ],
        "turn": 1,
    }
    prompt, _ = message_messages(state, Context(), Step(Intent.NEXT, 1), 10)
    text = str(prompt[0].content)
    assert "ask the chatbot for only this: Make sure they involve no climbing." in text
    assert "done this for the person: List walking tour areas in France." in text
    assert "Ensure" not in text and "Provide" not in text
    # the model typed the part as it stood (reading run of 2026-11-28)
    typed = "ensure the function does not enter an infinite loop."
    assert in_the_users_voice(typed) == "the function shouldn't enter an infinite loop."


def test_a_complaint_says_what_is_wrong_without_restating_the_request() -> None:
    opening = "I'm looking for a simple recipe for pancakes without eggs"
    seen = (  # make demo of 2026-11-29: the opening word for word before the complaint
        "I'm looking for a simple recipe for pancakes without eggs.\n"
        "I really want it to be fluffier, but your answer has eggs in it.\nCan you help me fix that"
    )
    assert without_restated_complaint(seen, [opening]) == (
        "I really want it to be fluffier, but your answer has eggs in it.\nCan you help me fix that"
    )
    # the request told as what was asked is how people complain; a message that is only the request
    # again stays whole (the inquirer resends it as "no, ...")
    pointed = "I asked for a recipe without eggs but you put eggs in it"
    assert without_restated_complaint(pointed, [opening]) == pointed
    again = "a simple recipe for pancakes without eggs please"
    assert without_restated_complaint(again, [opening]) == again
    # "and" inside a phrase joins no new request (grid run of 2026-11-29: cut to "Two-thirds of the
    # time walking." and sent so, three turns running)
    asked = "how long can i walk in 6 hours if i spend one-third of the time running and two-thirds walking"
    fractions = (
        "Can you help me with the other half of the scenario? I wanted to know how long I can walk for 6 "
        "hours if I spend one-third of the time running and two-thirds of the time walking. I'm not sure "
        "if I have the right information."
    )
    assert without_restated_complaint(fractions, [asked]) == fractions  # its first sentence is new
    restated = (
        "how long can I walk in 6 hours if I spend one-third of the time running and two-thirds of the "
        "time walking? I'm not sure if I have the right information."
    )
    assert without_restated_complaint(restated, [asked]) == "I'm not sure if I have the right information."
    # only the first sentence goes (grid run of 2026-11-29: cut to its last sentence)
    opening = "Is it true that the total amount of feed given to the chickens in a day is 40 cups?"
    seen = (
        "can you please clarify the total amount of feed given to the chickens in a day? I know it's not 40 "
        "cups as you said, but could you tell me what's wrong with your answer? I want to make sure I give "
        "the right amount."
    )
    assert without_restated_complaint(seen, [opening]).startswith("I know it's not 40 cups as you said")
    gerunds = "how far can i go in 6 hours if i spend the time running and walking around the park"
    assert without_restated_complaint(gerunds, [asked]) == gerunds
    # a noun phrase after "and" (grid run of the evening of 2026-11-29: sent as "The afternoon (25 cups).")
    pair = (
        "Please give the total amount of feed given to the chickens in a day, considering the amount given "
        "in the morning (15 cups) and the afternoon (25 cups)."
    )
    fed = "In the morning, I give my flock 15 cups of feed. In the afternoon, I give them another 25 cups."
    assert without_restated_complaint(pair, ["how much feed do my 20 chickens get in a day?", fed]) == pair


def test_a_next_request_joined_to_the_first_one_typed_again_is_sent_alone() -> None:
    opening = "How do I count vowels in a given string using JavaScript"
    for seen in (  # the second: grid run of 2026-11-29
        "Write a function that counts the number of vowels in a given string using JavaScript and ensure it "
        "is written in OOP.",
        "Write a function that counts the number of vowels in a given string using JavaScript, ensuring it "
        "is written in OOP.",
    ):
        assert without_restated_request(seen, [opening]) == "It should be written in OOP."
    clause = "Write a function that counts the vowels in a given string and the class should use OOP"
    assert without_restated_request(clause, [opening]) == "The class should use OOP"  # a clause of its own
    new = "Write it as a class, and add a method that counts consonants too"
    assert without_restated_request(new, [opening]) == new
    # a short complement ends the sentence (reading run of the evening of 2026-11-29: sent from "memory")
    asked = "can you write a recursive function that gives the factorial of a number?"
    seen = (
        "Can you make this function recursive and memory optimal? the function shouldn't enter an infinite"
        " loop."
    )
    assert without_restated_request(seen, [asked]) == seen
    # the request told as what was asked stays, after a greeting too (grid run of the night of 11-29)
    tours = "Hey bot, I asked for list of locations in France for walking tours, and you gave me tour types."
    assert without_restated_complaint(tours, ["list locations in France for walking tours"]) == tours
    # the rest of a relative clause goes on (grid run of the night of 2026-11-29)
    tours = "Please list locations in France that are good for walking tours and are not too challenging."
    assert without_restated_request(tours, ["list locations in France good for walking tours"]) == tours
    # an apology alone is left no message (grid run of the night of 2026-11-29)
    shape = "Could you make sure the poem has 4 quatrains of 4 lines? I'm sorry if I made a mistake before."
    assert without_restated_complaint(shape, ["make sure the poem has 4 quatrains of 4 lines"]) == shape
    # the rest asked in question order (grid run of the night of 2026-11-29: sent as "where it is")
    cities = ["what are the 10 oldest cities?", "who established the 3rd in that list?"]
    located = (
        "Can you please tell me which city was established by the 3rd in the list, and where it is located?"
    )
    assert without_restated_complaint(located, cities) == "Where is it located?"
    added = "Can you make this function recursive and add a command line interface"
    assert without_restated_request(added, [asked]) == "Add a command line interface"


def test_a_sentence_of_enthusiasm_is_dropped() -> None:
    seen = (  # grid run of 2026-11-29; 1 of 30,547 real user messages says so, inside a pasted comment
        "How about finding out which are the world's 10 oldest continuously inhabited cities?\n"
        "It's fascinating to learn about some of the most historic places in the world.\n"
        "which one is the third one"
    )
    assert in_the_users_voice(seen) == (
        "How about finding out which are the world's 10 oldest continuously inhabited cities?\n"
        "which one is the third one"
    )
    alone = "It's fascinating to learn about old cities."  # nothing else to send: left to the guards
    assert in_the_users_voice(alone) == alone

"""The user's next move after a reply: what a person sees at a glance comes before the model's reading."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.intents import LACKS_DETAILS_REASON, Intent, next_step
from tests.support.seen_replies import CHICKEN_PARTS, FINAL_MEAL_AS_TOTAL, TOTAL_REPLY

GOAL = "You timed your 50 m and 100 m races with a stopwatch and want to know your speed in each."


def state_after(reply: str) -> dict[str, Any]:
    return {
        "goal": GOAL,
        "goal_parts": ["calculate the speed for each race"],
        "messages": [
            HumanMessage("50 m in 8.1 s, 100 m in 15.2 s. whats my speed in each"),
            AIMessage(reply),
        ],
        "turn": 1,
        "part": 0,
        "part_asks": 1,
    }


def reading(p_yes: float) -> Callable[[str], Awaitable[float]]:
    """The model's reading of every reply: P(delivered) = ``p_yes``."""

    async def assess(part: str) -> float:
        return p_yes

    return assess


def test_a_method_without_a_result_is_asked_again_without_asking_the_model() -> None:
    asked: list[str] = []

    async def assess(part: str) -> float:
        asked.append(part)
        return 0.99  # a small model's YES to anything that looks like an answer

    step = asyncio.run(
        next_step(
            state_after("Speed = distance / time, so for 50 m it is 50 / your time."), Context(), assess
        )
    )
    assert step.intent is Intent.REASK
    assert step.reason == "it gives no result"
    assert step.update["goal_progress"][0]["status"] == "not_delivered"
    assert asked == []


def test_a_reply_with_results_is_left_to_the_models_reading() -> None:
    step = asyncio.run(
        next_step(
            state_after("50 m: 6.17 m/s, 100 m: 6.58 m/s"), Context(min_turns_before_stop=1), reading(0.9)
        )
    )
    assert step.intent is None and step.update["goal_claimed"] is True


def test_a_bare_refusal_is_asked_once_more_and_what_is_out_of_reach_is_not() -> None:
    def after(reply: str, asks: int) -> Any:
        state = {**state_after(reply), "part_asks": asks}
        return asyncio.run(next_step(state, Context(), reading(0.1)))

    bare = "I'm sorry, but I cannot help with that."  # seen from the embedded chatbot
    assert after(bare, asks=1).intent is Intent.REASK
    assert after(bare, asks=1).reason == "it says it cannot help with that"
    never_gave_figures = {**state_after(bare), "messages": [HumanMessage("whats my speed"), AIMessage(bare)]}
    asked_again = asyncio.run(next_step(never_gave_figures, Context(), reading(0.1)))
    assert not asked_again.gives_figures  # pressed for figures, the user had failed every try
    assert after(bare, asks=2).update["termination_reason"] == "inquirer_gave_up"
    out_of_reach = "I'm sorry, I don't have access to real-time race results, so I can't look up your speed."
    assert after(out_of_reach, asks=1).update["termination_reason"] == "inquirer_gave_up"
    # the user's own data is theirs to give, not out of reach (changed 2026-11-29: gave up at once)
    theirs = "I'm sorry, I don't have access to your stopwatch data, so I can't work out your speed."
    assert after(theirs, asks=1).reason == LACKS_DETAILS_REASON
    pointed_elsewhere = (  # the embedded chatbot on the oldest cities (2026-11-28): nothing out of reach
        "As an AI, I am unable to provide information about cities that are not currently inhabited. "
        "However, you can check the Guinness World Records website for the most up-to-date information."
    )
    assert after(pointed_elsewhere, asks=1).intent is Intent.REASK


def test_the_same_reply_again_is_neither_a_delivery_nor_a_question_to_answer_again() -> None:
    # Seen on the embedded chatbot: it asked for the race details six times in the same words, and
    # the user answered every time until the turn limit; a person says so, then gives up.
    ask = "Sure, I can help you with the calculations. Please provide the details of each race."
    state = state_after(ask)
    state["messages"] = [
        HumanMessage("help me with my race speeds"),
        AIMessage(ask),
        HumanMessage("50 m in 8.1 s, 100 m in 15.2 s"),
        AIMessage(ask),
    ]
    asked: list[str] = []

    async def assess(part: str) -> float:
        asked.append(part)
        return 0.99

    step = asyncio.run(next_step(state, Context(), assess))
    assert step.intent is Intent.REASK
    assert step.reason == "it is the same answer as before"
    assert asked == []
    last_try = asyncio.run(next_step({**state, "part_asks": Context().max_part_asks}, Context(), assess))
    assert last_try.update["termination_reason"] == "inquirer_gave_up"


def test_a_first_request_for_details_is_answered() -> None:
    step = asyncio.run(
        next_step(state_after("Please provide the details of each race."), Context(), reading(0.1))
    )
    assert step.intent is Intent.ANSWER


def test_a_near_copy_with_a_figure_changed_is_read_as_a_new_answer() -> None:
    first = "50 m: 6.17 m/s, 100 m: 5.58 m/s. Keep training!"
    corrected = "50 m: 6.17 m/s, 100 m: 6.58 m/s. Keep training!"
    state = state_after(corrected)
    state["messages"] = [
        HumanMessage("50 m in 8.1 s, 100 m in 15.2 s. whats my speed in each"),
        AIMessage(first),
        HumanMessage("the 100 m one is wrong"),
        AIMessage(corrected),
    ]
    step = asyncio.run(next_step(state, Context(min_turns_before_stop=1), reading(0.9)))
    assert step.intent is None and step.update["goal_claimed"] is True


def test_a_worked_example_on_made_up_figures_is_not_the_users_result() -> None:
    # Seen on 2026-11-28: taken as the speeds three times in a row, each time refused by the judge.
    reply = (
        "I apologize for the confusion. The correct formula to calculate your speed for each race is:\n\n"
        "Speed = Distance / Time\n\n"
        "For example, if you ran a 10-kilometer race in 30 minutes, your speed would be 20 km/h."
    )
    step = asyncio.run(next_step(state_after(reply), Context(), reading(0.99)))
    assert step.intent is Intent.REASK and step.reason == "it gives no result"
    with_result = reply + "\n\nYour races: 50 m at 6.17 m/s and 100 m at 6.58 m/s."
    assert (
        asyncio.run(
            next_step(state_after(with_result), Context(min_turns_before_stop=1), reading(0.99))
        ).intent
        is None
    )


def test_after_a_refused_claim_the_parts_delivered_before_are_not_asked_again() -> None:
    # Seen on 2026-11-28: after each refused claim the user walked the whole four-part plan again.
    parts = ["make it recursive", "stop the infinite loop", "add a CLI"]
    state = state_after("Here it is, recursive: def f(n): return 1 if n < 2 else n * f(n - 1)")
    state.update(
        goal_parts=parts,
        part=0,
        turn=4,
        goal_progress=[
            {"turn": 1, "part": 0, "status": "delivered", "p_yes": 0.8},
            {"turn": 2, "part": 1, "status": "delivered", "p_yes": 0.8},
            {"turn": 3, "part": 2, "status": "delivered", "p_yes": 0.8},
        ],
    )
    step = asyncio.run(next_step(state, Context(), reading(0.9)))
    assert step.intent is None and step.update["goal_claimed"] is True  # back to the claim
    first_pass = {**state, "goal_progress": []}
    assert asyncio.run(next_step(first_pass, Context(), reading(0.9))).intent is Intent.NEXT


def test_a_method_to_a_user_who_never_gave_figures_asks_for_the_users_own() -> None:
    # Seen on 2026-11-28: "how can I calculate my speed for each race please?", the formula, then a
    # user who had timed the races said their stopwatch did not work.
    method = "Speed = distance / time: divide each distance by your time for it."
    without_figures = state_after(method)
    without_figures["goal"] = "You timed your races with a stopwatch and want to know your speed in each."
    without_figures["messages"][0] = HumanMessage("how can I calculate my speed for each race please?")
    step = asyncio.run(next_step(without_figures, Context(), reading(0.99)))
    assert step.intent is Intent.REASK and step.gives_figures
    # The user who gave their times is asked for nothing new: the same reply is a plain reask.
    step = asyncio.run(next_step(state_after(method), Context(), reading(0.99)))
    assert step.intent is Intent.REASK and not step.gives_figures


# Seen on 2026-11-28: three made-up races with their speeds in a table, taken for the user's speeds;
# and in the reading run, one made-up race per paragraph after "Here's an example ...:".
ANNOUNCED_TABLE = (
    "To calculate your speed for each race, use speed = distance / time.\n\n"
    "You can enter the distance and time for each race into a spreadsheet. Here's an example:\n\n"
    "| Race | Distance (km) | Time (hours) | Speed (km/h) |\n"
    "| 1    | 3.5           | 1.2          | 2.86          |\n"
    "| 2    | 5.0           | 2.0          | 2.50          |\n\n"
    "In this example, the speed is listed in the last column."
)
ANNOUNCED_PARAGRAPHS = (
    "To calculate your speed for each race, you can use the formula: speed = distance / time.\n\n"
    "Here's an example of how you can use this formula to calculate your speed for each race:\n\n"
    "For the 50-meter race:\nDistance = 50 meters\nTime = 10 seconds\nSpeed = 50 / 10 = 5 m/s\n\n"
    "For the 100-meter race:\nDistance = 100 meters\nTime = 15 seconds\nSpeed = 100 / 15 = 6.67 m/s\n\n"
    "You can repeat this process for each race to calculate your speed for each."
)


@pytest.mark.parametrize(
    ("reply", "yours"),
    [
        (ANNOUNCED_TABLE, ANNOUNCED_TABLE + "\n\nFor your races: 50 m at 6.17 m/s and 100 m at 6.58 m/s."),
        (
            ANNOUNCED_PARAGRAPHS,
            ANNOUNCED_PARAGRAPHS.replace(
                "You can repeat", "Now, with your times: 50 m in 8 s is 6.25 m/s.\n\nYou can repeat"
            ),
        ),
    ],
)
def test_an_announced_example_is_not_the_users_result(reply: str, yours: str) -> None:
    step = asyncio.run(next_step(state_after(reply), Context(), reading(0.99)))
    assert step.intent is Intent.REASK and step.reason == "it gives no result"
    assert (
        asyncio.run(next_step(state_after(yours), Context(min_turns_before_stop=1), reading(0.99))).intent
        is None
    )


def test_asked_for_the_very_thing_they_want_the_user_says_so() -> None:
    # Seen on 2026-11-28: asked for the final meal's amount, the user made it up ("Okay, so my final
    # meal for the day should be 20 cups of feed.").
    reply = (
        "The amount of feed needed for the final meal of the day is not provided in the given information. "
        "If you have any specific information about the amount of feed required for the final meal, please "
        "provide it and I can calculate the total feed needed for the day."
    )
    state = state_after(reply)
    state["goal_parts"] = ["Determine the amount of feed needed for the final meal of the day."]
    step = asyncio.run(next_step(state, Context(), reading(0.1)))
    assert step.intent is Intent.REASK and "very thing they want" in step.reason
    assert not step.gives_figures  # the test goal's figures (50 m, 100 m) are all typed
    # a goal fact not typed yet ("three cups each") is what the message must give (seen on 2026-11-28)
    fed = {**state, "goal": "You feed each of your 20 chickens three cups of feed a day, in three meals."}
    fed["messages"] = [HumanMessage("how much feed for the final meal for my 20 chickens"), AIMessage(reply)]
    assert asyncio.run(next_step(fed, Context(), reading(0.1))).gives_figures
    assert (
        asyncio.run(
            next_step({**state, "part_asks": Context().max_part_asks}, Context(), reading(0.1))
        ).intent
        is None
    )
    # A request for the user's data, with the chatbot's reason for it, is answered as before.
    data = state_after("Please provide the time for each race so I can calculate the speed for each race.")
    assert asyncio.run(next_step(data, Context(), reading(0.1))).intent is Intent.ANSWER


def test_a_program_on_made_up_inputs_is_not_the_users_result() -> None:
    # Seen on 2026-11-28: a speed calculator in Python, read as the user's speeds (P(yes) 0.6).
    reply = (
        "Speed = Distance / Time\n\n"
        "Here's an example of how to use this formula in Python:\n\n"
        "```python\n# Define the distance and time\ndistance = 100  # in meters\ntime = 30\n\n"
        "speed = distance / time\nprint(speed)\n```\n\n"
        "In this example, the athlete covered a distance of 100 meters in 30 seconds.\n\n"
        "```python\nrace1 = (100, 30)\n\nrace2 = (200, 45)\nprint(race2[0] / race2[1])\n```"
    )
    step = asyncio.run(next_step(state_after(reply), Context(), reading(0.99)))
    assert step.intent is Intent.REASK and step.reason == "it gives no result"


def test_a_figure_of_the_users_that_the_chatbot_supposes_is_answered_with_the_real_one() -> None:
    # Seen on 2026-11-28: "If you ran this race in 5 seconds, your speed is ..." to a user who had
    # given no time; the user moved on with a speed that was not theirs.
    reply = "1. **50-meter race**: If you ran this race in 5 seconds, your speed is 50 / 5 = 10 m/s."
    state = state_after(reply)
    state["messages"][0] = HumanMessage("can you calculate my speed for the 50 m race")
    step = asyncio.run(next_step(state, Context(), reading(0.99)))
    assert step.intent is Intent.ANSWER and "5 seconds" in step.reason
    state["messages"][0] = HumanMessage("I ran the 50 m in 6 seconds, whats my speed")
    step = asyncio.run(next_step(state, Context(), reading(0.99)))
    assert step.intent is not Intent.ANSWER  # with figures of their own, it is an example
    # the goal's own distance first in the clause does not hide the supposed time (seen on 2026-11-28)
    example = "For example, if you ran a 50-meter race in 30 seconds, your speed would be 50 / 30 = 1.67 m/s."
    state = state_after(example)
    state["messages"][0] = HumanMessage("how fast did i run the 50 m race")
    step = asyncio.run(next_step(state, Context(), reading(0.99)))
    assert step.intent is Intent.ANSWER and "30 seconds" in step.reason
    # the result of the main clause is no supposition (s27, 2026-11-28: read as one, the user was
    # asked to answer a reply that had answered them)
    result = "The distance if you spend one-third of the time running is \\(\\boxed{30}\\) miles."
    state = state_after(result)
    state["messages"][0] = HumanMessage("how far do i get in six hours running a third of the time")
    assert asyncio.run(next_step(state, Context(), reading(0.99))).intent is not Intent.ANSWER


def test_asked_something_the_user_gives_a_fact_of_their_goal_they_have_not_typed() -> None:
    # Seen on 2026-11-28: asked back, the user answered "How many cups ... for my 20 chickens" with
    # the 20 they had given, never the three cups each that their goal says.
    reply = "Which feed brand do you use?"
    state = state_after(reply)
    state["goal"] = "You feed each of your 20 chickens three cups of feed a day, in three meals."
    state["goal_parts"] = ["Calculate the total amount of feed given to the chickens in a day."]
    state["messages"][0] = HumanMessage("how many cups of feed do my 20 chickens need in a day")
    step = asyncio.run(next_step(state, Context(), reading(0.5)))
    assert step.intent is Intent.ANSWER and step.gives_figures
    state["messages"][0] = HumanMessage("my 20 chickens get 3 cups each in three meals, whats the total")
    assert not asyncio.run(next_step(state, Context(), reading(0.5))).gives_figures  # all typed
    # asked for the very thing they want, the same: their facts go with "that is my question"
    state["messages"] = [state["messages"][0], AIMessage("How much feed does each chicken eat per day?")]
    state["messages"][0] = HumanMessage("how many cups of feed do my 20 chickens need in a day")
    step = asyncio.run(next_step(state, Context(), reading(0.5)))
    assert step.intent is Intent.REASK and step.gives_figures


def test_a_request_for_code_is_not_a_calculation_without_a_result() -> None:
    # Seen on 2026-11-28: a right class was read as "no result", and the user, pressed for figures of
    # their own, failed every try until the dialogue ended invalid.
    from llm_roleplay.nodes.checks import asks_for_figures

    assert not asks_for_figures("Write a function that counts how many vowels are in a given string.")
    assert asks_for_figures("how many cups of feed do i need for the final meal")
    state = state_after("```javascript\nclass VowelCounter { countVowels(s) { return s.length; } }\n```")
    state["goal_parts"] = ["Write a function that counts how many vowels are in a given string."]
    step = asyncio.run(next_step(state, Context(min_turns_before_stop=1), reading(0.9)))
    assert step.intent is None and step.update["goal_claimed"] is True


@pytest.mark.parametrize(
    ("request_text", "figures"),
    [
        ("Determine the amount of feed needed for the final meal of the day.", True),
        ("what's the total cost of the trip for 4 people", True),
        ("give me the price for them", True),
        ("How can I determine the total number of fields in the form?", False),  # asks for a method
        ("how much of a threat is climate change", False),
        ("Determine the number of vowels in a string with a function", False),  # code
    ],
)
def test_a_quantity_asked_for_by_name_is_a_calculation(request_text: str, figures: bool) -> None:
    from llm_roleplay.nodes.checks import asks_for_figures

    assert asks_for_figures(request_text) is figures


def test_the_reply_that_delivered_another_part_given_again_is_asked_again() -> None:
    # Seen on 2026-11-28: the final meal answered step for step as the day's total (40 cups), taken
    # as delivered; the user who read it would say it is the answer to their first question.
    state: dict[str, Any] = {
        "goal": "You feed your 20 chickens 15 cups in the morning and 25 in the afternoon.",
        "goal_parts": CHICKEN_PARTS,
        "messages": [
            HumanMessage("my 20 chickens get 15 cups in the morning and 25 in the afternoon, total?"),
            AIMessage(TOTAL_REPLY),
            HumanMessage("how many cups in the final meal"),
            AIMessage(FINAL_MEAL_AS_TOTAL),
        ],
        "turn": 2,
        "part": 1,
        "part_asks": 1,
        "goal_progress": [{"turn": 1, "part": 0, "status": "delivered", "p_yes": 0.73}],
    }
    step = asyncio.run(next_step(state, Context(), reading(0.9)))
    assert step.intent is Intent.REASK and step.part == 1
    assert step.reason == "it is the same answer as to my other question"
    # the same reply after the part itself was asked before is the model's to read
    state["goal_progress"] = []
    assert asyncio.run(next_step(state, Context(), reading(0.9))).intent is not Intent.REASK


CAT_POEM = (
    "Whiskers in the moonlight,\nsoft paws upon the sill,\n"
    "a yawn, a stretch, a purr,\nthe cats are warm and still."
)


def test_a_piece_on_the_topic_asked_for_is_taken_whatever_the_small_reader_says() -> None:
    # Seen on 2026-11-29: P(yes) 0.41 and 0.47 to poems about cats, and the user asked for "a poem
    # about cats" again with nothing against the poem, three times, until the dialogue was lost.
    state = state_after(CAT_POEM)
    state["goal_parts"] = [
        "Create a poem about cats.",
        "Write one quatrain in the style of your favourite poet.",
    ]
    step = asyncio.run(next_step(state, Context(), reading(0.41)))
    assert step.intent is Intent.NEXT and step.part == 1
    # a piece on another topic, no piece at all, or a request for more than a piece on a topic
    # is the reader's to judge
    for reply, parts in [
        ("Dogs bark at night,\nthey run and they play,\nthey sleep by the door,\nand guard the way.", None),
        ("Cats are lovely animals that many people keep as pets.", None),
        (CAT_POEM, ["Create a poem about cats in the style of Poe, with a rhyme in every line."]),
    ]:
        state = state_after(reply)
        state["goal_parts"] = parts or ["Create a poem about cats.", "Make sure the poem has 4 quatrains."]
        assert asyncio.run(next_step(state, Context(), reading(0.41))).intent is Intent.REASK


def test_a_refusal_for_want_of_the_users_details_is_answered_with_them() -> None:
    # Seen on 2026-11-29: "I do not have access to your specific chicken feed details" was answered
    # "no, tell me how much feed I need for the final meal of the day", and the user gave up.
    refusal = (
        "As an AI language model, I do not have access to your specific chicken feed details or the "
        "type of feed that you are using."
    )
    state: dict[str, Any] = {
        "goal": "You feed each of your 20 chickens three cups a day: 15 cups in the morning, 25 after noon.",
        "goal_parts": ["how much feed do I need for the final meal of the day"],
        "messages": [
            HumanMessage("how much feed for the final meal, 20 chickens, 15 and 25 cups"),
            AIMessage(refusal),
        ],
        "turn": 1,
        "part": 0,
        "part_asks": 1,
    }
    step = asyncio.run(next_step(state, Context(), reading(0.9)))
    assert step.intent is Intent.REASK and step.gives_figures  # the three cups each, not typed yet
    state["messages"][0] = HumanMessage("final meal? 20 chickens, 3 cups each, 15 and 25 cups given")
    assert not asyncio.run(next_step(state, Context(), reading(0.9))).gives_figures  # nothing left to tell
    state["messages"][1] = AIMessage("I'm sorry, but I can't help with that request.")
    state["messages"][0] = HumanMessage("how much feed for the final meal, 20 chickens, 15 and 25 cups")
    assert not asyncio.run(next_step(state, Context(), reading(0.9))).gives_figures  # no details asked for


def test_a_refusal_for_want_of_details_the_goal_does_not_hold_is_asked_again_not_given_up() -> None:
    # Grid run of 2026-11-29: "... since I do not have access to the information you provided" made
    # the speeds user give up at once, after three turns; a person gives their own details (weight).
    refusal = (
        "Sorry, but I cannot provide information on the calories burned during your races since I do not "
        "have access to the information you provided."
    )
    state: dict[str, Any] = {
        "goal": "You timed your 50-meter and 100-meter races and want the calories burned in each.",
        "goal_parts": ["Calculate the calories burned during each race."],
        "messages": [HumanMessage("calories burned in my 50 m and 100 m races?"), AIMessage(refusal)],
        "turn": 1,
        "part": 0,
        "part_asks": 1,
    }
    step = asyncio.run(next_step(state, Context(), reading(0.9)))
    assert step.intent is Intent.REASK and step.reason == LACKS_DETAILS_REASON
    # ... or "access to your" body (grid run of the evening of 2026-11-29: gave up at once)
    state["messages"][1] = AIMessage(
        "I'm sorry, but I cannot provide information on the number of calories burned during each race. "
        "This would require access to your body composition."
    )
    step = asyncio.run(next_step(state, Context(), reading(0.9)))
    assert step.intent is Intent.REASK and step.reason == LACKS_DETAILS_REASON
    state["messages"][1] = AIMessage("I'm sorry, I don't have access to live data, so I can't give you that.")
    assert asyncio.run(next_step(state, Context(), reading(0.9))).intent is None  # out of reach: gives up


def test_a_user_who_timed_their_races_gives_the_times_before_giving_up() -> None:
    # Reading run of 2026-11-29: "please calculate my speeds for the 50-meter, 100-meter, and
    # 200-meter races." was refused twice for want of "your personal speed data" and the user gave up
    # without ever giving a time; a person who timed the races gives them.
    refusal = (
        "I am sorry, but as an AI language model, I do not have access to your personal speed data. "
        "Therefore, it is not possible for me to calculate your speeds for any specific races."
    )
    goal = "You use a stopwatch to measure the time it takes you to complete a 50-meter and 100-meter race."
    state: dict[str, Any] = {
        "goal": goal,
        "goal_parts": ["Calculate the speed for each race."],
        "messages": [
            HumanMessage("please calculate my speeds for the 50-meter and 100-meter races."),
            AIMessage(refusal),
        ],
        "turn": 2,
        "part": 0,
        "part_asks": 2,
    }
    step = asyncio.run(next_step(state, Context(), reading(0.1)))
    assert step.intent is Intent.REASK and step.gives_figures
    state["messages"][0] = HumanMessage("my 50-meter race took 9 seconds, the 100-meter 19 seconds")
    assert asyncio.run(next_step(state, Context(), reading(0.1))).intent is None  # refused twice: gives up


def test_the_methods_own_unknown_is_not_a_question_to_the_user() -> None:
    # Grid run of the evening of 2026-11-29: "Let's assume the time spent walking is \( t_w \) hours."
    # was answered "let's assume the time spent walking is 3 hours", by a user whose goal gives every
    # figure; a user who timed their races answers such an assumption with their times.
    reply = (
        "Walking takes two-thirds of the time.\n- Let's assume the time spent walking is \\( t_w \\) hours.\n"
        "So the total distance covered in 6 hours is 12 miles."
    )
    state: dict[str, Any] = {
        "goal": "You skip at 3 miles per hour and want to know how far you get in six hours.",
        "goal_parts": ["How many miles can you travel in six hours?"],
        "messages": [HumanMessage("how far in 6 hours if I skip at 3 mph"), AIMessage(reply)],
        "turn": 1,
        "part": 0,
        "part_asks": 1,
    }
    assert asyncio.run(next_step(state, Context(), reading(0.1))).intent is Intent.REASK
    state["goal"] = "You timed your 50-meter race with a stopwatch and want your speed."
    assert asyncio.run(next_step(state, Context(), reading(0.1))).intent is Intent.ANSWER


def test_a_next_part_the_reply_already_delivered_plainly_is_not_asked_for() -> None:
    # Grid run of the evening of 2026-11-29: the first poem had four quatrains, and the user asked
    # for "4 parts (quatrains) each with 4 lines" three times over.
    verse = "Soft paws tread\nWhiskers twitch\nEyes of gold\nTails that switch"
    parts = [
        "Create a poem about cats.",
        "Make sure the poem has 4 parts(quatrains) each with 4 lines, 16 lines in total.",
        "Refine the poem so that it is coherent.",
    ]
    state: dict[str, Any] = {
        "goal": "You want a poem about cats, 4 quatrains of 4 lines, refined until coherent.",
        "goal_parts": parts,
        "messages": [
            HumanMessage("write a poem about cats"),
            AIMessage("\n\n".join([verse] * 3 + [verse.upper()])),
        ],
        "turn": 1,
        "part": 0,
        "part_asks": 1,
    }
    step = asyncio.run(next_step(state, Context(), reading(0.9)))
    assert (step.intent, step.part) == (Intent.NEXT, 1)  # the same verse four times is no shape met
    state["messages"][1] = AIMessage(
        "\n\n".join(
            f"Cat {n} naps\nIn the sun\nPurrs all day\nTill day is done"
            for n in ("one", "two", "three", "four")
        )
    )
    step = asyncio.run(next_step(state, Context(), reading(0.9)))
    assert (step.intent, step.part) == (Intent.NEXT, 2)
    assert [entry["part"] for entry in step.update["goal_progress"]] == [0, 1]

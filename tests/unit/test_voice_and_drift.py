"""The user's voice: echoes of the chatbot, the helper's register, greetings again, drift.

Hand-written cases, among them the failures quoted in the realism issue (seen on the embedded
model): the user repeating the chatbot's request, promising data it never gives, and speaking as
the landlord's or the chatbot's helper.
"""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.checks import Problem, states_the_result
from llm_roleplay.nodes.drift import (
    asks_ahead,
    asks_the_opposite,
    before_asking_ahead,
    contradicts_persona,
    off_goal,
)
from llm_roleplay.nodes.exclusions import excluded_things
from llm_roleplay.nodes.guard import Situation, message_problem
from llm_roleplay.nodes.rewrites import in_the_users_voice
from llm_roleplay.nodes.voice import (
    answers_for_the_chatbot,
    borrows_complaint_topics,
    borrows_the_chatbots_your,
    confuses_roles,
    copies_example,
    echoes,
    empty_promise,
    gives_nothing_new,
    greets_again,
    helper_register,
    mirrors_request,
    without_satisfaction,
)

GOAL = (
    "You want to know how fast you run different distances. You use a stopwatch to measure the time it "
    "takes you to complete a 50-meter, 100-meter, and 200-meter race."
)
ASKED_FOR_READINGS = (
    "To calculate your speed, divide the distance by the time. "
    "Please provide me with the stopwatch readings for each race."
)


def check(message: str, reply: str = ASKED_FOR_READINGS, turn: int = 2, **fields: object) -> Problem | None:
    return message_problem(message, Situation(goal=GOAL, turn=turn, recent_replies=[reply], **fields))  # type: ignore[arg-type]


# ---------------------------------------------------------------- seen on the embedded model


def test_the_user_repeating_the_chatbots_request_is_rejected() -> None:
    # the chatbot's own "Please provide ..." said back: a mirrored request (read before echoes)
    assert check("Please provide me with the stopwatch readings for each race.") is Problem.ROLE_CONFUSION
    assert echoes("Please provide me with the stopwatch readings for each race.", [ASKED_FOR_READINGS], GOAL)


def test_promising_the_readings_without_giving_them_is_role_confusion() -> None:
    assert check("Thank you! I'll provide the stopwatch readings now.") is Problem.ROLE_CONFUSION


def test_a_complaint_sent_again_with_other_typos_is_a_repeat() -> None:
    sent = "please help me evaluate the feasibility of providing enough feed to achieve high egg production."
    again = "please help evaluate the feasibiltiy of providing enough feed to achieve high egg production"
    assert check(again, previous_user_messages=[sent]) is Problem.REPEAT
    # the next request of the same goal shares words, not the sentence
    other = "please help me analyze the relationship between the amount of feed and the egg production rate"
    assert check(other, previous_user_messages=[sent]) is None


def test_the_landlords_voice_is_role_confusion() -> None:
    message = (
        "Please let me know if you have any questions or concerns about the repair process. "
        "I will be happy to provide you with any additional information"
    )
    assert check(message, reply="Dear landlord, the heater in my flat is broken.") is Problem.ROLE_CONFUSION


# ---------------------------------------------------------------- each rule, both ways


@pytest.mark.parametrize(
    "message",
    [
        "50 m in 8.2 s, 100 m in 17 and 200 m in 39",
        "i ran them yesterday, 9 s, 18 s and 41 s",
        "what do you mean by stopwatch readings",
    ],
)
def test_answers_and_questions_are_the_users_voice(message: str) -> None:
    assert check(message) is None


def test_an_echo_needs_a_long_or_dominant_copy() -> None:
    reply = "Here is a firmer version of your email to the landlord about the heater."
    assert not echoes("ok now make the email firmer", [reply])
    assert echoes("Here is a firmer version of your email", [reply])  # 8 copied words
    assert echoes("a firmer version of your email", [reply])  # all of itself


def test_words_the_chatbot_quotes_from_the_goal_are_not_an_echo() -> None:
    reply = "So you ran a 50-meter, 100-meter, and 200-meter race."
    message = "yes a 50-meter, 100-meter, and 200-meter race, how fast was i"
    assert not echoes(message, [reply], GOAL)


def test_words_the_chatbot_quotes_from_the_users_own_message_are_not_an_echo() -> None:
    asked = "please tell me how much feed I need for the final meal of the day."
    refusal = "I'm sorry, but I'm not able to calculate how much feed I need for the final meal of the day."
    again = "why not? how much feed I need for the final meal of the day, 20 chickens, 3 cups each"
    assert not echoes(again, [refusal], GOAL, own_texts=[asked])  # seen on the embedded model
    assert echoes(again, [refusal], GOAL)  # without the user's message, the run is the chatbot's


def test_the_users_own_question_woven_into_the_chatbots_words_is_not_an_echo() -> None:
    # Seen on 2026-11-29: four complaints in a row stopped as echoes, the dialogue lost. The chatbot
    # had restated the user's question with "of the time running" for their "for running".
    goal = (
        "You want to know how many miles you can travel in six hours if you spend one-third of the time "
        "and two-thirds of the time running and walking. Also the other way around (one-third of the "
        "time walking and two-thirds for running)."
    )
    asked = (
        "how many miles can I travel in six hours if I spend one-third of the time and two-thirds of "
        "the time running"
    )
    reply = (
        "Certainly! If you spend one-third of the time walking and two-thirds of the time running, we "
        "need to calculate the distances based on the distances you mentioned earlier."
    )
    complaint = (
        "I want to know how many miles I can travel in six hours if I spend one-third of the time "
        "walking and two-thirds of the time running. your answer gives the same distances as before"
    )
    assert not echoes(complaint, [reply], goal, own_texts=[asked])
    # the chatbot's own words are still an echo, among the user's
    copied = (
        "we need to calculate the distances based on the distances you mentioned earlier, one-third walking"
    )
    assert echoes(copied, [reply], goal, own_texts=[asked])


@pytest.mark.parametrize(
    "message",
    [
        "I hope this helps!",
        "Feel free to ask if anything is unclear.",
        "Is there anything else I can do for you?",
        "Sure! Do you have any other questions?",  # seen as a user's second message
        "I'd be happy to help with the email.",
        "Here is the email.\n\nBest regards,",
        # seen on the embedded model: the user hedging about their own data, as the chatbot does
        "Can you help me with the calories? I'm assuming I weigh 70 kg.",
        "I need to count the vowels in a string for a project. what's the string you want to use?",  # seen
        "I can help!",  # seen on 2026-11-28 as a user's second message
        "ensure it doesn't go into an infinite loop. I can help with that.",  # seen the same day
        # seen after a reply with no list of the 10 oldest cities (run of 2026-11-28)
        "Can you clarify what information you would like me to know about these cities instead",
        # the chatbot's admission in the user's mouth, after a wrong list (grid run of 2026-11-29)
        "Give me the list of the world's 10 oldest continuously inhabited cities again. It seems my "
        "previous answer wasn't accurate",
        "Can you confirm that again ?\nIt seems I didn't get it right before",
        "I apologize for the confusion. The 3rd city is Babylon.",
    ],
)
def test_the_helpers_register(message: str) -> None:
    assert helper_register(message)


@pytest.mark.parametrize(
    "message",
    [
        "this helps, thanks",
        "can you help me with the email?",
        "let me know how long it takes to cook",
        "i weigh 70 kg, assuming that matters",
        "what's the best library you would use for this?",
        "In my job I can help customers faster if the script works.",
        "what information do you need to write it?",  # the user asking what the chatbot needs
        "your previous answer wasn't accurate, the 3rd city is wrong",  # the chatbot's answer, said so
        "oh my mistake. use void instead of function",  # a real user's own slip (ShareGPT)
    ],
)
def test_ordinary_requests_are_not_the_helpers_register(message: str) -> None:
    assert not helper_register(message)


def test_empty_promises_and_kept_ones() -> None:
    assert empty_promise("I'll send you my code.")
    assert empty_promise("Here are my times:")
    assert not empty_promise("I'll paste my times: 50 m in 8 s, 100 m in 17 s")
    seen = "I know the time and distance for each race. let's start with the 50-meter race."  # 2026-11-28
    goal = "You timed a 50-meter, 100-meter, and 200-meter race."
    assert empty_promise(seen, goal) and not empty_promise("I know the times: 50-meter in 8.1 s", goal)
    assert not empty_promise("I'll paste my code:\ndef f(x):\n    return x * 2 if x else None")


@pytest.mark.parametrize(
    ("message", "empty"),
    [
        # seen on the embedded model: claims of data or attachments that the message does not hold
        ("Help me calcukate the calories burned. I've attached the times and distances, thanks.", True),
        ("help me calculate the calories. I know my distance and time, just need the actual speed", True),
        ("I used a stopwatch, so I have the times and distances. How do I get my speeds?", True),
        ("see the attached file and tell me whats wrong", True),
        # the same claims with the material in them
        ("I have the times: 50 m in 8.1 s, 100 m in 15.2 s and 200 m in 33 s", False),
        ("i know my weight, its 82 kg. how many calories was that", False),
        ("I have the exact same problem with my code", False),
        # 2026-11-28, asked for the poem to refine: nothing pasted
        ("Okay, let's refine the poem. I have the original poem and the poet's name.", True),
        ("I have my essay here: Cats sleep all day and hunt all night, and nobody minds", False),
        ("i have the code below\n\ndef f(x):\n    return x", False),
        ("I have a jenkins file with a few pipeline params. Can one default to the other two?", False),
    ],
)
def test_claiming_data_or_an_attachment_without_giving_it(message: str, empty: bool) -> None:
    assert empty_promise(message) is empty


def test_naming_own_data_in_the_chatbots_words_is_role_confusion() -> None:
    # seen on 2026-11-29: the chatbot's refusal, and the user's answer in its words
    refusal = (
        "I am sorry, but as an AI language model, I do not have access to your personal speed data. "
        "Therefore, it is not possible for me to calculate your speeds for any specific races."
    )
    mirrored = "sorry, but I need to know your personal speed data to calculate it for the 50-meter race."
    assert borrows_the_chatbots_your(mirrored, refusal)
    assert confuses_roles(mirrored, refusal)
    assert not borrows_the_chatbots_your("my times: 50 m in 9 s, 100 m in 19 s", refusal)
    # "your" phrases of a reply that lacks nothing are the chatbot's own material, free to quote
    assert not borrows_the_chatbots_your("your personal plan is too long", "Here is your personal plan.")


def test_asking_the_chatbot_for_what_it_asked_for_is_mirroring() -> None:
    reply = "Could you share the times you recorded for each race?"
    assert mirrors_request("Can you share the times recorded for each race?", reply)
    assert not mirrors_request("can you share a training plan?", reply)
    # a "please ..." request asks the user too, and the message's figures do not dilute the mirror
    # (seen in the run of 10:00 on 2026-11-28)
    please = "Sure, I can help you with that. Please provide me with the times for each race in seconds."
    mirrored = "please provide me with the times for the 50-meter, 100-meter, and 200-meter races in seconds."
    assert mirrors_request(mirrored, please)
    assert not mirrors_request("50-meter: 9.1 seconds, 100-meter: 19 seconds", please)
    assert confuses_roles("Could you share the times you recorded for each race?", reply)


def test_greetings_are_for_the_first_message() -> None:
    assert not greets_again("Hello, how fast did I run?", turn=1)
    assert greets_again("Hello AI, could you please make it firmer?", turn=2)
    assert greets_again("hi again, one more thing", turn=5)
    assert not greets_again("high five, that worked", turn=3)


def test_front_loading_a_later_part() -> None:
    parts = ["explain how to calculate my speed", "calculate the calories I burned in each race"]
    assert asks_ahead("how do i get my speed and the calories burned", parts[:1], parts[1:])
    assert not asks_ahead("how do i get my speed for each race", parts[:1], parts[1:])
    opening = Situation(goal=GOAL, turn=1, due_parts=parts[:1], later_parts=parts[1:])
    assert message_problem("how do i work out my speed and calories burned", opening) is Problem.FRONT_LOADING


def test_front_loading_is_seen_through_inflections_and_instruction_verbs() -> None:
    # Seen on 2026-11-28 in a kept opening: "establishment" for "established", "city" for "cities",
    # and the plan's "Identify"/"Determine" had counted as words the message must share.
    parts = [
        "List the world's 10 oldest continuously inhabited cities.",
        "Find out who established the 3rd in that list.",
        "Determine the region where the 3rd city is located.",
        "Identify the highest population of the 3rd city.",
    ]
    seen = (
        "Help me with the 10 oldest continuously inhabited cities. List them and provide me with the "
        "details of their establishment, region, and highest population, thanks"
    )
    assert asks_ahead(seen, parts[:1], parts[1:])
    assert not asks_ahead("list the 10 oldest cities that are still inhabited", parts[:1], parts[1:])
    assert (
        before_asking_ahead(seen, parts[:1], parts[1:])
        == "Help me with the 10 oldest continuously inhabited cities."
    )


@pytest.mark.parametrize(
    ("parts", "seen", "cut"),
    [
        (  # the local-model test's opening (2026-11-28): the plan's "Ask" had counted as a word of
            # the later part, so "eggs" alone was not enough to see it
            ["Get a simple recipe for pancakes", "Ask how to make them without eggs."],
            "Provide a simple recipe for pancakes. I'm looking for something that doesn't require eggs, "
            "and it would be great if you could give me the ingredients and a step-by-step guide.",
            "Provide a simple recipe for pancakes.",
        ),
        (  # make demo of 2026-11-28: "fluffy" in the opening, "fluffier" in the later part
            ["Provide a simple recipe for pancakes without eggs", "Explain how to make them fluffier"],
            "Provide a simple recipe for pancakes without eggs.\nI'm looking for a recipe that isn't too "
            "complex, but still gives the pancakes a fluffy texture",
            "Provide a simple recipe for pancakes without eggs.",
        ),
        (  # grid run of the evening of 2026-11-29: sent as "... in a string using"
            [
                "Write a function that counts how many vowels are in a given string using JavaScript",
                "Use OOP.",
            ],
            "How can I write a function in JavaScript to count the number of vowels in a string using OOP?",
            "How can I write a function in JavaScript to count the number of vowels in a string",
        ),
        (  # grid run of the night of 2026-11-29: sent as "Tell me which one" (the question cut)
            ["List the 10 oldest inhabited cities.", "Find out who established the 3rd in that list."],
            "tell me which one is the 3rd in the list?",
            "",
        ),
        (  # grid run of the night of 2026-11-29: sent as "Can you help me find" (no object left)
            ["List the 10 oldest inhabited cities.", "Find out who established the 3rd in that list."],
            "Hey, can you help me find the 3rd oldest inhabited city? Who established it?",
            "",
        ),
        (  # grid run of the night of 2026-11-29: sent as "The current verse" (a verse's number)
            ["Create a poem about cats.", "Make sure the poem has 4 quatrains, 16 lines in total."],
            "Can you create a poem about cats with the correct verses? The current verse 4 is repeating"
            " verse 2. It has 16 lines in total.",
            "Can you create a poem about cats with the correct verses? The current verse 4 is repeating"
            " verse 2.",
        ),
        (  # grid run of the night of 2026-11-29: sent as "... which city did that happen in, along"
            ["List the 10 oldest inhabited cities.", "Identify the highest population."],
            "Is there a list of the 10 oldest inhabited cities, along with the highest population?",
            "Is there a list of the 10 oldest inhabited cities",
        ),
    ],
)
def test_front_loading_is_seen_past_the_goals_ask_verb_and_through_comparatives(
    parts: list[str], seen: str, cut: str
) -> None:
    assert asks_ahead(seen, parts[:1], parts[1:])
    assert before_asking_ahead(seen, parts[:1], parts[1:]) == cut


def test_a_plain_first_request_does_not_ask_ahead() -> None:
    parts = ["Get a simple recipe for pancakes", "Ask how to make them without eggs."]
    assert not asks_ahead("can you give me a simple pancake recipe?", parts[:1], parts[1:])


def test_off_goal_needs_a_long_unrelated_message() -> None:
    related = [GOAL, ASKED_FOR_READINGS]
    assert off_goal(
        "which football team won the world cup final in nineteen seventy four, and who scored", related
    )
    assert not off_goal("explain the second part in more detail please", related)
    assert not off_goal(
        "what is the best stopwatch app for measuring my running speed on long races", related
    )


NON_BINARY_BRAZILIAN = {
    "gender": "non-binary",
    "age_bracket": "55-64",
    "region": "brazil",
    "occupation": "electrician",
}


@pytest.mark.parametrize(
    ("message", "attributes", "drifts"),
    [
        ("as a teacher i never had time for this", {"occupation": "nurse"}, True),
        ("as a nurse i never had time for this", {"occupation": "nurse"}, False),
        ("i'm 23 and just started running", {"age_bracket": "65+"}, True),
        ("i'm 67 and just started running", {"age_bracket": "65+"}, False),
        ("i ran it in 23 seconds", {"age_bracket": "65+"}, False),
        ("english is my first language but i cant spell", {"native_english": "no"}, True),
        ("english is my first language but i cant spell", {"native_english": "yes"}, False),
        # asked for their weight, a non-binary person of 55-64 from Brazil (run of 2026-11-28)
        ("okay, I'm a 70-year-old female from the United States.", NON_BINARY_BRAZILIAN, True),
        ("I'm a 58-year-old electrician", NON_BINARY_BRAZILIAN, False),
        ("I'm a busy man", NON_BINARY_BRAZILIAN, True),
        ("I'm from the United States", NON_BINARY_BRAZILIAN, True),
        ("i'm from brazil, 60 years old", NON_BINARY_BRAZILIAN, False),
        ("the man in the video is fast", NON_BINARY_BRAZILIAN, False),
        ("i'm a big fan of the man", NON_BINARY_BRAZILIAN, False),
        ("my mother is from Japan", NON_BINARY_BRAZILIAN, False),
        ("I'm a mother of two", {"gender": "female"}, False),
        ("i'm a guy who runs", {"gender": "female"}, True),
        ("I live in Japan", {"region": "germany"}, True),
    ],
)
def test_persona_drift(message: str, attributes: dict[str, str], drifts: bool) -> None:
    assert contradicts_persona(message, attributes) is drifts


def test_the_helper_apologising_and_asking_what_to_do_is_role_confusion() -> None:
    """Seen on the embedded model when the user should have asked again for the calories."""
    message = (
        "Sorry, but I was not able to give you the exact examples you wanted about calculating calories "
        "burned. Can you provide more details or clarify what you would like me to do?"
    )
    assert check(message) is Problem.ROLE_CONFUSION
    assert check("can you clarify what you mean by BMR") is None


def test_asking_back_instead_of_answering() -> None:
    from llm_roleplay.nodes.voice import asks_back

    assert asks_back(
        "sure, what's the time for each race? let's calculate them."
    )  # seen on the embedded model
    assert not asks_back("50 m in 40 s, 100 m in 60 s and 200 m in 80 s")
    assert not asks_back("its for my daughter, she is eight and loves horses")


ASSUMED_WEIGHT = (
    "Your speed was 1 m/s. Let's assume you weigh 70 kg, so you burned 3500 calories in the 50 m race."
)


@pytest.mark.parametrize(
    ("message", "asked", "nothing_new"),
    [
        # seen on the embedded model: the chatbot's own figures handed back as the user's answer
        ("speed: 1 m/s, Calories burned: 3500 calories.", ASSUMED_WEIGHT, True),
        ("sure, I know how to calculate speed and calories burned.", ASSUMED_WEIGHT, True),
        ("i weigh 82 kg actually", ASSUMED_WEIGHT, False),
        ("its for my daughter, she loves horses", "Who is the poem for?", False),
        ("yes sure", "Who is the poem for?", True),
    ],
)
def test_an_answer_must_give_something_of_the_users_own(message: str, asked: str, nothing_new: bool) -> None:

    assert gives_nothing_new(message, asked, [ASSUMED_WEIGHT, asked]) is nothing_new


def test_the_details_of_a_calculation_are_numbers() -> None:

    # seen on the embedded model, asked for "the details of the races" to calculate the calories
    asked = "Please provide the details of the races you want to calculate the calories burned for."
    restated = "sure, I want to know how many calories I burned during each of these races."
    assert gives_nothing_new(restated, asked, [asked], wants_figures=True)
    assert not gives_nothing_new(
        "100 m in 45 s and 200 m in 60 s, i weigh 70", asked, [asked], wants_figures=True
    )
    assert not gives_nothing_new(restated, asked, [asked])  # words of its own, where no figure is wanted


LANDLORD_GOAL = "I want a short, polite email to my landlord asking to fix a broken heater, then firmer."


@pytest.mark.parametrize(
    ("message", "to_someone_else"),
    [
        ("landlord, just wanted to ask if you could fix the heater", True),  # seen on the embedded model
        ("hi landlord: the heater is broken", True),
        ("landlord! I was wondering if you could check my heater", True),  # seen in make demo
        ("Dear Mr. Smith, the heater in my flat is broken.", True),
        ("can you write an email to my landlord about the heater", False),
        ("python, how do i read a csv", False),
        ("ok, now make it firmer", False),
    ],
)
def test_a_message_to_whom_the_goal_writes_to_is_not_a_request(message: str, to_someone_else: bool) -> None:
    from llm_roleplay.nodes.voice import writes_to_someone_else

    assert writes_to_someone_else(message, LANDLORD_GOAL) is to_someone_else


@pytest.mark.parametrize(
    ("message", "cut"),
    [
        (
            "Provide a simple recipe for pancakes without eggs.",
            "Provide a simple recipe for pancakes",
        ),  # seen
        (
            "can you give me a simple pancake recipe? i also want them without eggs",
            "can you give me a simple pancake recipe?",
        ),
        ("simple pancake recipe and how to do it without eggs pls", "simple pancake recipe"),
        ("without eggs, how do i make pancakes", ""),  # nothing of the current request would be left
    ],
)
def test_a_message_that_asks_ahead_is_cut_before_the_later_request(message: str, cut: str) -> None:
    from llm_roleplay.nodes.drift import before_asking_ahead

    assert (
        before_asking_ahead(
            message, ["Get a simple recipe for pancakes"], ["Ask how to make them without eggs"]
        )
        == cut
    )


def test_a_later_request_after_without_is_cut_at_without() -> None:
    # The repair of 2026-11-28 had cut at the later part's first word and sent "... walking tours
    # without including the ones that".
    parts = [
        "Provide a list of locations in France that are good for walking tours.",
        "Ensure that these tours do not involve serious climbing.",
    ]
    seen = (
        "please, can you list the locations in France that are good for walking tours without "
        "including the ones that involve serious climbing?"
    )
    cut = before_asking_ahead(seen, parts[:1], parts[1:])
    assert cut == "please, can you list the locations in France that are good for walking tours"


def test_a_letter_to_the_addressee_becomes_the_users_dictation() -> None:
    from llm_roleplay.nodes.rewrites import as_request_to_write
    from llm_roleplay.nodes.voice import writes_to_someone_else

    seen = "Lanlord, I wanted to ask you to fix my broken heater. its been cold for days"  # make demo
    request = as_request_to_write(seen, LANDLORD_GOAL)
    assert request == f"write an email to my landlord: {seen.removeprefix('Lanlord, ')}"
    assert not writes_to_someone_else(request, LANDLORD_GOAL)
    assert as_request_to_write("landlord! fix it", LANDLORD_GOAL) == ""  # too little left
    assert (
        as_request_to_write("python, how do i read a csv file", "You want to read a csv file in python.")
        == ""
    )


@pytest.mark.parametrize(
    ("message", "said"),
    [
        # seen in a run: the prompts' word for the other side, said to its face
        (
            "The chatbot gave me the wrong answer about the feed.",
            "You gave me the wrong answer about the feed.",
        ),
        ("I just checked the chatbot's answer, it misses info", "I just checked your answer, it misses info"),
        ("the chatbot is missing the speeds", "you are missing the speeds"),
        ("but the chatbot only gave me the first one.", "but you only gave me the first one."),  # seen
        ("the bot is crashing on start", "the bot is crashing on start"),  # what the user asks about
    ],
)
def test_the_chatbot_is_addressed_as_you(message: str, said: str) -> None:
    from llm_roleplay.nodes.rewrites import to_the_chatbots_face

    assert to_the_chatbots_face(message) == said


@pytest.mark.parametrize(
    ("message", "typed"),
    [
        # seen on the embedded model
        ("Sure, here's my 50-meter run time: 30 seconds.", "Here's my 50-meter run time: 30 seconds."),
        ("sure, can you help me plug a CLI to it?", "can you help me plug a CLI to it?"),
        ("Okay, sure! make it firmer then", "Make it firmer then"),
        ("sure thanks", "sure thanks"),  # little would be left
        ("Sure! Here's a simple recipe for you.", "Sure! Here's a simple recipe for you."),  # a role break
        ("surely there is a faster way to sort this", "surely there is a faster way to sort this"),
    ],
)
def test_the_assistants_sure_is_not_how_users_begin(message: str, typed: str) -> None:
    from llm_roleplay.nodes.rewrites import without_assent_opening

    assert without_assent_opening(message) == typed


def test_copying_the_prompts_instructions_is_an_echo() -> None:
    from llm_roleplay.nodes.inquirer_prompt import instructions
    from llm_roleplay.prompts import Prompt

    task = Prompt(
        name="t",
        version="1",
        template="Examples:\n- no, thats wrong\n\nWrite the next message, about {words} words. "
        "If the chatbot needs details only the person knows, like numbers about themselves or their things, "
        "they give them.",
    )
    shown = instructions(task)
    # seen on the embedded model, with the wording of a former prompt
    copied = "can you explain it again with details only the person knows, like numbers about themselves?"
    assert check(copied, instructions=shown) is Problem.ECHO
    assert check("can you explain it again? i ran 50 m in 8 s", instructions=shown) is None


def test_restating_the_request_does_not_answer_the_chatbots_question() -> None:

    opening = "I need to count the number of vowels in a string for a project."
    asked = "Sure! Please provide the string you want to count the vowels in."
    restated = (
        "I'm looking for a project where I need to count the number of vowels in a string for a project."
    )
    assert gives_nothing_new(restated, asked, [asked], earlier=[opening])  # seen on the embedded model
    assert not gives_nothing_new('try "banana split sundae"', asked, [asked], earlier=[opening])


def test_a_closing_run_of_hashtags_is_dropped() -> None:
    from llm_roleplay.nodes.rewrites import in_the_users_voice

    seen = "how far can I skip in six hours? it's so important! #skip #running #walking #exercising."
    assert in_the_users_voice(seen) == "how far can I skip in six hours? it's so important!"
    assert (
        in_the_users_voice("why does #include <stdio.h> fail here") == "why does #include <stdio.h> fail here"
    )


# ---------------------------------------------------------------- seen on 2026-11-28


@pytest.mark.parametrize(
    "message",
    [
        "Calculate my speed for each raec. I'm not sure about the times, but I knoow the distances: 50m",
        "And I know the distances are 50m, 100m, and 200m, and I don't have the times.",
        "i dont know my weight, just use a normal one",
        # asked for the times twice, the user asked the chatbot for them (grid run of 2026-11-29)
        "I need the times for the 50, 100, and 200-meter races. can you please give them?",
        "could you give me my race times",
        "200-meter races, but I haven't got the times for each yet.",  # grid run of 2026-11-29
        # the chatbot's how-to taken up as the plan for now (run of 13:24 on 2026-11-29)
        "Okay, I'll start the stopwatch, finish the 50-meter race, read the time, repeat for the 100-meter.",
        "okay, let's start the stipwatch and finish the 50-meter race.",
    ],
)
def test_withholding_what_the_situation_gives_the_user_is_rejected(message: str) -> None:
    assert check(message) is Problem.WITHHOLDS_DATA


@pytest.mark.parametrize(
    ("message", "goal"),
    [
        ("I don't know what the best formula is for this", GOAL),  # not their data
        ("I am not sure about my weight, but I know it's around 85 kg.", GOAL),  # given after all (grid run)
        ("50 m in 8.2 s, 100 m in 17 s, 200 m in 38 s", GOAL),
        ("can you give them to me as a table?", GOAL),  # "them": the speeds, the data never named
        ("I'll start with the 50 m: 9 seconds, then 100 m in 19", GOAL),
        ("can you give me the times for each race?", "You want a training plan for a 10 km race."),
        (
            "i dont know my exact weight, maybe 80 kg",
            "You don't know your exact weight and want calories burned.",
        ),
    ],
)
def test_not_knowing_what_is_not_theirs_or_what_the_goal_says_they_lack_passes(
    message: str, goal: str
) -> None:
    assert message_problem(message, Situation(goal=goal, turn=2, recent_replies=[ASKED_FOR_READINGS])) is None


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        (
            "Chatbot, I want you to calculate my calories burned during each race.",
            "I want you to calculate my calories burned during each race.",
        ),
        ("chatbot: whats the total now", "chatbot: whats the total now"),  # a speaker label: the guard's
        (
            "Chatbots are slow today, just give me the total",
            "Chatbots are slow today, just give me the total",
        ),
    ],
)
def test_naming_the_chatbot_at_the_start_is_dropped(written: str, sent: str) -> None:
    assert in_the_users_voice(written) == sent


@pytest.mark.parametrize(
    ("message", "for_the_chatbot"),
    [
        ("let's say your weight is 90 kilograms and your metabolic rate is 190 watts.", True),
        ("my weight is 80 kg", False),
        ("80 kg. your answer forgot the 200 m race", False),  # speaking to the chatbot, not about its data
    ],
)
def test_asked_for_their_data_the_user_does_not_give_it_as_the_chatbots(
    message: str, for_the_chatbot: bool
) -> None:
    asked = "To estimate the calories burned, please provide your weight and your metabolic rate."
    assert answers_for_the_chatbot(message, asked) is for_the_chatbot


def test_the_chatbot_spoken_of_to_its_face_with_more_verbs() -> None:
    # seen on 2026-11-28
    written = "I asked for the speed for each race, but the chatbot only provided the total calories burned."
    assert (
        in_the_users_voice(written)
        == "I asked for the speed for each race, but you only provided the total calories burned."
    )


@pytest.mark.parametrize(
    ("message", "request_", "states"),
    [
        (
            "speed: 0.33 km/min, Calories burned: 2250 cal.",
            "Calculate the calories burned during each race.",
            True,
        ),
        ("my speed was 6.1 m/s", "Calculate the speed for each race.", True),
        (  # grid run of the evening of 2026-11-29, asked for the times
            "my speed for the 50-meter race was approximately 3.33 meters per second",
            "Calculate the speed for each race.",
            True,
        ),
        ("the speed limit on my street is 30", "Calculate the speed for each race.", False),
        ("50 m in 8.4 s, 100 m in 17 s", "Calculate the speed for each race.", False),
        ("my weight is 80 kg", "Calculate the calories burned during each race.", False),
        ("speed is 6 m/s", "Write a short poem about running fast.", False),  # not a calculation
    ],
)
def test_stating_the_result_asked_for(message: str, request_: str, states: bool) -> None:
    assert states_the_result(message, request_) is states


def test_the_goals_figures_are_the_users_own_even_when_the_chatbot_said_them() -> None:
    # Seen on 2026-11-28: the goal holds every figure, the chatbot had repeated them, and all four
    # answers that gave them were refused; the dialogue ended inquirer_invalid after one turn.
    goal = "You feed each of your 20 chickens 3 cups of feed a day, in three meals."
    reply = "With 20 chickens at 3 cups each, I need to know how much you give in each meal."
    answer = "20 chickens, 3 cups each"
    assert not gives_nothing_new(answer, reply, [reply], wants_figures=True, goal=goal)
    assert gives_nothing_new(answer, reply, [reply], wants_figures=True)  # without the goal: the chatbot's


def test_the_prompts_instructions_copied_with_the_pronouns_turned_are_still_a_copy() -> None:
    # Seen on 2026-11-28, from "They include the details of their situation the chatbot will need".
    from llm_roleplay.nodes.inquirer_prompt import instructions
    from llm_roleplay.nodes.voice import copies_instructions
    from llm_roleplay.prompts import load_prompt

    shown = instructions(load_prompt("inquirer_open"))
    copied = "List the oldest cities. I need the details of your situation, like measurements or amounts."
    assert copies_instructions(copied, shown)
    assert not copies_instructions(
        "List the world's 10 oldest continuously inhabited cities, oldest first.", shown
    )
    # 0 of 3,000 real ShareGPT user messages (under 600 characters, a seeded sample) copy the
    # instructions of the five message prompts so; measured when the run was lowered from 6 to 5.
    # the prompts' talk reworded (grid run of 2026-11-29; 0 of 30,547 real user messages say it)
    reworded = (
        "sorry, I didn't receive the calories burned during each race information. could you please give "
        "me with the figures from your situation or make up some reasonable values for a realistic scenario?"
    )
    assert copies_instructions(reworded, shown)
    assert check(reworded) is Problem.ECHO
    # grid run of the evening of 2026-11-29
    assert copies_instructions("The figures your situation gives (20 chickens) are not sufficient.", shown)
    assert not copies_instructions("make up a story about a dragon for my kids", shown)


def test_a_message_cut_off_mid_phrase_is_rejected_and_the_chatbot_is_addressed_in_the_negative_too() -> None:
    # both seen on 2026-11-28
    assert check("The chatbot didn't list the") is Problem.CUT_OFF
    assert check("recommend a few places in France for a walking tour that don't") is Problem.CUT_OFF
    assert check("give me the 10 oldest cities, including the name of the city, its") is Problem.CUT_OFF
    assert check("Tell me how much feed is", turn=1) is Problem.CUT_OFF  # grid run of 2026-11-29
    assert check("how many chickens are there", turn=1) is not Problem.CUT_OFF
    assert check("how much feed do you think I", turn=1) is Problem.CUT_OFF  # reading run, 2026-11-29
    assert check("which letter do you think is i", turn=1) is not Problem.CUT_OFF
    assert check("recommend some good places in France for walking tours without") is Problem.CUT_OFF
    assert check("give me a list of places in France for a walking tour without any") is Problem.CUT_OFF
    # 0 of 30,547 real messages end on "the <word> that"; "like that", "do that" are whole
    assert check("list the places good for walking tours without including the ones that") is Problem.CUT_OFF
    assert check("can you do that") is None and check("is it like that") is None
    assert check("Tell me what is wrong with your answer.") is Problem.ROLE_CONFUSION  # the teacher's line
    assert (
        check("Explain why your answer is incorrect") is Problem.ROLE_CONFUSION
    )  # grid run, evening of 11-29
    helper = "can you please clarify or provide more context so I can help you better?"  # grid run, night
    assert check(helper) is Problem.ROLE_CONFUSION
    toured = "was there a particular view that stood out the most during the tour"  # grid run, night
    assert check(toured) is Problem.ROLE_CONFUSION
    assert check("which view stands out most on that tour?") is None
    assert check("go on") is None and check("is there anything I should watch out for") is None
    assert in_the_users_voice("the chatbot didn't list Babylon.") == "you didn't list Babylon."
    seen = "the chatbot skipped over a crucial step in calculating the distances"
    assert in_the_users_voice(seen) == "you skipped over a crucial step in calculating the distances"


@pytest.mark.parametrize(
    ("message", "problem"),
    [  # all seen on 2026-11-28, in dialogues the filters had kept
        (
            "could you please give me the time for each race and then I'll calculate it for you?",
            Problem.ROLE_CONFUSION,
        ),
        ("please draw a unicorn. I want it to look like the one in the picture.", Problem.ROLE_CONFUSION),
        # seen on 2026-11-28 late: the user's own distances asked of the chatbot
        ("let me know the distances and I'll calculate my speeds", Problem.ROLE_CONFUSION),
        # 2026-11-29: the details the chatbot needs, asked of the chatbot
        (
            "Can you give the number of lines, the style of a quatrain, or any other details you require",
            Problem.ROLE_CONFUSION,
        ),
        ("ask me for any details you need, then write the poem", None),
        (
            "I need you to refine this poem. Also you want to change the style of one of the quatrains.",
            Problem.LEAK,
        ),
    ],
)
def test_what_a_reader_still_found_in_kept_dialogues(message: str, problem: Problem) -> None:
    goal = "You want a poem about cats in four quatrains. Also you want to change the style of one quatrain."
    situation = Situation(goal=goal, turn=2, recent_replies=["Here is your poem about cats."])
    assert message_problem(message, situation) is problem
    assert in_the_users_voice("Chatbot! I'm looking for help creating a poem about cats.").startswith(
        "I'm looking"
    )
    seen = "Chatbot. How does the amount of feed given affect the chicken egg production rate?"
    assert in_the_users_voice(seen).startswith("How does")
    seen = "tour guide, could you make sure the walking tours in France don't involve serious climbing"
    assert in_the_users_voice(seen).startswith("could you make sure")


def test_a_complaint_does_not_take_itself_back() -> None:
    seen = (  # 2026-11-28, a reask after a wrong distance
        "Thanks for your help! I understand the problem now. I was thinking about spending one-third of "
        "the time walking and two-thirds running. The answer you provided was not accurate. I know you "
        "can do this quickly. Thank you!"
    )
    assert without_satisfaction(seen) == (
        "I was thinking about spending one-third of the time walking and two-thirds running. "
        "The answer you provided was not accurate. Thank you!"
    )
    assert without_satisfaction("thats still wrong, the total is 40") == "thats still wrong, the total is 40"
    assert without_satisfaction("Thanks for the answer.") == "Thanks for the answer."  # nothing else left


def test_the_chatbots_example_times_are_not_what_the_user_measured() -> None:
    # Reading run of 2026-11-29: the chatbot assumed 20, 30 and 40 seconds "for example", and the
    # user told them back as the actual times.
    reply = "Let's assume the times are: 50-meter race: 20 seconds, 100-meter race: 30 seconds, 200 m: 40 s."
    goal = "You timed your 50-meter, 100-meter and 200-meter races and want your speed in each."
    situation = Situation(
        goal=goal, turn=2, recent_replies=[reply], previous_user_messages=["whats my speed"]
    )
    seen = "Okay, I'll tell you the actual times. For the 50-meter race, it took me 20 seconds."
    assert message_problem(seen, situation) is Problem.ECHO
    assert message_problem("For the 50-meter race, it took me 8.3 seconds.", situation) is None


def test_the_chatbots_made_up_figures_are_not_what_the_user_knows() -> None:
    # Seen on 2026-11-28: the chatbot's "over 21 million inhabitants" came back as the user's knowledge.
    reply = "3. **Shanghai** - Established in 1842 BC - China - with over 21 million inhabitants"
    goal = "You want the 10 oldest cities, who founded the 3rd, where it is and its highest population."
    situation = Situation(goal=goal, turn=3, recent_replies=[reply], previous_user_messages=["list them"])
    seen = "Tell me where the 3rd oldest city is and its highest population. I know it had 21 million people"
    assert message_problem(seen, situation) is Problem.ECHO
    assert message_problem("Tell me where the 3rd oldest city is. Is 21 million right?", situation) is None
    own = Situation(
        goal=goal, turn=3, recent_replies=[reply], previous_user_messages=["I know it had 21 million"]
    )
    assert message_problem("I know it had 21 million, so what was the peak", own) is None  # the user's own


@pytest.mark.parametrize(
    ("message", "confused"),
    [
        (
            "I asked you to fix my broken heater. the heater's not working anymore and I need it fixed soon",
            True,
        ),
        ("Fix my heater.", True),  # both seen in `make demo`
        ("I need the heater fixed immediately. it's costing me a lot. can you look at it?", True),
        ("make the email a bit firmer, the heater still isn't fixed", False),
        ("write to my landlord to fix the heater, it's been broken a week", False),
        ("its been broken for a week, can you make it firmer", False),
    ],
)
def test_the_chatbot_is_not_asked_to_do_the_recipients_job(message: str, confused: bool) -> None:
    goal = "I want to write a short, polite email to my landlord asking to fix a broken heater."
    assert (message_problem(message, Situation(goal=goal, turn=4)) is Problem.ROLE_CONFUSION) is confused


def test_a_number_from_a_prompt_example_that_the_dialogue_never_held_is_a_copy() -> None:
    # Seen on 2026-11-28: the complaint example "why 45? ..." came back in three dialogues.
    shown = ["why 45? 3 times 12 is 36", "its for my 8 year old"]
    dialogue = ["You ran 6 hours, a third of the time running.", "That makes 18 miles in all."]
    assert copies_example("Explain why 45 miles is the total distance", shown, dialogue=dialogue)
    assert not copies_example("why 18 miles? that seems wrong", shown, dialogue=dialogue)
    assert not copies_example("i ran the 100 m in 8 s", shown, dialogue=dialogue)  # small numbers are common
    assert not copies_example("45 minutes is right", shown, dialogue=[*dialogue, "It takes 45 minutes."])
    # one figure among the user's own is no copy (run of 13:47 on 2026-11-29: race times refused)
    times = "the 50-meter race took me 15 seconds, the 100-meter 30 seconds, the 200-meter 45 seconds."
    races = ["You timed your 50-meter, 100-meter and 200-meter races."]
    assert not copies_example(times, ["about 45 min each way, by car"], dialogue=races)


def test_a_later_parts_figure_in_an_opening_is_asking_ahead() -> None:
    # Seen on 2026-11-28: "... Once I have that, I'd like to replace the 10th line with the number 73"
    parts = ["Draw a unicorn using the 'turtle' module.", "Substitute the 10th line with the value 73."]
    seen = "can you draw a unicorn with the turtle module? once I have it, put 73 in it"
    assert asks_ahead(seen, parts[:1], parts[1:])
    assert before_asking_ahead(seen, parts[:1], parts[1:]) == "can you draw a unicorn with the turtle module?"
    assert not asks_ahead("draw a unicorn with the turtle module, 3 colours", parts[:1], parts[1:])


def test_a_message_that_narrates_wanting_a_chatbot_is_a_role_confusion() -> None:
    goal = "You want to use the chatbot to create a poem about cats."
    seen = "I've been trying to create a poem about cats and I need a chatbot to help me with that."
    assert message_problem(seen, Situation(goal=goal)) is Problem.ROLE_CONFUSION
    assert message_problem("write me a poem about cats, 4 verses", Situation(goal=goal)) is None
    about_chatbots = "You want to build a chatbot for your eye clinic's website."
    asked = "what should a chatbot for an eye clinic say first?"
    assert message_problem(asked, Situation(goal=about_chatbots)) is None


def test_a_message_that_stops_after_a_prepositional_phrase_on_a_preposition_was_cut_off() -> None:
    # Seen on 2026-11-28 (the goal wanted the function in JavaScript).
    assert check("I need a function to count the number of vowels in a string in") is Problem.CUT_OFF
    assert check("count the number of vowels in a string using") is Problem.CUT_OFF  # grid run, evening
    assert check("which db is it using") is None
    assert check("find out what version of python my Mac is using") is None
    assert check("what is this string used for") is None and check("which file is the bug in") is None
    assert check("How many cups of feed do i") is Problem.CUT_OFF  # seen on 2026-11-28
    assert check("where am i going wrong, what should i do") is None
    assert check("Hey how many cups of feed do you") is Problem.CUT_OFF  # seen on 2026-11-28
    assert check("I need a function to count the vowels in a given string in") is Problem.CUT_OFF  # seen
    assert check("Is it possible to create a poem about cats that") is Problem.CUT_OFF  # seen
    assert check("ok now make the frontend for that") is None  # a real user's


@pytest.mark.parametrize(
    ("written", "typed"),
    [  # openings of the run of 2026-11-28
        (
            "I want to draw a unicorn using the 'turtle' module. can you help with that?",
            "I want to draw a unicorn using the 'turtle' module.",
        ),
        (
            "I need to calculate the speed for each of my races. Can you help me wtih that?",
            "I need to calculate the speed for each of my races. Can you help me wtih that?",  # a typo: kept
        ),
        (
            "I'm looking forward to drawing a unicorn. Can you help me with that? I want it detailed.",
            "I'm looking forward to drawing a unicorn. I want it detailed.",
        ),
        (
            "I want to know how far I can travel in six hours if I skip at 3 miles per hour",
            "How far can I travel in six hours if I skip at 3 miles per hour",
        ),
        (
            "I want to know if I can skip at 3 miles per hour for six hours",
            "I want to know if I can skip at 3 miles per hour for six hours",  # "if ..." is no question
        ),
        (
            "I want to know how fast I run different distances.",  # seen on 2026-11-28
            "How fast do I run different distances.",
        ),
        (
            "I want to know how many cups of feed I need for 20 chickens",
            "How many cups of feed do I need for 20 chickens",
        ),
        (
            "I want to know how many calories I burned in each race",
            "How many calories did I burn in each race",  # the past verb takes "did"
        ),
        (  # 2026-11-29: the same wrapping with "assist"
            "I'd like to know the speed for each of my races. can you assist me with that?",
            "I'd like to know the speed for each of my races.",
        ),
        ("can you help me with that?", "can you help me with that?"),  # nothing else to send
        ("can you help me write a cover letter?", "can you help me write a cover letter?"),
    ],
)
def test_a_request_is_not_wrapped_in_asking_for_help(written: str, typed: str) -> None:
    assert in_the_users_voice(written) == typed


def test_a_sentence_in_the_goals_you_is_a_leak_whatever_its_verb() -> None:
    goal = "You want to know how far you get. Also you are curious about the other way around."
    seen = "also you're curious about the other way around. how many miles if I walk a third?"
    assert message_problem(seen, Situation(goal=goal, turn=3)) is Problem.LEAK
    assert message_problem("you are wrong about the other way around", Situation(goal=goal, turn=3)) is None


def test_the_users_own_things_are_not_asked_of_the_chatbot() -> None:
    # Seen on 2026-11-28, after "Please provide me with the information you have about the chickens".
    goal = "You feed your chickens 3 cups each. The size of your flock is 20 chickens."
    situation = Situation(goal=goal, turn=2, recent_replies=["Please provide the information you have."])
    seen = "Provide me with the size of your flock and the amount of feed each chicken receives in each meal."
    assert message_problem(seen, situation) is Problem.ROLE_CONFUSION
    assert message_problem("my flock is 20 chickens, 3 cups each. is your answer right?", situation) is None
    # the judge's plan part speaks of "your claims" itself: asking for it is no confusion (seen: four
    # tries of "Make your claims stronger." refused, the dialogue lost)
    goal = "You want the chatbot to write a response that agrees with it, to make your claims stronger."
    planned = Situation(goal=goal, turn=2, related_texts=["Make your claims stronger"])
    assert message_problem("Make your claims stronger.", planned) is None
    assert (
        message_problem("Make your claims stronger.", Situation(goal=goal, turn=2)) is Problem.ROLE_CONFUSION
    )
    # a taste stays the user's own though the plan copies it (seen twice, sent to the chatbot)
    goal = "You want a poem about cats. Change one quatrain to the style of your favourite poet."
    part = "Change the style of one quatrain to reflect the distinctive style of your favourite poet."
    planned = Situation(goal=goal, turn=3, related_texts=[part])
    copied = "please change the style of one of the quatrains to reflect the style of your favourite poet."
    assert message_problem(copied, planned) is Problem.ROLE_CONFUSION
    assert message_problem("now make one of the verses sound like emily dickinson", planned) is None


def test_data_the_user_never_gave_is_not_referred_to() -> None:
    seen = "Can you calculate the feed given to my chickens in a day based on the information I provided?"
    goal = "You feed your 20 chickens 3 cups each."
    assert message_problem(seen, Situation(goal=goal, turn=1)) is Problem.ROLE_CONFUSION
    earlier = ["I have 20 chickens and give each 3 cups"]
    assert message_problem(seen, Situation(goal=goal, turn=2, previous_user_messages=earlier)) is None


def test_the_chatbots_guess_is_not_stated_as_the_users_own_fact() -> None:
    reply = "If you have 20 chickens, each needs 1-2 cups of feed per day, 20 cups in all."
    goal = "You feed each of your 20 chickens three cups a day."
    situation = Situation(
        goal=goal, turn=3, recent_replies=[reply], previous_user_messages=["i have 20 hens"]
    )
    seen = "How much feed for the final meal? I have 20 chickens and they need 1-2 cups each."
    assert message_problem(seen, situation) is Problem.ECHO
    assert message_problem("How much for the final meal? I have 20 chickens, 3 cups each.", situation) is None
    # nor as the assumption to work with (seen on 2026-11-28, after "Let's assume each chicken eats 2 cups")
    guessing = Situation(
        goal=goal, turn=3, recent_replies=["Let's assume each chicken eats 2 cups of feed per day."]
    )
    adopted = (
        "Provide the amount of feed needed for the final meal, assuming each chicken eats 2 cups per day."
    )
    assert message_problem(adopted, guessing) is Problem.ECHO
    considering = (
        "Provide the total feed for 20 chickens daily, considering each chicken eats 2 cups per day."
    )
    assert message_problem(considering, guessing) is Problem.ECHO  # seen in the run of 10:00
    assert message_problem("how much for the final meal? each chicken eats 3 cups a day", guessing) is None
    # a decimal point does not end the claim (seen on 2026-11-28: "0.5 pounds" passed as "0")
    example = Situation(
        goal=goal, turn=2, recent_replies=["For example, if each chicken eats 0.5 pounds ..."]
    )
    assert message_problem("the total for 20 chickens, considering they eat 0.5 pounds each", example) is (
        Problem.ECHO
    )


def test_own_times_that_share_one_figure_with_the_reply_are_not_the_replys() -> None:
    # run of 13:24 on 2026-11-29: refused as the chatbot's facts, for the reply's "60 seconds/minute"
    reply = (
        "To convert this to seconds, multiply the minutes by 60: 5 minutes × 60 seconds/minute = 300 seconds"
    )
    goal = "You use a stopwatch to time your 50-meter, 100-meter, and 200-meter races."
    situation = Situation(goal=goal, turn=2, recent_replies=[reply])
    own = (
        "I ran the 50-meter race in 30 seconds, the 100-meter race in 60 seconds, and the 200-meter race in "
        "90 seconds."
    )
    assert message_problem(own, situation) is None
    assert message_problem("it took me 300 seconds to run the 50-meter race.", situation) is Problem.ECHO


def test_the_direction_to_paste_is_not_typed_above_the_pasted_code() -> None:
    from llm_roleplay.nodes.rewrites import without_paste_direction

    seen = "make the `factorialize` function recursive to have memory optimal. paste the code"  # 2026-11-28
    assert (
        without_paste_direction(seen) == "make the `factorialize` function recursive to have memory optimal."
    )
    assert without_paste_direction("paste the code here: fix the loop in my function") == (
        "fix the loop in my function"
    )
    assert without_paste_direction("make it recursive. I will paste my code below.") == "make it recursive."
    # a question about pasting is the request itself; a message of nothing but the direction stays
    assert without_paste_direction("why does paste the code not work in vim") == (
        "why does paste the code not work in vim"
    )
    assert without_paste_direction("paste the code") == "paste the code"


def test_a_figure_of_the_situation_is_the_goals_own() -> None:
    # Seen on 2026-11-28: asked for the feed per chicken, a user whose goal says three cups each
    # answered "Each chicken eats about 0.75 cups of feed per day." and the chatbot computed 15 cups.
    goal = (
        "Every day, you feed each of your chickens three cups of feed, in three separate meals. In the "
        "morning, you give your flock 15 cups of feed. The size of your flock is 20 chickens."
    )
    situation = Situation(goal=goal, turn=2, recent_replies=["How much does each chicken eat?"])
    invented = "Each chicken eats about 0.75 cups of feed per day."
    assert message_problem(invented, situation) is Problem.CONTRADICTS_GOAL
    for own in (
        "each chicken eats 3 cups a day, i have 20 of them",
        "i give them 15 cups in the morning",
        "how many cups for the last meal if i have 20 chickens and give 15 cups in the morning?",
        "ok and how much feed per chicken for 2 meals?",  # asked, not claimed
    ):
        assert message_problem(own, situation) is None, own


def test_stating_ones_own_background_in_the_personas_words_is_a_leak() -> None:
    # `make demo` on 2026-11-28, asking for fluffier pancakes: "I have mixed background and want to
    # try something new".
    traits = ["35 to 44", "mixed", "office clerk", "United States"]
    situation = Situation(goal="You want fluffy pancakes without eggs.", turn=2, traits=traits)
    seen = "how to make my pancakes fluffier?\nI have mixed background and want to try something new"
    assert message_problem(seen, situation) is Problem.LEAK
    assert message_problem("how do i make them fluffier", situation) is None
    design = Situation(goal="You want a logo for your bakery.", turn=2, traits=["White", "baker"])
    assert message_problem("put the logo on a white background please", design) is None


def test_the_personas_wording_of_schooling_is_a_leak() -> None:
    # `roleplay run` on 2026-11-29: "suggest a simple recipe for pancakes without using eggs.\nI don't
    # have a school-leaving qualification and I'm looking for a recipe that can be made in a hurry"
    situation = Situation(goal="You want a simple recipe for pancakes without eggs.", turn=1)
    seen = (
        "suggest a simple recipe for pancakes without using eggs.\nI don't have a school-leaving "
        "qualification and I'm looking for a recipe that can be made in a hurry"
    )
    assert message_problem(seen, situation) is Problem.LEAK
    assert message_problem("a quick recipe for pancakes without eggs, i'm in a hurry", situation) is None


def test_a_complaint_that_is_all_thanks_takes_itself_back() -> None:
    from llm_roleplay.nodes.voice import takes_itself_back

    # grid run of 2026-11-29: sent as the complaint about a final meal the chatbot had got wrong
    seen = (
        "Thank you, that helps me understand how much feed is needed for 20 chickens for a day and how much "
        "is needed for the final meal."
    )
    assert takes_itself_back(seen)
    assert not takes_itself_back("Thank you, but the final meal should be 20 cups, not 25.")
    # grid run of the night of 2026-11-29, to stopwatch code given for the speeds
    assert takes_itself_back(
        "Wow, I never thought I could run a 200-meter race in 41.3 seconds. That's amazing"
    )
    assert not takes_itself_back("That's amazing, but where are my speeds?")


@pytest.mark.parametrize(
    ("message", "implausible"),
    [
        (  # grid run of 2026-11-29: the longest race run fastest
            "I completed the 50-meter race in 40 seconds, the 100-meter race in 25 seconds, and the "
            "200-meter race in 20 seconds, thanks.",
            True,
        ),
        ("my 100m took 8 seconds", True),  # faster than the world record
        ("50 m in 8.2 s, 100 m in 17 s, 200 m in 38 s", False),
        # the 200 m run 60% faster than the 50 m: nobody's running (changed on 2026-11-29)
        ("- 50-meter: 30 seconds\n- 100-meter: 52 seconds\n- 200-meter: 75 seconds", True),
        (  # grid run of 2026-11-29, the time told first: 1.7, 2.5 and 3.3 m/s
            "okay, I have the times for each race: 30 seconds for the 50-meter run, 40 seconds for the "
            "100-meter run, and 60 seconds for the 200-meter run.",
            True,
        ),
        ("50 m in 12 s, 100 m in 26 s, 200 m in 60 s", False),  # a slow runner's times
        ("it took me 12 seconds for the 50 m and 26 seconds for the 100 m", False),
        # a walk, not a run (the chatbot's example taken up, run of 13:11 on 2026-11-29)
        ("I finished the 50-meter race in 5 minutes, the 100-meter race in 10 minutes", True),
        ("the 200 m took me 1 minute", False),  # 3.3 m/s
    ],
)
def test_race_times_no_runner_has_contradict_the_goal(message: str, implausible: bool) -> None:
    assert (check(message) is Problem.CONTRADICTS_GOAL) is implausible


def test_a_race_time_given_again_as_another_contradicts_the_goal() -> None:
    told = "the times for each race: 50-meter: 27 seconds, 100-meter: 38 seconds, 200-meter: 55 seconds."
    changed = (
        "I ran a 200-meter race, it took me 28 seconds. how many calories did I burn?"  # grid run, 11:00
    )
    assert check(changed, turn=8, previous_user_messages=[told]) is Problem.CONTRADICTS_GOAL
    assert check("the 200-meter race took 55 seconds", turn=8, previous_user_messages=[told]) is None


def test_naming_ones_own_identity_unasked_is_a_leak() -> None:
    traits = ["25 to 34", "non-binary", "White", "electrician", "United States"]
    tours = "You plan a walking tour in France without serious climbing."
    seen = "is the Quai Branly open to non-binary guests"  # grid run of 2026-11-29
    assert message_problem(seen, Situation(goal=tours, turn=3, traits=traits)) is Problem.LEAK
    assert (
        message_problem("which tours have a white sand beach", Situation(goal=tours, turn=3, traits=traits))
        is None
    )
    story = "You want a short story about a non-binary knight."  # the goal's own subject
    assert (
        message_problem("make the non-binary knight braver", Situation(goal=story, turn=3, traits=traits))
        is None
    )
    # a name within the group's (grid run of 2026-11-29, a Hispanic or Latino persona)
    latino = ["55 to 64", "woman", "Hispanic or Latino", "Egypt", "retail worker"]
    chickens = "Every day, you feed each of your 20 chickens three cups of feed."
    mother = "I'm feeding my Spanish/Latino mother 15 cups of mixed chicken feed in the morning"
    assert message_problem(mother, Situation(goal=chickens, turn=3, traits=latino)) is Problem.LEAK
    pepper = "how much black pepper for 20 chickens"  # not a name of the group of its own
    black = ["55 to 64", "Black or African American", "electrician"]
    assert message_problem(pepper, Situation(goal=chickens, turn=3, traits=black)) is not Problem.LEAK


def test_the_users_schooling_in_the_first_person_is_a_leak() -> None:
    # Grid run of the evening of 2026-11-29, a unicorn to draw with turtle.
    traits = ["55 to 64", "non-binary", "Black or African American", "high-school diploma", "electrician"]
    unicorn = "You want to draw a unicorn in python using the 'turtle' module."
    said = "please draw a unicorn using the 'turtle' module. i have a high-school diploma and want to create"
    assert message_problem(said, Situation(goal=unicorn, turn=1, traits=traits)) is Problem.LEAK
    daughter = "draw a unicorn for my daughter, she just got her high-school diploma"
    assert message_problem(daughter, Situation(goal=unicorn, turn=1, traits=traits)) is None
    resume = "You want a resume that lists your degree and your work as an electrician."
    own = "i have a high-school diploma, put it first"
    assert message_problem(own, Situation(goal=resume, turn=2, traits=traits)) is not Problem.LEAK


def test_asking_for_the_opposite_of_the_goal_contradicts_it() -> None:
    factorial = "You want the chatbot to make your factorial function recursive, memory optimal."
    seen = (
        "Make the factorialize function iterative instead of recursive to optimize memory usage"  # grid run
    )
    assert asks_the_opposite(seen, factorial, set())
    assert message_problem(seen, Situation(goal=factorial, turn=2)) is Problem.CONTRADICTS_GOAL
    assert not asks_the_opposite("make it recursive instead of a loop", factorial, set())
    pancakes = "You want a simple recipe for pancakes without eggs."
    assert not asks_the_opposite(
        "can I use applesauce instead of eggs?", pancakes, excluded_things([pancakes])
    )
    assert asks_the_opposite("a recipe for waffles instead of pancakes", pancakes, set())


def test_topic_words_of_a_prompt_example_that_the_dialogue_never_held_are_a_copy() -> None:
    # Grid run of the night of 2026-11-29, a chatbot asked to agree with a statement on technology.
    shown = [
        "no thats not what i asked, read my question again",
        "thats the same as before, the total is still wrong",
        "wait where is the second one? you only did the first",
    ]
    dialogue = [
        "You want a response that agrees that technology causes all societal problems.",
        "I agree ...",
    ]
    seen = "Tell me where the second one is. How did you get the total wrong?"
    assert borrows_complaint_topics(seen, shown, dialogue)
    situation = Situation(goal=dialogue[0], turn=5, complaint_examples=shown)
    assert message_problem(seen, situation) is Problem.ECHO
    assert not borrows_complaint_topics("that still doesnt agree with it, wrong again", shown, dialogue[:1])
    sums = ["how much feed in a day?", "The total is 45 cups, the second meal 25."]
    assert not borrows_complaint_topics("the total is wrong, the second meal was 25", shown, sums)


def test_a_split_of_time_the_goal_does_not_have_contradicts_it() -> None:
    # Grid run of the night of 2026-11-29: "half the time running and two-thirds walking" from a
    # user whose goal splits six hours in thirds.
    goal = "You skip at 3 miles per hour and spend one-third of the time running and two-thirds walking."
    other = "The other way around (one-third of the time walking and two-thirds for running)."
    seen = (
        "how far can I skip if I take 3 miles per hour and spend half the time running and two-thirds walking"
    )
    assert (
        message_problem(seen, Situation(goal=goal, turn=3, related_texts=[other])) is Problem.CONTRADICTS_GOAL
    )
    swapped = "and if I spend one-third of the time walking and two-thirds running?"
    assert message_problem(swapped, Situation(goal=goal, turn=3, related_texts=[other])) is None
    # ... and the opposite wish by its own word (the goal: recursive)
    factorial = "You want the chatbot to make your factorial function recursive."
    assert asks_the_opposite("How to make the function iterative to avoid infinite loops", factorial, set())

"""Bad inquirer outputs are regenerated, the good one is used, and each rejection is counted."""

from __future__ import annotations

from typing import Any

import pytest

from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.own_facts import in_first_person
from llm_roleplay.nodes.state import TerminationReason
from llm_roleplay.records import record_from_state
from tests.unit.scripted_models import (
    GOAL,
    PERSONA_TEXT,
    USER_MESSAGES,
    ScriptedInquirer,
    assistant_texts,
    run_roleplay,
    user_texts,
)

GOOD = "hi, my starter smells odd, what should i do?"

# (kind, bad opening message) for every kind of bad message that can open a dialogue.
BAD_OPENINGS = [
    pytest.param("empty", "", id="empty"),
    pytest.param("empty", "  ...  ", id="punctuation-only"),
    pytest.param("empty", '""', id="empty-quotes"),
    pytest.param("role_break", "As an AI language model, I can help you bake bread.", id="as-an-ai"),
    pytest.param("role_break", "User: hi\nAssistant: hello, how can I help?", id="script-both-sides"),
    pytest.param("role_break", "Sure! Here's a simple sourdough recipe for you.", id="assistant-voice"),
    pytest.param("role_break", "I'm roleplaying a retired man who wants bread tips.", id="says-roleplay"),
    pytest.param("role_break", "<|im_start|>user how do i bake?", id="template-token"),
    pytest.param(  # seen on 2026-11-28: the task's instructions written out as the message
        "role_break",
        "Complain that you does not give the recipe. Provide it using realistic made-up values.",
        id="instructions-written-out",
    ),
    pytest.param(
        "leak",
        "hello, I am a retired electrician from Leeds who types in short lowercase sentences",
        id="persona-leak",
    ),
    pytest.param(
        "leak",
        "I want to learn how to keep a sourdough starter alive and bake a first loaf of bread",
        id="goal-leak",
    ),
]


@pytest.mark.parametrize(("kind", "bad"), BAD_OPENINGS)
def test_bad_opening_is_regenerated_and_counted(kind: str, bad: str) -> None:
    inquirer = ScriptedInquirer(messages=[bad, GOOD])
    state = run_roleplay(inquirer, max_turns=1, max_regenerations=2)

    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert user_texts(state) == [GOOD]
    assert state["regenerations"] == {kind: 1}
    assert inquirer.calls == ["open", "open"]
    assert state["usage"]["inquirer"]["calls"] == 2


@pytest.mark.parametrize(("kind", "bad"), BAD_OPENINGS)
def test_exhausted_regenerations_end_as_inquirer_invalid(kind: str, bad: str) -> None:
    inquirer = ScriptedInquirer(messages=[bad] * 3 + [GOOD])
    state = run_roleplay(inquirer, max_turns=1, max_regenerations=2)

    assert state["termination_reason"] == TerminationReason.INQUIRER_INVALID
    assert state.get("messages", []) == []
    # every rejected output is counted: the first try and both regenerations
    assert state["regenerations"] == {kind: 3}
    assert inquirer.calls == ["open"] * 3
    assert state["filter"]["keep"] is False
    assert "ended_by_error" in state["filter"]["reasons"]


def test_no_regeneration_allowed_ends_at_the_first_bad_output() -> None:
    inquirer = ScriptedInquirer(messages=["", GOOD])
    state = run_roleplay(inquirer, max_regenerations=0)

    assert state["termination_reason"] == TerminationReason.INQUIRER_INVALID
    assert state["regenerations"] == {"empty": 1}
    assert inquirer.calls == ["open"]


@pytest.mark.parametrize(
    "wrapped", [f'"{GOOD}"', f"“{GOOD}”", f"User: {GOOD}", f'{GOOD}"\n(A worried tone.)'], ids=repr
)
def test_labels_and_quotes_are_cleaned_not_regenerated(wrapped: str) -> None:
    inquirer = ScriptedInquirer(messages=[wrapped])
    state = run_roleplay(inquirer, max_turns=1)

    assert user_texts(state) == [GOOD]
    assert state["regenerations"] == {}


@pytest.mark.parametrize(
    "repeat",
    [
        USER_MESSAGES[0],
        USER_MESSAGES[0].upper(),
        USER_MESSAGES[0].rstrip("?") + "!!",
        f'"{USER_MESSAGES[0]}"',
    ],
    ids=["exact", "upper-case", "punctuation", "quoted"],
)
def test_repeat_of_an_earlier_user_message_is_regenerated(repeat: str) -> None:
    inquirer = ScriptedInquirer(messages=[USER_MESSAGES[0], repeat, USER_MESSAGES[1]], decisions=["NO"])
    state = run_roleplay(inquirer, max_turns=2)

    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert user_texts(state) == list(USER_MESSAGES[:2])
    assert state["regenerations"] == {"repeat": 1}
    assert inquirer.calls == ["open", "assess", "reask", "reask"]


def test_repeats_exhausting_regenerations_end_as_inquirer_invalid() -> None:
    # the reply delivered: a repeat is no request for the next step (a complaint resends, below)
    inquirer = ScriptedInquirer(messages=[USER_MESSAGES[0]] * 4, decisions=["YES"])
    parts = ["keep a sourdough starter going", "how often to feed the starter"]
    state = run_roleplay(inquirer, goal_parts=parts, max_turns=5, max_regenerations=2)

    assert state["termination_reason"] == TerminationReason.INQUIRER_INVALID
    assert user_texts(state) == [USER_MESSAGES[0]]
    assert len(assistant_texts(state)) == 1
    assert state["regenerations"] == {"repeat": 3}


def test_mixed_problems_are_counted_by_kind() -> None:
    inquirer = ScriptedInquirer(
        messages=["", "As an AI, I think so.", USER_MESSAGES[0], "", USER_MESSAGES[0], USER_MESSAGES[1]],
        decisions=["NO"],
    )
    state = run_roleplay(inquirer, max_turns=2, max_regenerations=3)

    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert user_texts(state) == list(USER_MESSAGES[:2])
    assert state["regenerations"] == {"empty": 2, "role_break": 1, "repeat": 1}


@pytest.mark.parametrize("unparseable", ["maybe", "", "I am not sure yet.", "OK"])
def test_an_unparseable_reading_is_counted_and_taken_as_not_delivered(unparseable: str) -> None:
    """One call per reading, never re-asked: the user asks again, as after a NO."""
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:2], decisions=[unparseable])
    state = run_roleplay(inquirer, max_turns=2, max_regenerations=2)

    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert user_texts(state) == list(USER_MESSAGES[:2])
    assert state["regenerations"] == {"unparseable": 1}
    assert inquirer.calls == ["open", "assess", "reask"]
    assert state["goal_progress"] == [{"turn": 1, "part": 0, "status": "not_delivered", "p_yes": None}]


def test_yes_with_punctuation_is_read() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["Yes."])
    state = run_roleplay(inquirer, max_turns=5)

    assert state["termination_reason"] == TerminationReason.GOAL_CLAIMED
    assert state["regenerations"] == {}


def test_regeneration_counts_add_up_over_turns() -> None:
    inquirer = ScriptedInquirer(
        messages=["", USER_MESSAGES[0], "", USER_MESSAGES[1], "", USER_MESSAGES[2]], decisions=["NO", "NO"]
    )
    state = run_roleplay(inquirer, max_turns=3)

    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert user_texts(state) == list(USER_MESSAGES[:3])
    assert state["regenerations"] == {"empty": 3}


def test_leak_fixtures_are_really_copies() -> None:
    """Guard for the leak cases above: the bad messages copy the persona and goal texts."""
    assert "retired electrician from Leeds who types in short lowercase sentences" in PERSONA_TEXT
    assert "how to keep a sourdough starter alive and bake a first loaf of bread" in GOAL.lower()


def test_code_in_the_goal_is_pasted_below_the_opening_as_is() -> None:
    goal = "You want this function recursive. ``` def f(n): return 1 if n < 2 else n * f(n - 1) ```"
    inquirer = ScriptedInquirer(messages=["make this recursive pls"])
    state = run_roleplay(inquirer, goal=goal, max_turns=1)

    assert user_texts(state) == ["make this recursive pls\n\ndef f(n): return 1 if n < 2 else n * f(n - 1)"]


def test_asked_for_data_a_user_who_asks_back_is_regenerated() -> None:
    inquirer = ScriptedInquirer(messages=[USER_MESSAGES[0], "what times do you mean?", "about 8 s and 17 s"])
    asking = "To work out your speed I need your times. What were your times for each race?"
    state = run_roleplay(inquirer, chatbot=lambda messages: asking, max_turns=2)

    assert user_texts(state) == [USER_MESSAGES[0], "about 8 s and 17 s"]
    assert state["regenerations"] == {"role_confusion": 1}
    assert inquirer.calls == ["open", "answer", "answer"]  # no reading: the chatbot asked


def test_an_answer_that_never_gives_the_users_own_figures_falls_back_to_a_reask() -> None:
    assuming = "Let's assume you ran the 100 m in 20 s. Then your speed is 100 / 20 = 5 m/s."
    parroting = ["100 m in 20 s", "20 s for 100 m", "so 5 m/s", "it was 20 s"]  # the chatbot's figures
    inquirer = ScriptedInquirer(messages=[USER_MESSAGES[0], *parroting, "no, i ran it in 17 s, redo it"])
    state = run_roleplay(inquirer, chatbot=lambda messages: assuming, max_turns=2)

    assert user_texts(state) == [USER_MESSAGES[0], "no, i ran it in 17 s, redo it"]
    assert state["regenerations"] == {"echo": 4}
    assert inquirer.calls == ["open", "answer", "answer", "answer", "answer", "reask"]
    assert "it needs details only the person knows" in str(inquirer.prompts[-1])


def test_a_method_without_a_result_to_a_user_who_gave_no_figures_gets_their_figures() -> None:
    # Seen: "how can I calculate my speed for each race please?", the formula, and then "I can't run
    # a 50-meeter race with my stopwatch because it doesn't work" from a user who had timed them.
    goal = "You timed your 50 m and 100 m races with a stopwatch and want to calculate your speed in each."
    method = "Speed = distance / time. Divide each distance by the time it took you."
    no_figures = "my stopwatch doesnt work, can you just tell me my speed"
    inquirer = ScriptedInquirer(
        messages=[
            "how do i work out my speed for the 50 m and 100 m races",
            no_figures,
            "50 m in 8.4 s and 100 m in 17.9 s",
        ]
    )
    state = run_roleplay(inquirer, chatbot=lambda messages: method, goal=goal, max_turns=2)

    assert user_texts(state) == [
        "how do i work out my speed for the 50 m and 100 m races",
        "50 m in 8.4 s and 100 m in 17.9 s",
    ]
    # a complaint without the figures is a preference: tried again, sent only if nothing better comes
    assert state["regenerations"] == {"missing_details": 1}
    assert inquirer.calls == ["open", "reask", "reask"]  # no reading: the reply evidently has no result
    assert "they give them now" in str(inquirer.prompts[-1])
    # what the guard stopped is kept for the reader, in the state and in the record
    assert state["rejected"] == [{"turn": 2, "problem": "missing_details", "text": no_figures}]
    record = record_from_state(state, Context(inquirer_model="fake", chatbot_model="fake"))
    assert record.rejected == state["rejected"]


def test_asked_for_their_figures_again_the_user_gives_a_new_one() -> None:
    # Seen on 2026-11-28: given the method three times, the user restated "a 50-meter, 100-meter, and
    # 200-meter race" each time and never gave a time.
    goal = "You timed your 50 m and 100 m races with a stopwatch and want to calculate your speed in each."
    method = "Speed = distance / time. Divide each distance by the time it took you."
    opening = "how do i work out my speed for the 50 m and 100 m races"
    restated = "im timing a 50 m and a 100 m race, give me an example of how to do it"
    timed = "ok so 50 m took me 8.4 s and 100 m took 17.9 s"
    inquirer = ScriptedInquirer(messages=[opening, restated, timed])
    state = run_roleplay(inquirer, chatbot=lambda messages: method, goal=goal, max_turns=2)
    assert user_texts(state) == [opening, timed]
    assert state["rejected"] == [{"turn": 2, "problem": "missing_details", "text": restated}]


def test_asked_for_their_figures_the_user_gives_inputs_not_the_result() -> None:
    # Seen on 2026-11-28, asked how to work out the speed: "speed: 0.33 km/min, Calories burned: 2250 cal."
    goal = "You timed your 50 m and 100 m races with a stopwatch and want to calculate your speed in each."
    asking = "To calculate your speed I need the time of each race. What were your times?"
    result = "speed: 6.1 m/s and 5.9 m/s"
    inquirer = ScriptedInquirer(
        messages=["work out my speeds for the 50 m and 100 m pls", result, "50 m in 8.2 s, 100 m in 17 s"]
    )
    state = run_roleplay(inquirer, chatbot=lambda messages: asking, goal=goal, max_turns=2)

    assert user_texts(state)[-1] == "50 m in 8.2 s, 100 m in 17 s"
    assert state["rejected"] == [{"turn": 2, "problem": "role_confusion", "text": result}]


def test_a_first_calculation_asked_without_the_situations_figures_is_tried_again() -> None:
    # Seen on 2026-11-28: "Calculate the total amount of feed given to the chickens in a day." from a
    # user with 20 hens at 3 cups each; the chatbot assumed 2 pounds a hen and the user took that up.
    goal = "You feed each of your 20 chickens 3 cups of feed a day and want to calculate the total."
    vague = "whats the total amount of feed for my chickens in a day"
    with_figures = "i have 20 chickens, 3 cups each a day. whats the total"
    inquirer = ScriptedInquirer(messages=[vague, with_figures])
    state = run_roleplay(inquirer, goal=goal, max_turns=1)
    assert user_texts(state) == [with_figures]
    assert state["rejected"] == [{"turn": 1, "problem": "missing_details", "text": vague}]

    # one figure of two is not the situation either: the chatbot guessed the cups each
    one_figure = "how many cups of feed do my 20 chickens need a day"
    inquirer = ScriptedInquirer(messages=[one_figure, with_figures])
    state = run_roleplay(inquirer, goal=goal, max_turns=1)
    assert user_texts(state) == [with_figures]
    assert state["rejected"] == [{"turn": 1, "problem": "missing_details", "text": one_figure}]

    # a preference, not a rule: when no try gives a figure, the first is sent
    inquirer = ScriptedInquirer(messages=[vague, vague + " pls", vague + " thx", vague + " now"])
    state = run_roleplay(inquirer, goal=goal, max_turns=1, max_regenerations=3)
    assert user_texts(state) == [vague]
    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert [entry["problem"] for entry in state["rejected"]] == ["missing_details"] * 3


def test_a_first_calculation_is_asked_with_every_figure_of_the_scene() -> None:
    # Grid run of 2026-11-29: the skipping user never said they run four times as fast as they walk,
    # and the chatbot took 3 miles an hour for the running speed.
    goal = (
        "You can run four times faster than you can walk. You want to know how many miles you travel in "
        "six hours if you skip at 3 miles per hour and spend one-third of the time running."
    )
    parts = ["Calculate how many miles you travel in six hours if you skip at 3 miles per hour."]
    without_relation = "how far do i get in six hours skipping at 3 mph if i run a third of the time"
    with_relation = "i run 4 times as fast as i walk. how far in six hours skipping at 3 mph, running a third"
    inquirer = ScriptedInquirer(messages=[without_relation, with_relation])
    state = run_roleplay(inquirer, goal=goal, goal_parts=parts, max_turns=1)
    assert user_texts(state) == [with_relation]
    assert state["rejected"] == [{"turn": 1, "problem": "missing_details", "text": without_relation}]
    # when no try gives it, the scene is told after the first try, in the user's words
    inquirer = ScriptedInquirer(messages=[without_relation] * 3)
    state = run_roleplay(inquirer, goal=goal, goal_parts=parts, max_turns=1, max_regenerations=2)
    assert user_texts(state) == [f"{without_relation}. I can run four times faster than I can walk."]


def test_a_next_calculation_is_asked_with_the_figures_the_goal_asks_it_with() -> None:
    # Grid run of 2026-11-29: "How many cups of feed do I need to give my chickens in the final meal
    # of the day?" never said the flock was 20 chickens; the chatbot answered "3 cups" and the user
    # took it. The goal's own question for that part holds the 20.
    goal = (
        "Every day, you feed each of your chickens three cups of feed. In the morning, you give your flock "
        "15 cups. You want to know the total a day. Then you want to know how many cups of feed you need "
        "to give your chickens in the final meal of the day if the size of your flock is 20 chickens?"
    )
    parts = [
        "Calculate the total feed a day.",
        "Determine the amount of feed needed for the final meal of the day.",
    ]
    opening = "3 cups each and 15 in the morning, whats the total a day"
    no_flock = "how many cups do i give them in the final meal of the day?"
    flock = "how many cups for the final meal then, i have 20 chickens"
    inquirer = ScriptedInquirer(messages=[opening, no_flock, flock], decisions=["YES"])
    state = run_roleplay(inquirer, goal=goal, goal_parts=parts, max_turns=2)
    assert user_texts(state) == [opening, flock]
    assert state["rejected"] == [{"turn": 2, "problem": "missing_details", "text": no_flock}]


def test_a_calculation_that_no_try_gives_the_figures_of_gets_the_situation_told_after_it() -> None:
    # Run of 2026-11-28: no try gave the three cups, the chatbot assumed 0.5 pounds a hen, and 33
    # tries after it never recovered.
    goal = (
        "Every day, you feed each of your chickens three cups of feed. In the morning, you give your flock "
        "15 cups. You want to know how many cups you need in the final meal for 20 chickens."
    )
    vague = "whats the total amount of feed for my chickens in a day"
    inquirer = ScriptedInquirer(messages=[vague, vague + " pls"])
    state = run_roleplay(inquirer, goal=goal, max_turns=1, max_regenerations=1)
    assert user_texts(state) == [
        f"{vague}. Every day, I feed each of my chickens three cups of feed. "
        "In the morning, I give my flock 15 cups."
    ]
    # ... and the condition of the question the part comes from, and of the tries the one that gives
    # most of the goal's figures (grid run of the evening of 2026-11-29: the flock of 20 was in the
    # second try, the first was sent with the scene and no flock, and "40 cups" was taken)
    chickens = (
        "Every day, you feed each of your chickens three cups of feed. In the morning, you give your flock "
        "15 cups. You want to know how many cups of feed you need in the final meal of the day if the size "
        "of your flock is 20 chickens?"
    )
    part = "Determine the amount of feed needed for the final meal of the day."
    no_flock = "whats the amount of feed needed for the final meal of the day?"
    flock = "how much feed in the final meal of the day if my flock is 20 chickens?"
    inquirer = ScriptedInquirer(messages=[no_flock, flock])
    state = run_roleplay(inquirer, goal=chickens, goal_parts=[part], max_turns=1, max_regenerations=1)
    assert user_texts(state) == [
        f"{flock} Every day, I feed each of my chickens three cups of feed. "
        "In the morning, I give my flock 15 cups."
    ]
    inquirer = ScriptedInquirer(messages=[no_flock, no_flock + " pls"])
    state = run_roleplay(inquirer, goal=chickens, goal_parts=[part], max_turns=1, max_regenerations=1)
    assert user_texts(state)[0].endswith("I give my flock 15 cups. The size of my flock is 20 chickens.")
    # a closing thanks stays last (grid run of the evening of 2026-11-29)
    inquirer = ScriptedInquirer(messages=[f"{vague}?\nThanks", f"{vague} pls"])
    state = run_roleplay(inquirer, goal=goal, max_turns=1, max_regenerations=1)
    assert user_texts(state)[0].startswith(f"{vague}? Every day, I feed")
    assert user_texts(state)[0].endswith("15 cups.\nThanks")
    # told as the person's own: "you" and "your" are "I", "me" and "my"
    assert (
        in_first_person("It takes you 8 s, and you run your best.") == "It takes me 8 s, and I run my best."
    )


def test_a_sentence_introducing_the_user_by_the_personas_traits_is_left_out() -> None:
    # Seen on 2026-11-28: all four openings of one dialogue introduced the user ("I'm a 55-year-old
    # electrician from Brazil ..."), and the dialogue ended inquirer_invalid before it began.
    persona = {"age_bracket": "55-64", "occupation": "electrician", "region": "brazil"}
    goal = "You want to draw a unicorn in python using the 'turtle' module."
    opening = (
        "please help me draw a unicorn with the turtle module. I'm an electrician from Brazil, so go slow."
    )
    inquirer = ScriptedInquirer(messages=[opening])
    state = run_roleplay(inquirer, goal=goal, persona=persona, max_turns=1)
    assert user_texts(state) == ["please help me draw a unicorn with the turtle module."]
    assert state["regenerations"] == {}
    # the request told in the same sentence stays (reading run of the evening of 2026-11-29: the
    # sentence went whole and "How do I do that? ..." was sent without what "that" was)
    tomatoes = "You want to grow tomatoes on your balcony."
    grower = "I'm an electrician from Brazil and I want to grow tomatoes on my balcony. How do I start?"
    state = run_roleplay(ScriptedInquirer(messages=[grower]), goal=tomatoes, persona=persona, max_turns=1)
    assert user_texts(state) == ["I want to grow tomatoes on my balcony. How do I start?"]
    # ... or the wondering (grid run of the night of 2026-11-29: "How do I do that? ..." was sent alone)
    wondering = (
        "Hi there! I'm an electrician from Brazil and I was wondering how I can grow tomatoes. Any tips?"
    )
    state = run_roleplay(ScriptedInquirer(messages=[wondering]), goal=tomatoes, persona=persona, max_turns=1)
    assert "I was wondering how I can grow tomatoes" in user_texts(state)[0]
    assert "electrician" not in user_texts(state)[0]


def test_the_next_part_is_asked_for_in_words_of_its_own() -> None:
    # Seen on 2026-11-28: asked for the next part ("ensure that the function does not enter an
    # infinite loop"), the user asked for the delivered first part again.
    goal = "You want your factorial function recursive, and sure not to enter an infinite loop."
    parts = ["Make the function recursive.", "Ensure that the function does not enter an infinite loop."]
    again = "could you please make the function recursive"
    next_part = "what if someone passes -1, will it loop forever?"
    inquirer = ScriptedInquirer(messages=["make my factorial recursive", again, next_part], decisions=["YES"])
    recursive = "```python\ndef factorial(n):\n    return 1 if n < 2 else n * factorial(n - 1)\n```"
    state = run_roleplay(
        inquirer, chatbot=lambda messages: recursive, goal=goal, goal_parts=parts, max_turns=2
    )
    assert user_texts(state) == ["make my factorial recursive", next_part]
    assert state["rejected"] == [{"turn": 2, "problem": "misses_part", "text": again}]
    # ... and asks for it: the chatbot's code told back to it asks nothing (grid run of the night of
    # 2026-11-29)
    told = "your recursive factorial function does not enter an infinite loop. it uses memoization."
    inquirer = ScriptedInquirer(messages=["make my factorial recursive", told, next_part], decisions=["YES"])
    state = run_roleplay(
        inquirer, chatbot=lambda messages: recursive, goal=goal, goal_parts=parts, max_turns=2
    )
    assert user_texts(state) == ["make my factorial recursive", next_part]
    assert state["rejected"] == [{"turn": 2, "problem": "misses_part", "text": told}]


def test_the_other_case_stated_in_full_asks_for_it() -> None:
    # Reading run of 2026-11-28: three messages stating the swapped case were refused in one turn
    # for not saying "the other way around".
    goal = "You want to know how far you get in 6 hours, one-third running and two-thirds walking, and back."
    parts = [
        "How many miles in six hours if you spend one-third of the time running and two-thirds walking.",
        "The other way around (one-third of the time walking and two-thirds for running).",
    ]
    stated = "and if I spend one-third of the time walking and two-thirds running?"
    inquirer = ScriptedInquirer(
        messages=["how far in 6 hours, 1/3 running 2/3 walking", stated], decisions=["YES"]
    )
    state = run_roleplay(inquirer, goal=goal, goal_parts=parts, max_turns=2)
    assert user_texts(state)[1] == stated
    assert state["rejected"] == []
    # the first split typed again is no request for the other (grid run of the evening of 2026-11-29)
    again = "how many miles in six hours if I spend one-third of the time running and two-thirds walking"
    inquirer = ScriptedInquirer(
        messages=["how far in 6 hours, 1/3 running 2/3 walking", again, stated], decisions=["YES"]
    )
    state = run_roleplay(inquirer, goal=goal, goal_parts=parts, max_turns=2)
    assert user_texts(state)[1] == stated
    assert state["rejected"] == [{"turn": 2, "problem": "misses_part", "text": again}]
    # ... nor is it in a complaint about the other case (grid run of the night of 2026-11-29)
    first = "how much if I spend one-third of the time running and two-thirds walking"
    complaint = "that's the same answer as before, the other way around should differ"
    inquirer = ScriptedInquirer(
        messages=["how far in 6 hours, 1/3 running 2/3 walking", stated, first, complaint], decisions=["YES"]
    )
    state = run_roleplay(
        inquirer, chatbot=lambda messages: "You can go 18 miles.", goal=goal, goal_parts=parts, max_turns=3
    )
    assert user_texts(state)[2] == complaint
    assert {"turn": 3, "problem": "misses_part", "text": first} in state["rejected"]
    # a message naming none of the case's words still does not ask for it
    vague = "ok what else can you tell me about that"
    inquirer = ScriptedInquirer(
        messages=["how far in 6 hours, 1/3 running 2/3 walking", vague, stated], decisions=["YES"]
    )
    state = run_roleplay(inquirer, goal=goal, goal_parts=parts, max_turns=2)
    assert user_texts(state)[1] == stated
    assert state["rejected"] == [{"turn": 2, "problem": "misses_part", "text": vague}]


def test_a_complaint_that_only_repeats_the_request_is_resent_as_people_resend() -> None:
    # Run of 2026-11-28: told the reply was wrong, the small model typed its opening again three
    # times, and the dialogue was lost as inquirer_invalid.
    goal = (
        "You have written a content that disagrees with the following statement: 'Technology is the cause "
        "of all societal problems' And you want the chatbot to generate a response that agrees with the "
        "statement, to make your claims stronger."
    )
    opening = "Could you write a response that agrees with technology causing all our problems?"
    inquirer = ScriptedInquirer(messages=[opening] * 5, decisions=["NO"])
    state = run_roleplay(inquirer, goal=goal, max_turns=2, max_regenerations=3)
    assert user_texts(state) == [opening, "no, c" + opening[1:]]
    assert [entry["problem"] for entry in state["rejected"]] == ["repeat"] * 3
    # a try that says what is wrong is sent instead
    complaint = "that disagrees with it, I need one that agrees"
    inquirer = ScriptedInquirer(messages=[opening, opening, complaint], decisions=["NO"])
    state = run_roleplay(inquirer, goal=goal, max_turns=2, max_regenerations=3)
    assert user_texts(state) == [opening, complaint]


def test_a_complaint_that_is_all_delight_is_tried_again() -> None:
    # Seen on 2026-11-28, right after the chatbot had refused to list the cities.
    goal = "You want the list of the world's 10 oldest continuously inhabited cities."
    delight = "Wow, I didn't know that the world's 10 oldest cities are so diverse and interesting!"
    complaint = "you didnt list any city, just give me the 10 oldest ones"
    refusal = "I'm committed to not discussing historical events."

    class Refusing:
        def __call__(self, prompt: list[dict[str, Any]]) -> str:
            return refusal

    inquirer = ScriptedInquirer(messages=["whats the 10 oldest cities", delight, complaint], decisions=["NO"])
    state = run_roleplay(inquirer, chatbot=Refusing(), goal=goal, max_turns=2)
    assert user_texts(state) == ["whats the 10 oldest cities", complaint]
    assert state["rejected"] == [{"turn": 2, "problem": "takes_back", "text": delight}]


def test_an_opening_without_a_word_of_the_first_part_is_tried_again() -> None:
    # Seen on 2026-11-28: "can you help me with that?" opened a dialogue about a poem.
    goal = "You want a poem about cats in four quatrains."
    vague = "can you help me with that?"
    inquirer = ScriptedInquirer(messages=[vague, "write me a poem about cats, 4 quatrains"])
    state = run_roleplay(inquirer, goal=goal, max_turns=1)
    assert user_texts(state) == ["write me a poem about cats, 4 quatrains"]
    assert state["rejected"] == [{"turn": 1, "problem": "misses_part", "text": vague}]


def test_an_opening_that_skips_one_step_of_a_long_plan_is_sent_when_no_try_does_better() -> None:
    # Seen on 2026-11-28: the judge's plan began with a step the goal never asks for, and the natural
    # opening was refused until the dialogue ended invalid.
    goal = "You give your 20 chickens 15 cups in the morning and 25 in the afternoon."
    parts = [
        "Calculate the total amount of feed given in a day.",
        "Determine the cups needed for the final meal of the day.",
        "Explain how egg production depends on the feed.",
    ]
    skips = "how many cups do i need for the final meal of the day, i have 20 chickens"
    everything = "how many cups for the final meal and how does egg production depend on it"
    inquirer = ScriptedInquirer(messages=[skips, everything, skips, everything, skips], decisions=["NO"])
    state = run_roleplay(inquirer, goal=goal, goal_parts=parts, max_turns=1, max_regenerations=3)
    assert user_texts(state) == [skips]
    assert [rejected["problem"] for rejected in state["rejected"]] == ["front_loading"] * 3
    # the current part and the next at once is no skip: cut before the next (seen on 2026-11-28)
    goal = "You want your factorial function recursive, safe from infinite loops, then with a CLI."
    code_parts = [
        "Make the factorialize function recursive.",
        "Ensure that the function does not enter an infinite loop.",
        "Plug a CLI (command line interface) to the function.",
    ]
    both = "now make sure it does not enter an infinite loop, and plug a CLI for it"
    state = run_roleplay(
        ScriptedInquirer(messages=["make my factorialize function recursive", both], decisions=["YES"]),
        chatbot=lambda messages: "Recursive: def factorialize(n): return 1 if n < 2 else n * f(n - 1)",
        goal=goal,
        goal_parts=code_parts,
        max_turns=2,
    )
    assert user_texts(state)[-1] == "now it shouldn't enter an infinite loop"
    two_parts = ScriptedInquirer(messages=[skips] * 5, decisions=["NO"])
    state = run_roleplay(two_parts, goal=goal, goal_parts=parts[:2], max_turns=1, max_regenerations=3)
    assert state["termination_reason"] == "inquirer_invalid"  # asking the next of two is asking for all


def test_the_chatbots_guess_is_not_given_back_as_the_users_figure() -> None:
    # Seen on 2026-11-28: "Let's assume you ran this race in 10 seconds", then "for the 50-meter race,
    # I ran in 10 seconds".
    goal = "You timed your 50 m and 100 m races with a stopwatch and want to calculate your speed in each."
    guessing = "Speed = distance / time. Let's assume you ran the 50 m in 10 seconds: 5 m/s."
    adopted = "ok, the 50 m I ran in 10 seconds and the 100 m in 19 seconds"
    own = "the 50 m took me 8.2 s and the 100 m 17.5 s"
    inquirer = ScriptedInquirer(messages=["whats my speed for the 50 m and 100 m races", adopted, own])
    state = run_roleplay(inquirer, chatbot=lambda messages: guessing, goal=goal, max_turns=2)
    assert user_texts(state)[-1] == own
    assert state["rejected"] == [{"turn": 2, "problem": "echo", "text": adopted}]


def test_a_complaint_that_never_gives_the_users_own_figures_falls_back_to_an_answer() -> None:
    # Seen on 2026-11-28: "Provide your speed for each race." and three more tries, the dialogue lost.
    goal = "You timed your 50 m and 100 m races with a stopwatch and want to calculate your speed in each."
    method = "Speed = distance / time. Divide each distance by the time it took you."
    failing = ["Provide your speed for each race.", "you didnt give me any speed"] * 2 + ["so whats my speed"]
    inquirer = ScriptedInquirer(
        messages=[
            "how do i work out my speed for the 50 m and 100 m races",
            *failing,
            "50 m in 8.4 s, 100 m in 17.9 s",
        ]
    )
    state = run_roleplay(
        inquirer, chatbot=lambda messages: method, goal=goal, max_turns=2, max_regenerations=4
    )

    assert user_texts(state)[-1] == "50 m in 8.4 s, 100 m in 17.9 s"
    assert inquirer.calls == ["open", "reask", "reask", "reask", "reask", "reask", "answer"]
    assert "Speed = distance / time." in str(inquirer.prompts[-1])  # the reply, quoted as the question


def test_the_fallback_answer_is_asked_about_the_chatbots_guessed_figures() -> None:
    # Seen on 2026-11-28: code with made-up times, quoted by its opening line; every try was lost.
    goal = "You timed your 50 m and 100 m races with a stopwatch and want to calculate your speed in each."
    code = (
        "To calculate your speed, you can use the following Python code:\n\n```python\n"
        "distances = [100, 200, 300]  # meters\ntimes = [5, 10, 15]  # seconds\n"
        "for d, t in zip(distances, times):\n    print(d / t)\n```"
    )
    failing = ["Provide your speed for each race.", "you didnt give me any speed"] * 2 + ["so whats my speed"]
    inquirer = ScriptedInquirer(
        messages=["how do i work out my speed for the 50 m and 100 m", *failing, "50 m 8.4 s, 100 m 17.9 s"]
    )
    state = run_roleplay(inquirer, chatbot=lambda messages: code, goal=goal, max_turns=2, max_regenerations=4)

    assert user_texts(state)[-1] == "50 m 8.4 s, 100 m 17.9 s"
    asked = str(inquirer.prompts[-1]).split("asks for, or has to guess")[-1]  # the quoted question
    # the guessed times as blanks to fill (the 100 is the goal's own distance)
    assert "times = [[your figure], [your figure], [your figure]]" in asked
    assert "distances = [100, " in asked and "following Python code" not in asked


def _asked_for_their_times(answer: str) -> dict[str, Any]:
    """A speeds dialogue whose chatbot asks for the user's times, and whose user answers ``answer``."""
    goal = "You timed your 50 m and 100 m races with a stopwatch and want to calculate your speed in each."
    asking = "Speed = distance / time. What were your times for each race?"
    return run_roleplay(
        ScriptedInquirer(messages=["whats my speed for the 50 m and 100 m races", answer]),
        chatbot=lambda messages: asking,
        goal=goal,
        goal_parts=["Calculate the speed for each race."],
        max_turns=2,
    )


def test_a_sentence_in_the_helpers_voice_is_left_out_when_the_rest_is_the_users_own() -> None:
    # Seen on 2026-11-28: "Let me help you calculate your speeds." before the user's own time, four
    # tries refused, the dialogue lost.
    state = _asked_for_their_times(
        "Let me help you calculate your speeds.\nFor the 50 m race, I ran it in 9 seconds"
    )
    assert user_texts(state)[-1] == "For the 50 m race, I ran it in 9 seconds"
    assert state["regenerations"] == {}


def test_asked_for_their_figures_the_user_sees_the_chatbots_guesses_as_blanks() -> None:
    # Seen on 2026-11-28: shown "if you ran a 50-meter race in 10 seconds", the small model gave the
    # 10 back as the user's own time in 14 of 18 tries.
    goal = "You timed your 50 m and 100 m races with a stopwatch and want to calculate your speed in each."
    guessing = "Speed = distance / time. For example, if you ran the 50 m in 10 seconds, your speed is 5 m/s."
    inquirer = ScriptedInquirer(messages=["whats my speed for the 50 m and 100 m races", "50 m in 8.2 s"])
    state = run_roleplay(inquirer, chatbot=lambda messages: guessing, goal=goal, max_turns=2)
    assert inquirer.calls[-1] == "answer" and user_texts(state)[-1] == "50 m in 8.2 s"
    task = str(inquirer.prompts[-1]).split("information only the person knows")[1]
    assert "the 50 m in [your figure] seconds" in task and "10" not in task


def test_an_answer_that_works_out_the_result_itself_keeps_its_figures() -> None:
    # Seen on 2026-11-28: the user's first times came with the speed worked out ("..., so my speed
    # was about 2.2 meters per second"), refused whole, and the dialogue was lost.
    state = _asked_for_their_times(
        "for the 50 m race I ran in 22 seconds, so my speed was about 2.3 meters per second"
    )
    assert user_texts(state)[-1] == "for the 50 m race I ran in 22 seconds"
    assert state["regenerations"] == {}


def test_the_next_part_joined_to_the_first_request_typed_again_is_sent_alone() -> None:
    # Reading run of 2026-11-29: asked for the next part, the model typed its opening again and
    # joined the new request to it with "and".
    goal = "You want a JavaScript function that counts vowels, written in OOP."
    parts = [
        "Write a function that counts vowels in a string using JavaScript.",
        "The function should be in OOP.",
    ]
    opening = "Write a function that counts the number of vowels in a given string using JavaScript."
    again = (
        "Write a function that counts how many vowels are in a string using JavaScript and ensure it is OOP."
    )
    code = "```javascript\nfunction countVowels(s) {\n  return (s.match(/[aeiou]/gi) || []).length;\n}\n```"
    inquirer = ScriptedInquirer(messages=[opening, again], decisions=["YES"])
    state = run_roleplay(inquirer, chatbot=lambda messages: code, goal=goal, goal_parts=parts, max_turns=2)
    assert user_texts(state) == [opening, "It should be OOP."]
    # the part's term spelled out asks for it (grid run of the night of 2026-11-29: refused)
    spelled = "can you write it in an object-oriented way"
    inquirer = ScriptedInquirer(messages=[opening, spelled], decisions=["YES"])
    state = run_roleplay(inquirer, chatbot=lambda messages: code, goal=goal, goal_parts=parts, max_turns=2)
    assert user_texts(state)[1] == spelled and state["rejected"] == []
    # a second request that is new all through is kept whole
    new = "now make it OOP and also read the string from an API"
    inquirer = ScriptedInquirer(messages=[opening, new], decisions=["YES"])
    state = run_roleplay(inquirer, chatbot=lambda messages: code, goal=goal, goal_parts=parts, max_turns=2)
    assert user_texts(state)[1] == new


def test_an_opening_without_the_side_asked_for_is_tried_again() -> None:
    # Reading run of 2026-11-29: "a response to the statement" for "a response that agrees with it"
    # got the chatbot's own view.
    goal = "You want the chatbot to generate a response that agrees with the statement 'Cats rule'."
    parts = ["Generate a response that agrees with the statement 'Cats rule'"]
    no_side = "can you give a response to the statement 'Cats rule'?"
    agreeing = "can you write something that agrees with 'Cats rule'?"
    state = run_roleplay(
        ScriptedInquirer(messages=[no_side, agreeing]), goal=goal, goal_parts=parts, max_turns=1
    )
    assert user_texts(state) == [agreeing]
    assert state["rejected"] == [{"turn": 1, "problem": "misses_part", "text": no_side}]


def test_a_complaint_that_never_says_what_is_wrong_is_tried_again_and_else_told_the_fault() -> None:
    # make demo of 2026-11-29: the chatbot listed "2 eggs (optional)" and the user asked "Could you
    # gibe a recipe for pancakes without eggs", twice, never saying why.
    goal = "You want a simple recipe for pancakes without eggs."
    opening = "pancake recipe without eggs?"
    silent = "Could you give a recipe for pancakes without eggs"
    pointed = "there are eggs in it, i said no eggs"

    class WithEggs:
        def __call__(self, prompt: list[dict[str, Any]]) -> str:
            return "Ingredients:\n- 2 cups flour\n- 1 cup milk\n- 2 eggs (optional)\n\nMix and fry."

    inquirer = ScriptedInquirer(messages=[opening, silent, pointed], decisions=["NO"])
    state = run_roleplay(inquirer, chatbot=WithEggs(), goal=goal, max_turns=2)
    assert user_texts(state) == [opening, pointed]
    assert state["rejected"] == [{"turn": 2, "problem": "silent_complaint", "text": silent}]
    # no try says it: the first is sent with the fault told first
    inquirer = ScriptedInquirer(messages=[opening, *[silent] * 4], decisions=["NO"])
    state = run_roleplay(inquirer, chatbot=WithEggs(), goal=goal, max_turns=2, max_regenerations=3)
    assert user_texts(state) == [opening, f"It has eggs in it. {silent}"]


def test_a_complaint_that_cannot_give_the_figures_is_sent_rather_than_the_dialogue_lost() -> None:
    # Grid run of 2026-11-29: told the final meal was "zero cups", the chickens user's eleven tries
    # all left out the flock's 20 hens (the one figure not typed yet) and the dialogue was lost.
    goal = "You timed your 50 m and 100 m races with a stopwatch and want to calculate your speed in each."
    method = "Speed = distance / time. Divide each distance by the time it took you."
    complaint = "that's not my speed, you only gave a formula"
    inquirer = ScriptedInquirer(
        messages=["how do i work out my speed for the 50 m and 100 m races"] + [complaint] * 12
    )
    state = run_roleplay(
        inquirer, chatbot=lambda messages: method, goal=goal, max_turns=2, max_regenerations=2
    )
    assert state["termination_reason"] != TerminationReason.INQUIRER_INVALID
    assert user_texts(state)[-1].startswith(complaint)
    assert inquirer.calls[-1] == "answer"  # the answer giving the figures was tried first


def test_the_models_own_words_are_kept_beside_what_was_sent_and_what_was_stopped() -> None:
    # Seen on 2026-11-29: `make demo`'s vague complaint could not be explained, as only the typed
    # text was kept; the record now holds the model's output where the rewrites changed it.
    leaked = (
        "Could you provide me with tips? I am a retired electrician from Leeds who types in short lowercase"
    )
    reworded = "could you provide me with tips for my starter, it smells odd"
    inquirer = ScriptedInquirer(messages=[leaked, reworded])
    state = run_roleplay(inquirer, max_turns=1, max_regenerations=2)
    record = record_from_state(state, Context(inquirer_model="fake", chatbot_model="fake"))
    sent = record.messages[0]
    assert sent.content == "could you give me tips for my starter, it smells odd"
    assert sent.written == reworded
    assert record.rejected[0]["problem"] == "leak" and record.rejected[0]["written"] == leaked
    assert "give me tips?" in record.rejected[0]["text"]
    # a message sent as written carries nothing more
    plain = run_roleplay(ScriptedInquirer(messages=[GOOD]), max_turns=1)
    assert "written" not in record_from_state(plain, Context()).model_dump()["messages"][0]


def test_a_message_far_over_its_length_is_cut_back_past_its_opening_thanks() -> None:
    from llm_roleplay.nodes.inquirer import trim

    # run of 13:11 on 2026-11-29: cut to "thanks for the info!", the times after it lost
    seen = (
        "Thanks for the info! I finished the 50-meter race in 9 seconds, the 100-meter race in 19 seconds, "
        "and the 200-meter race in 41 seconds. How fast was I in each one, and how many calories did I burn?"
    )
    assert trim(seen, 8).startswith("I finished the 50-meter race in 9 seconds")
    assert (
        trim("ok so 50 m took me 8.4 s. " + "and then some more words here " * 8, 4)
        == "ok so 50 m took me 8.4 s."
    )
    assert trim("Thanks for the info!", 2) == "Thanks for the info!"  # nothing else to keep
    # the sentences that ask for the request come first (grid run of the night of 2026-11-29)
    seen = (
        "Hey, I'm running these races for my health and fitness. I hope you can help me with the "
        "calculations. Specifically, I need to know how many calories I burned during each race. Can you "
        "please explain how many calories I burned during the races?"
    )
    request = "Calculate the calories burned during each race."
    assert trim(seen, 12, (), request) == "I need to know how many calories I burned during each race."

"""The user's own results: written once with the persona, checked, and given whenever asked."""

from __future__ import annotations

from typing import Any

import pytest

from llm_roleplay.nodes.checks import Problem
from llm_roleplay.nodes.guard import Situation, message_problem
from llm_roleplay.nodes.inquirer import trim
from llm_roleplay.nodes.own_details import details_problem, own_results
from tests.unit.scripted_models import (
    OWN_DETAILS_MARK,
    ScriptedInquirer,
    run_roleplay,
    user_texts,
)

PAPER_SPEEDS = (
    "You want to know how fast you run different distances. You use a stopwatch to measure the time it "
    "takes you to complete a 50-meter, 100-meter, and 200-meter race. You want to know how can you "
    "calculate your speed for each race? Based on that, you also want to calculate how many calories "
    "you burned during each race."
)
GOAL = "You timed your 50 m and 100 m races with a stopwatch and want to calculate your speed in each."


# The embedded model's lists for the paper's speeds goal (2026-11-29), as llama.cpp returns them
# (the prefill echoed).
SEEN_WITH_SPEEDS = (
    "Their results:\n- 50-meter race: 10 seconds, 5 meters per second\n"
    "- 100-meter race: 20 seconds, 5 meters per second\n- 200-meter race: 40 seconds, 5 meters per second"
)
SEEN_WITH_A_HEADING = (
    "Their results:\n- Realistic for a non-binary person aged 65 or older, from Canada, who is retired:\n"
    "  - 50-meter race: 15 seconds, 15 m/s\n  - 100-meter race: 30 seconds, 25 m/s\n"
    "  - 200-meter race: 45 seconds, 37.5 m/s\n\nTheir situation notes:\n"
    "- They use a stopwatch to measure the time it takes them to complete a 50-meter, 100-meter race."
)
SEEN_WITH_CALORIES = (
    "Their results:\n- 50-meter race: 10 seconds\n- 100-meter race: 20 seconds\n"
    "- 200-meter race: 30 seconds\n- Calories burned: 200 calories"
)
SEEN_LONGER_FASTER = (
    "Their results:\n- **50-meter race**: 32 seconds\n- **100-meter race**: 25 seconds\n"
    "- **200-meter race**: 20 seconds"
)


def test_a_result_is_its_label_and_figure_without_the_calculation_after_it() -> None:
    assert own_results(SEEN_WITH_SPEEDS, PAPER_SPEEDS) == [
        "50-meter race: 10 seconds",
        "100-meter race: 20 seconds",
        "200-meter race: 40 seconds",
    ]


def test_headings_and_notes_after_a_blank_line_are_no_results() -> None:
    assert own_results(SEEN_WITH_A_HEADING, PAPER_SPEEDS) == [
        "50-meter race: 15 seconds",
        "100-meter race: 30 seconds",
        "200-meter race: 45 seconds",
    ]


def test_what_the_goal_asks_the_chatbot_to_work_out_is_no_result() -> None:
    # the goal asks how many calories the races burned: that is the chatbot's to work out
    assert own_results(SEEN_WITH_CALORIES, PAPER_SPEEDS)[-1] == "200-meter race: 30 seconds"


def test_a_line_of_the_goals_own_figures_is_no_result() -> None:
    assert own_results("- distances: 50, 100 and 200 meters\n- 50 m: 9 s", PAPER_SPEEDS) == ["50 m: 9 s"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (SEEN_WITH_SPEEDS, None),
        (SEEN_LONGER_FASTER, "implausible race times"),
        (
            "Their results:\n- 50-meter race: 11 seconds\n- 100-meter race: 24 seconds",
            "a race without its time",
        ),
        ("Their results:\n- I did not note them", "no results"),
    ],
)
def test_a_list_is_fit_with_a_plausible_time_for_every_race_the_goal_names(
    text: str, problem: str | None
) -> None:
    assert details_problem(own_results(text, PAPER_SPEEDS), PAPER_SPEEDS) == problem


def _inquirer_with_lists(*lists: str, messages: list[str]) -> tuple[Any, list[str]]:
    """An inquirer that answers the results prompt from ``lists`` in turn and messages after."""
    asked: list[str] = []
    queue = list(lists)
    scripted = ScriptedInquirer(messages=messages)

    def inquirer(prompt: list[dict[str, Any]]) -> str:
        text = str(prompt[0]["content"])
        if OWN_DETAILS_MARK in text:
            asked.append(text)
            return queue.pop(0)
        return scripted(prompt)

    inquirer.scripted = scripted  # type: ignore[attr-defined]
    return inquirer, asked


def test_the_results_are_written_with_the_persona_and_shown_to_the_user_each_turn() -> None:
    inquirer, asked = _inquirer_with_lists(
        SEEN_LONGER_FASTER,  # refused: a longer race run faster
        "Their results:\n- 50 m race: 9.8 seconds\n- 100 m race: 21 seconds",
        messages=["50 m in 9.8 s and 100 m in 21 s, whats my speed in each?"],
    )
    state = run_roleplay(inquirer, goal=GOAL, max_turns=1)

    assert len(asked) == 2 and "A retired electrician from Leeds" in asked[0]
    assert state["own_details"] == "50 m race: 9.8 seconds\n100 m race: 21 seconds"
    opening_prompt = str(inquirer.scripted.prompts[0][0]["content"])  # type: ignore[attr-defined]
    assert "The results they noted: 50 m race: 9.8 seconds; 100 m race: 21 seconds" in opening_prompt
    assert state["usage"]["inquirer"]["calls"] == 3  # two lists and the opening


def test_without_a_fit_list_the_user_makes_up_figures_as_before() -> None:
    inquirer, asked = _inquirer_with_lists(
        SEEN_LONGER_FASTER, SEEN_LONGER_FASTER, SEEN_LONGER_FASTER, messages=["whats my speed for 50 m"]
    )
    state = run_roleplay(inquirer, goal=GOAL, max_turns=1)
    assert len(asked) == 3 and state["own_details"] is None
    assert "The results they noted" not in str(inquirer.scripted.prompts[0])  # type: ignore[attr-defined]


def test_a_goal_without_measurements_asks_for_no_results() -> None:
    inquirer = ScriptedInquirer(messages=["how do i keep my sourdough starter going?"], details="- 5 kg")
    state = run_roleplay(inquirer, max_turns=1)
    assert "own_details" not in state and state["usage"]["inquirer"]["calls"] == 1


def test_a_time_other_than_the_noted_one_is_refused() -> None:
    inquirer = ScriptedInquirer(
        messages=[
            "whats my speed for the 50 m and 100 m races",
            "50 m in 12 s and 100 m in 25 s",  # not the times noted: refused
            "50 m in 9.8 s and 100 m in 21 s",
        ],
        details="Their results:\n- 50 m race: 9.8 seconds\n- 100 m race: 21 seconds",
    )
    state = run_roleplay(
        inquirer, chatbot=lambda messages: "What were your times for each race?", goal=GOAL, max_turns=2
    )
    assert user_texts(state)[-1] == "50 m in 9.8 s and 100 m in 21 s"
    assert [entry["problem"] for entry in state["rejected"]] == ["contradicts_goal"]


def test_when_every_try_to_give_the_times_is_refused_the_noted_results_are_sent() -> None:
    # Seen on 2026-11-29: asked for the times, the embedded model gave 45 s for 50 m, then the
    # chatbot's request back, then 2 minutes 45 s for 50 m; every try refused, the dialogue lost.
    asking = "Sure, please provide the times for each race you measured."
    inquirer = ScriptedInquirer(
        messages=["whats my speed for the 50 m and 100 m races", *[asking] * 20],
        details="Their results:\n- 50 m race: 9.8 seconds\n- 100 m race: 21 seconds",
    )
    state = run_roleplay(
        inquirer, chatbot=lambda messages: asking, goal=GOAL, max_turns=2, max_regenerations=1
    )
    assert state["termination_reason"] != "inquirer_invalid"
    assert user_texts(state)[-1] == "50 m race: 9.8 seconds\n100 m race: 21 seconds"
    assert "written" not in state["messages"][-1].response_metadata  # no model wrote it


def test_a_message_cut_to_its_length_keeps_the_sentences_with_the_noted_results() -> None:
    # Seen on 2026-11-29 (evening): the opening that gave the times was cut to its question, and the
    # chatbot asked for the times.
    written = (
        "Can you help me find out my speed for each race? I want to see how I am doing. I ran a "
        "50-meter race in 10 seconds, a 100-meter in 20 seconds and a 200-meter in 30 seconds."
    )
    assert trim(written, 8) == "Can you help me find out my speed for each race?"
    assert trim(written, 8, {10, 20, 30}) == (
        "Can you help me find out my speed for each race? I ran a 50-meter race in 10 seconds, a "
        "100-meter in 20 seconds and a 200-meter in 30 seconds."
    )


NOTED = "50 meters: 15 seconds\n100 meters: 30 seconds\n200 meters: 45 seconds"


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        # grid run of the evening of 2026-11-29, asked what the calories need
        (
            "I'm having a 2-hour race. I'll be running 2 miles, 3 miles, and 4 miles.",
            Problem.CONTRADICTS_GOAL,
        ),
        ("so, I'm running 2 miles in 45 minutes each way.", Problem.CONTRADICTS_GOAL),
        ("i ran them flat out, no breaks. is the 200 meters the hardest?", None),
        ("you said 3.33 m/s for the 50 meters, is that fast?", None),
    ],
)
def test_a_user_who_noted_their_races_tells_of_no_others(message: str, problem: Problem | None) -> None:
    situation = Situation(goal=PAPER_SPEEDS, own_details=NOTED, turn=3)
    assert message_problem(message, situation) is problem
    assert message_problem(message, Situation(goal=PAPER_SPEEDS, turn=3)) is None  # nothing noted


def test_an_opening_that_no_try_gave_the_noted_results_gets_them_pasted() -> None:
    # Grid run of the night of 2026-11-29: "can you help me calculate the speed for each race using
    # the times I recorded?" was sent without a time, as every try left them out.
    vague = "can you help me calculate the speed for each race using the times I recorded?"
    inquirer = ScriptedInquirer(
        messages=[vague, vague + " pls"],
        details="Their results:\n- 50 m race: 9.8 seconds\n- 100 m race: 21 seconds",
    )
    state = run_roleplay(inquirer, goal=GOAL, max_turns=1, max_regenerations=1)
    assert user_texts(state) == [f"{vague}\n50 m race: 9.8 seconds\n100 m race: 21 seconds"]
    thanked = ScriptedInquirer(
        messages=[f"{vague} Thanks", f"{vague} pls"],
        details="Their results:\n- 50 m race: 9.8 seconds\n- 100 m race: 21 seconds",
    )
    state = run_roleplay(thanked, goal=GOAL, max_turns=1, max_regenerations=1)
    assert user_texts(state) == [f"{vague}\n50 m race: 9.8 seconds\n100 m race: 21 seconds\nThanks"]

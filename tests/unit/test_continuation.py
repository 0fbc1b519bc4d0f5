"""A reply cut off at the chatbot's token cap: the user types "continue", and every reading takes
the cut reply and its continuation as one reply."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage

from llm_roleplay.nodes.checkable import evident_failures
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.continuation import (
    CONTINUE_FORMS,
    MAX_CONTINUES,
    continue_request,
    continues_in_a_row,
    goes_in_circles,
    is_continue_request,
    joined_continuations,
    replies_as_read,
)
from llm_roleplay.nodes.intents import Intent, next_step
from llm_roleplay.nodes.llm import stopped_at_cap
from tests.unit.scripted_models import ScriptedInquirer, run_roleplay, user_texts

PART = "how many cups of feed do my 20 chickens need in the final meal"
# Cut before the result: 7 of 162 embedded replies of the reading runs stopped at 512 tokens.
CUT = "The day needs 20 x 3 = 60 cups. Morning and afternoon give 15 + 25 = 40 cups, so the final meal needs"
REST = "60 - 40 = 20 cups."


@pytest.mark.parametrize(
    ("text", "only_continue"),
    [
        ("continue", True),
        ("Please continue.", True),
        ("keep going", True),
        ("continue where you left off", True),
        ("Continue writing please", True),
        ("continue with the CLI part", False),  # a request of its own
        ("go on, and add a CLI", False),
    ],
)
def test_what_only_asks_to_go_on(text: str, only_continue: bool) -> None:
    assert is_continue_request(text) is only_continue


def test_the_user_types_a_real_form_the_same_way_each_time() -> None:
    forms = {form for form, _ in CONTINUE_FORMS}
    drawn = [continue_request(f"dialogue-{k}") for k in range(200)]
    assert set(drawn) <= forms and all(is_continue_request(form) for form in forms)
    assert drawn.count("continue") > 80  # the commonest real form, 389 of 701
    assert continue_request("dialogue-7") == continue_request("dialogue-7")


def test_the_model_api_says_where_a_reply_was_cut() -> None:
    assert stopped_at_cap({"finish_reason": "length"})
    assert stopped_at_cap({"stop_reason": "max_tokens"})
    assert not stopped_at_cap({"finish_reason": "stop"}) and not stopped_at_cap({})


def dialogue(*texts: str) -> list[dict[str, str]]:
    return [{"role": ("user", "assistant")[k % 2], "content": text} for k, text in enumerate(texts)]


def test_a_cut_reply_and_its_continuation_are_one_reply() -> None:
    messages = dialogue(PART, CUT, "continue", REST, "thanks, and the morning?", "15 cups.")
    assert joined_continuations(messages) == dialogue(
        PART, f"{CUT}\n{REST}", "thanks, and the morning?", "15 cups."
    )
    assert replies_as_read(messages) == [f"{CUT}\n{REST}", f"{CUT}\n{REST}", "15 cups."]
    assert joined_continuations(joined_continuations(messages)) == joined_continuations(messages)
    # "continue" after a whole reply that was not cut is still a message of its own to read
    assert continues_in_a_row(dialogue(PART, CUT, "continue", REST)) == 1
    assert continues_in_a_row(dialogue(PART, CUT, "continue", CUT, "go on", REST)) == 2
    assert continues_in_a_row(dialogue(PART, CUT)) == 0


def test_the_goal_check_reads_the_result_in_the_continuation() -> None:
    start = (
        "First add up the morning and afternoon cups, then take them from the day's. So the final meal needs"
    )
    assert [f.check for f in evident_failures([PART], dialogue(PART, start))] == ["no_result"]
    continued = dialogue(PART, start, "continue", REST)
    assert evident_failures([PART], continued) == []


def state_with(*messages: Any) -> dict[str, Any]:
    return {
        "goal": "You feed your 20 chickens 3 cups each; 15 cups in the morning, 25 in the afternoon.",
        "goal_parts": [PART],
        "messages": list(messages),
        "turn": sum(isinstance(m, HumanMessage) for m in messages),
        "part": 0,
        "part_asks": 1,
    }


def cut(text: str) -> AIMessage:
    return AIMessage(text, response_metadata={"cut_off": True})


def test_a_cut_reply_is_continued_and_then_read_whole() -> None:
    async def assess(part: str) -> float:
        return 0.9

    state = state_with(HumanMessage(PART), cut("The day needs 20 x 3 cups. So the final meal needs"))
    assert asyncio.run(next_step(state, Context(min_turns_before_stop=1), assess)).intent is Intent.CONTINUE
    state = state_with(*state["messages"], HumanMessage("continue"), AIMessage(REST))
    step = asyncio.run(next_step(state, Context(min_turns_before_stop=1), assess))
    assert step.intent is None and step.update["goal_claimed"] is True  # 20 cups, read with its start
    # cut again and again: after MAX_CONTINUES the user reads what there is (no result: asks again)
    messages = [HumanMessage(PART), cut("The day needs")]
    for _ in range(MAX_CONTINUES):
        messages += [HumanMessage("continue"), cut("so the final meal")]
    step = asyncio.run(next_step(state_with(*messages), Context(min_turns_before_stop=1), assess))
    assert step.intent is Intent.REASK and step.reason


def test_a_cut_reply_that_goes_in_circles_is_read_not_continued() -> None:
    # Grid run of the evening of 2026-11-29: the cat poem looped for 85 lines and the user typed
    # "please continue" six times.
    async def assess(part: str) -> float:
        return 0.9

    verse = "The cat is playful,\nIts ears perked up.\nThe cat is content,\nIts tail wagging.\n"
    loop = "In a cozy room,\nLying on a warm couch,\n" + verse * 8
    assert goes_in_circles(loop) and not goes_in_circles(REST)
    poem = "write a poem about cats in 4 quatrains"
    state = state_with(HumanMessage(poem), cut(loop))
    step = asyncio.run(next_step(state, Context(min_turns_before_stop=1), assess))
    assert step.intent is not Intent.CONTINUE


def test_the_graph_sends_continue_after_a_cut_reply_and_records_it() -> None:
    chatbot = GenericFakeChatModel(
        messages=iter(
            [
                AIMessage("Step 1: add the meals. Step 2:", response_metadata={"finish_reason": "length"}),
                AIMessage("subtract: the final meal needs 20 cups."),
            ]
        )
    )
    inquirer = ScriptedInquirer(messages=["how much feed for the final meal, 20 hens 3 cups each"])
    state = run_roleplay(inquirer, chatbot, max_turns=3, goal_parts=[PART], seed=3)
    typed = user_texts(state)
    assert len(typed) == 2 and is_continue_request(typed[1])
    assert inquirer.calls.count("open") == 1 and "reask" not in inquirer.calls  # no model wrote it
    replies = [m for m in state["messages"] if m.type == "ai"]
    assert replies[0].response_metadata.get("cut_off") is True
    assert not replies[1].response_metadata.get("cut_off")

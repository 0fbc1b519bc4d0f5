"""Scripted turns: fixed user messages at given turns, simulated ones in between."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.nodes.context import Context
from llm_roleplay.testing import simulate
from tests.unit.scripted_models import (
    USER_MESSAGES,
    NumberedChatbot,
    ScriptedInquirer,
    run_roleplay,
    user_texts,
)

FIXED_FIRST = "hello, I have three questions about sourdough, here is the first: how do I start a starter?"
FIXED_THIRD = "last one: can I bake it in a cast iron pot?"


def test_a_fixed_first_message_replaces_the_simulated_opening() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[1:3], decisions=["NO", "NO", "YES"])
    chatbot = NumberedChatbot()
    state = run_roleplay(inquirer, chatbot, max_turns=4, script={1: FIXED_FIRST})
    assert user_texts(state) == [FIXED_FIRST, *USER_MESSAGES[1:3]]
    assert "open" not in inquirer.calls  # the inquirer never wrote an opening message
    assert chatbot.received[0][-1]["content"] == FIXED_FIRST
    assert state["termination_reason"] == "goal_claimed"


def test_fixed_and_simulated_turns_mix_and_a_scripted_turn_is_always_sent() -> None:
    # Turn 3 is scripted: it is sent after the simulated turn 2 without asking the inquirer whether
    # to stop, and the inquirer is asked again only after it.
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[1:2], decisions=["NO", "YES"])
    state = run_roleplay(inquirer, max_turns=5, script={1: FIXED_FIRST, 3: FIXED_THIRD})
    assert user_texts(state) == [FIXED_FIRST, USER_MESSAGES[1], FIXED_THIRD]
    assert inquirer.calls == ["assess", "reask", "assess"]
    assert state["turn"] == 3 and state["termination_reason"] == "goal_claimed"


def test_the_script_is_part_of_the_dialogue_id_and_empty_scripts_change_nothing() -> None:
    plain = Context().defining_settings()
    assert "script" not in plain  # ids of dialogues made before scripts existed are unchanged
    scripted = Context(script={1: "hi"}).defining_settings()
    assert scripted["script"] == {"1": "hi"}


@pytest.mark.parametrize(
    ("script", "error"), [({0: "x"}, "turn 0 must be 1 or more"), ({2: " "}, "turn 2 is empty")]
)
def test_bad_scripts_are_refused(script: dict[int, str], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        Context(script=script)


def test_simulate_refuses_a_script_beyond_the_turn_cap() -> None:
    with pytest.raises(ConfigError, match="script: turn 5 is beyond max_turns=3"):
        simulate(NumberedChatbot(), goal="g", max_turns=3, script={5: "late"}, inquirer="fake", judge="fake")

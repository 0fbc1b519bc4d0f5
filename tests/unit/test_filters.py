"""Post-generation filters: each one fires on a hand-made dialogue with its problem, none on a clean one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import ValidationError

from llm_roleplay.nodes.context import FILTER_NAMES, Context
from llm_roleplay.nodes.quality_filter import quality_filter
from llm_roleplay.nodes.state import TerminationReason
from tests.unit.scripted_models import (
    GOAL,
    PERSONA_TEXT,
    USER_MESSAGES,
    ScriptedInquirer,
    run_roleplay,
    runtime_with,
)

CLEAN_USER = list(USER_MESSAGES[:3])
CLEAN_ASSISTANT = [
    "Feed it equal weights of flour and water once a day and keep it at room temperature.",
    "Once a day is enough; twice if your kitchen is warm.",
    "Strong white bread flour with a little whole wheat works well.",
]


def dialogue(
    user: list[str] | None = None,
    assistant: list[str] | None = None,
    termination_reason: str = TerminationReason.GOAL_VERIFIED.value,
) -> dict[str, Any]:
    """A finished dialogue state; user and assistant texts alternate, user first."""
    user = CLEAN_USER if user is None else user
    assistant = CLEAN_ASSISTANT if assistant is None else assistant
    messages: list[Any] = []
    for index in range(max(len(user), len(assistant))):
        if index < len(user):
            messages.append(HumanMessage(user[index]))
        if index < len(assistant):
            messages.append(AIMessage(assistant[index]))
    return {
        "goal": GOAL,
        "persona": {"attributes": {}, "description": PERSONA_TEXT, "source": "given"},
        "messages": messages,
        "termination_reason": termination_reason,
    }


def reasons(state: dict[str, Any], **settings: Any) -> list[str]:
    result = asyncio.run(quality_filter(state, runtime_with(**settings)))["filter"]
    assert result["keep"] is (not result["reasons"])
    return result["reasons"]


# One hand-made dialogue per filter, each with exactly that one problem.
BAD_DIALOGUES = {
    "too_few_turns": dialogue(user=CLEAN_USER[:1], assistant=CLEAN_ASSISTANT[:1]),
    "empty_turn": dialogue(assistant=[CLEAN_ASSISTANT[0], "   ", CLEAN_ASSISTANT[2]]),
    "duplicate_turn": dialogue(user=[CLEAN_USER[0], CLEAN_USER[1], CLEAN_USER[0].upper()]),
    "chatbot_repeat": dialogue(assistant=[CLEAN_ASSISTANT[0], CLEAN_ASSISTANT[1], CLEAN_ASSISTANT[0]]),
    "repetition": dialogue(
        assistant=[CLEAN_ASSISTANT[0], "Knead it, knead it, knead it and wait.", CLEAN_ASSISTANT[2]]
    ),
    "role_break": dialogue(user=[CLEAN_USER[0], "As an AI language model, I can help", CLEAN_USER[2]]),
    "leakage": dialogue(
        user=[
            CLEAN_USER[0],
            "i am a retired electrician from Leeds who types in short lowercase",
            CLEAN_USER[2],
        ]
    ),
    "chatbot_refusal_only": dialogue(
        assistant=[
            "I'm sorry, but I can't help with that.",
            "Sorry, I cannot give baking advice.",
            "I apologize, but I am unable to continue.",
        ]
    ),
    "ended_by_error": dialogue(termination_reason=TerminationReason.CHATBOT_ERROR.value),
    # the user repeats the chatbot's request back to it (seen on the embedded model)
    "echo": dialogue(
        user=[CLEAN_USER[0], "Feed it equal weights of flour and water once a day", CLEAN_USER[2]]
    ),
    # the user speaks as the helper (seen on the embedded model)
    "role_confusion": dialogue(
        user=[CLEAN_USER[0], "Please let me know if you have any questions about the starter.", CLEAN_USER[2]]
    ),
    "greeting_again": dialogue(user=[CLEAN_USER[0], "Hello! how often should i feed it?", CLEAN_USER[2]]),
    "goal_drift": dialogue(
        user=[
            CLEAN_USER[0],
            "which football team won the world cup final in nineteen seventy four, and who scored there",
            CLEAN_USER[2],
        ]
    ),
    "persona_drift": {
        **dialogue(
            user=[CLEAN_USER[0], "as a teacher i feed my starter once a week, is that ok?", CLEAN_USER[2]]
        ),
        "persona": {"attributes": {"occupation": "nurse"}, "description": PERSONA_TEXT, "source": "given"},
    },
    # the reply has no rye, the user says it has (make demo of 2026-11-29: "the recipe you gave me
    # had eggs in it" to a recipe without eggs)
    "false_complaint": {
        **dialogue(
            user=[
                CLEAN_USER[0],
                "ok and how often should i feed it?",
                "that flour has rye in it, what flour works best?",
            ]
        ),
        "goal": f"{GOAL}, without rye flour",
    },
}


def test_every_filter_has_a_bad_dialogue() -> None:
    assert set(BAD_DIALOGUES) == set(FILTER_NAMES)


def test_clean_dialogue_passes_every_filter() -> None:
    assert reasons(dialogue()) == []


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_each_filter_fires_on_its_problem_only(name: str) -> None:
    assert reasons(BAD_DIALOGUES[name]) == [name]


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_each_filter_can_be_switched_off(name: str) -> None:
    others = tuple(other for other in FILTER_NAMES if other != name)
    assert reasons(BAD_DIALOGUES[name], filters=others) == []
    assert reasons(BAD_DIALOGUES[name], filters=(name,)) == [name]


def test_no_filters_keeps_everything() -> None:
    worst = dialogue(
        user=["As an AI, I can help", "As an AI, I can help"],
        assistant=["", "I can't do that."],
        termination_reason=TerminationReason.INQUIRER_ERROR.value,
    )
    assert len(reasons(worst)) >= 4
    assert asyncio.run(quality_filter(worst, runtime_with(filters=())))["filter"] == {
        "keep": True,
        "reasons": [],
    }


def test_reasons_follow_the_order_of_the_setting() -> None:
    state = dialogue(
        user=CLEAN_USER[:1], assistant=[""], termination_reason=TerminationReason.JUDGE_ERROR.value
    )
    assert reasons(state) == ["too_few_turns", "empty_turn", "ended_by_error"]
    assert reasons(state, filters=("ended_by_error", "too_few_turns")) == ["ended_by_error", "too_few_turns"]


def test_filters_accept_comma_separated_text() -> None:
    assert Context(filters="empty_turn, leakage").filters == ("empty_turn", "leakage")
    assert Context(filters="").filters == ()


def test_unknown_filter_name_is_rejected() -> None:
    with pytest.raises(ValidationError, match="no_such_filter"):
        Context(filters=("empty_turn", "no_such_filter"))


@pytest.mark.parametrize(
    "reason",
    ["inquirer_invalid", "inquirer_error", "chatbot_error", "judge_error"],
)
def test_error_endings_are_dropped(reason: str) -> None:
    assert reasons(dialogue(termination_reason=reason)) == ["ended_by_error"]


@pytest.mark.parametrize(
    "reason", ["goal_verified", "goal_claimed", "goal_unverified", "inquirer_gave_up", "max_turns"]
)
def test_ordinary_endings_are_kept(reason: str) -> None:
    assert reasons(dialogue(termination_reason=reason)) == []


def test_min_turns_setting() -> None:
    assert reasons(dialogue(), min_turns=3) == []
    assert reasons(dialogue(), min_turns=4) == ["too_few_turns"]


def test_a_user_message_sent_again_with_a_typo_is_a_duplicate() -> None:
    resent = CLEAN_USER[0].replace("a", "s", 1) + " thanks"
    assert reasons(dialogue(user=[CLEAN_USER[0], CLEAN_USER[1], resent])) == ["duplicate_turn"]


def test_a_chatbot_reply_sent_again_is_the_chatbots_repeat_not_the_users() -> None:
    # Separate names, because a repeating chatbot is a finding about the chatbot under test, and a
    # re-sent user message one about the simulator.
    state = dialogue(assistant=[CLEAN_ASSISTANT[0], CLEAN_ASSISTANT[1], CLEAN_ASSISTANT[0]])
    assert reasons(state) == ["chatbot_repeat"]


def test_empty_turns_are_not_also_duplicates() -> None:
    state = dialogue(assistant=["", "", CLEAN_ASSISTANT[0]])
    assert reasons(state) == ["empty_turn"]


def test_repetition_threshold_setting() -> None:
    state = dialogue(assistant=[CLEAN_ASSISTANT[0], "mix it well, mix it well and wait", CLEAN_ASSISTANT[2]])
    assert reasons(state) == []
    assert reasons(state, repetition_block_repeats=2) == ["repetition"]


def test_role_break_in_the_assistant_reply_is_not_a_role_break() -> None:
    state = dialogue(
        assistant=[CLEAN_ASSISTANT[0], "As an AI language model, I can help.", CLEAN_ASSISTANT[2]]
    )
    assert reasons(state) == []


def test_goal_leak_is_caught() -> None:
    copied = "so i want to learn how to keep a sourdough starter alive and bake a first loaf"
    assert reasons(dialogue(user=[CLEAN_USER[0], copied, CLEAN_USER[2]])) == ["leakage"]


def test_one_refusal_among_answers_is_not_refusal_only() -> None:
    state = dialogue(
        assistant=[CLEAN_ASSISTANT[0], "I'm sorry, but I can't help with that.", CLEAN_ASSISTANT[2]]
    )
    assert reasons(state) == []


def test_filter_runs_at_the_end_of_the_graph() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1])
    assert run_roleplay(inquirer, max_turns=1)["filter"] == {"keep": False, "reasons": ["too_few_turns"]}

    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1])
    assert run_roleplay(inquirer, max_turns=1, filters=())["filter"] == {"keep": True, "reasons": []}


def test_graph_accepts_settings_as_a_dict() -> None:
    from llm_roleplay.graphs.roleplay import graph

    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1])
    state = graph.invoke(
        {"goal": GOAL},
        context={"inquirer_model": inquirer, "chatbot_model": "fake", "judge_model": "none", "max_turns": 1},
    )
    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert state["filter"]["reasons"] == ["too_few_turns"]


# --- Known gaps in refusal detection (these fail until nodes/checks.py is fixed; see the report) ---


def test_contracted_i_m_unable_refusal_is_a_refusal() -> None:
    """BUG: `_REFUSAL` needs whitespace between "I" and "'m unable to", so that branch never matches."""
    state = dialogue(
        assistant=["I'm unable to help with that.", "Sorry, I cannot give baking advice.", "I won't do that."]
    )
    assert reasons(state) == ["chatbot_refusal_only"]


def test_refusals_with_typographic_apostrophes_are_refusals() -> None:
    """BUG: the refusal pattern only knows the ASCII apostrophe; models often write ’."""
    state = dialogue(
        assistant=[
            "I’m sorry, but I can’t help with that.",
            "Sorry, I can’t give baking advice.",
            "I won’t continue with this.",
        ]
    )
    assert reasons(state) == ["chatbot_refusal_only"]

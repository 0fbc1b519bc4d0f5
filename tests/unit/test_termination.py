"""Every termination reason, reached through the whole graph with scripted models."""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.state import TerminationReason
from tests.unit.scripted_models import (
    ASSESS_MARK,
    FINAL_CHECK_MARK,
    GOAL,
    PART_CHECK_MARK,
    PERSONA_DESCRIPTION_MARK,
    PERSONA_TEXT,
    PLAN_MARK,
    TASK_MARKS,
    USER_MESSAGES,
    NumberedChatbot,
    ScriptedInquirer,
    ScriptedJudge,
    assistant_texts,
    part_verdict,
    run_roleplay,
    user_texts,
)


def test_every_reason_has_a_test_below() -> None:
    tested = {
        "goal_verified",
        "goal_claimed",
        "goal_unverified",
        "inquirer_gave_up",
        "max_turns",
        "inquirer_invalid",
        "inquirer_error",
        "chatbot_error",
        "judge_error",
    }
    assert {reason.value for reason in TerminationReason} == tested


def test_prompt_markers_of_the_scripted_models_are_distinct() -> None:
    marks = [ASSESS_MARK, *TASK_MARKS.values(), PART_CHECK_MARK, FINAL_CHECK_MARK, PLAN_MARK]
    marks.append(PERSONA_DESCRIPTION_MARK)
    assert len(set(marks)) == len(marks)
    assert all(a not in b for a in marks for b in marks if a is not b)


def test_goal_verified() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:2], decisions=["NO", "YES"])
    judge = ScriptedJudge(part_verdict(True, "feed it daily and keep it warm for 2 days"))
    state = run_roleplay(inquirer, judge=judge, max_turns=5)

    assert state["termination_reason"] == TerminationReason.GOAL_VERIFIED
    assert user_texts(state) == list(USER_MESSAGES[:2])
    assert len(assistant_texts(state)) == 2
    assert state["turn"] == 2
    [check] = state["goal_checks"]
    assert check["turn"] == 2 and check["goal_met"] is True and check["p_goal"] == 1.0
    assert check["parts"] == [
        {
            "part": GOAL,
            "verified": True,
            "p_yes": 1.0,
            "evidence": "feed it daily and keep it warm for 2 days",
        }
    ]
    assert state["goal_claimed"] is False
    assert not state.get("error")
    assert len(judge.part_prompts) == 1 and len(judge.final_prompts) == 1
    # the first reply did not deliver (NO): the user asks again; the second did (YES): claim
    assert inquirer.calls == ["open", "assess", "reask", "assess"]
    assert [entry["status"] for entry in state["goal_progress"]] == ["not_delivered", "delivered"]
    assert state["filter"] == {"keep": True, "reasons": []}


def test_goal_claimed_when_the_judge_is_off() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"])
    state = run_roleplay(inquirer, judge="none", max_turns=5)

    assert state["termination_reason"] == TerminationReason.GOAL_CLAIMED
    assert len(user_texts(state)) == 1
    assert len(assistant_texts(state)) == 1
    assert len(state["goal_checks"]) == 1
    assert state["goal_checks"][0]["goal_met"] is None
    assert state["goal_checks"][0]["turn"] == 1
    assert "judge" not in state.get("usage", {})


def test_goal_unverified() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"])
    judge = ScriptedJudge(part_verdict(False))
    state = run_roleplay(inquirer, judge=judge, max_turns=5, max_goal_rejections=0)

    assert state["termination_reason"] == TerminationReason.GOAL_UNVERIFIED
    assert len(user_texts(state)) == 1
    assert len(assistant_texts(state)) == 1
    [check] = state["goal_checks"]
    assert check["goal_met"] is False and check["turn"] == 1
    assert check["rationale"].startswith("part 1 (") and "not done correctly" in check["rationale"]
    assert len(judge.prompts) == 1  # the failed part ends the check: no whole-goal question


def test_inquirer_gave_up() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:2], decisions=["NO", "NO"])
    state = run_roleplay(inquirer, max_turns=5, max_part_asks=2)

    assert state["termination_reason"] == TerminationReason.INQUIRER_GAVE_UP
    assert len(user_texts(state)) == 2
    assert len(assistant_texts(state)) == 2
    assert inquirer.calls == ["open", "assess", "reask", "assess"]
    assert not state.get("goal_checks")


@pytest.mark.parametrize("max_turns", [1, 3])
def test_max_turns(max_turns: int) -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES, decisions=["NO"] * 10)
    state = run_roleplay(inquirer, max_turns=max_turns, max_part_asks=20)

    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert len(user_texts(state)) == max_turns
    assert len(assistant_texts(state)) == max_turns
    assert state["turn"] == max_turns
    # the last reply is not assessed: the turn cap ends the dialogue first
    assert inquirer.calls.count("assess") == max_turns - 1
    assert not state.get("goal_checks")


def test_inquirer_invalid() -> None:
    inquirer = ScriptedInquirer(messages=["", "   ", '""'])
    state = run_roleplay(inquirer, max_regenerations=2)

    assert state["termination_reason"] == TerminationReason.INQUIRER_INVALID
    assert state.get("messages", []) == []
    assert state["regenerations"] == {"empty": 3}
    assert "ended_by_error" in state["filter"]["reasons"]
    assert state["filter"]["keep"] is False


def test_inquirer_error_on_the_first_message() -> None:
    inquirer = ScriptedInquirer(messages=[RuntimeError("connection refused\nsecond line")])
    state = run_roleplay(inquirer)

    assert state["termination_reason"] == TerminationReason.INQUIRER_ERROR
    assert state["error"] == "RuntimeError: connection refused"
    assert state.get("messages", []) == []
    assert state["filter"]["keep"] is False
    assert "ended_by_error" in state["filter"]["reasons"]


def test_inquirer_error_in_the_assessment_call() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=[TimeoutError("decision timed out")])
    state = run_roleplay(inquirer, max_turns=5)

    assert state["termination_reason"] == TerminationReason.INQUIRER_ERROR
    assert state["error"] == "TimeoutError: decision timed out"
    assert len(user_texts(state)) == 1
    assert len(assistant_texts(state)) == 1


def test_chatbot_error_when_the_chatbot_raises() -> None:
    def failing_chatbot(messages: list[dict]) -> str:
        raise RuntimeError("503 Service Unavailable")

    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1])
    state = run_roleplay(inquirer, chatbot=failing_chatbot)

    assert state["termination_reason"] == TerminationReason.CHATBOT_ERROR
    assert state["error"] == "RuntimeError: 503 Service Unavailable"
    assert len(user_texts(state)) == 1
    assert assistant_texts(state) == []
    assert "ended_by_error" in state["filter"]["reasons"]


@pytest.mark.parametrize("reply", ["", "  \n "])
def test_chatbot_error_when_the_reply_is_empty(reply: str) -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:2], decisions=["NO"])
    replies = iter(["Here is how to feed a starter: flour and water daily.", reply])
    state = run_roleplay(inquirer, chatbot=lambda messages: next(replies), max_turns=5)

    assert state["termination_reason"] == TerminationReason.CHATBOT_ERROR
    assert state["error"] == "the chatbot returned an empty reply"
    assert len(user_texts(state)) == 2
    assert assistant_texts(state) == ["Here is how to feed a starter: flour and water daily."]
    assert state["usage"]["chatbot"]["calls"] == 2


def test_judge_error() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"])
    judge = ScriptedJudge(ValueError("judge quota exceeded"))
    state = run_roleplay(inquirer, judge=judge, max_turns=5)

    assert state["termination_reason"] == TerminationReason.JUDGE_ERROR
    assert state["error"] == "ValueError: judge quota exceeded"
    assert len(user_texts(state)) == 1
    assert len(assistant_texts(state)) == 1
    assert not state.get("goal_checks")
    assert state["goal_claimed"] is False
    assert "ended_by_error" in state["filter"]["reasons"]


@pytest.mark.parametrize("history", ["transcript", "reversed"])
@pytest.mark.parametrize("style", ["off", "default"])
def test_fake_models_reach_goal_verified(history: str, style: str) -> None:
    """BUG (reversed, llm_roleplay/blocks/fake_models.py): the fake model does not know the task
    'inquirer_followup_reversed', answers it like a chatbot, and the dialogue ends inquirer_invalid."""
    state = run_roleplay(
        "fake",
        chatbot="fake",
        judge="fake",
        persona=None,
        goal_parts=None,
        max_turns=12,
        inquirer_history=history,
        style=style,
    )

    assert state["termination_reason"] == TerminationReason.GOAL_VERIFIED
    assert state["plan_source"] == "split"  # the fake judge writes no plan
    assert len(user_texts(state)) == len(assistant_texts(state)) == 3
    assert state["goal_checks"][0]["goal_met"] is True
    # one part check and the whole goal, plus the plan when this process had not planned the goal yet
    assert state["usage"]["judge"]["calls"] in (2, 3)


def test_chatbot_sees_only_the_conversation() -> None:
    chatbot = NumberedChatbot()
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:2], decisions=["NO"])
    state = run_roleplay(inquirer, chatbot=chatbot, max_turns=2, chatbot_system_prompt="Be brief.")

    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    second_call = chatbot.received[1]
    assert [message["role"] for message in second_call] == ["system", "user", "assistant", "user"]
    assert second_call[0]["content"] == "Be brief."
    assert [message["content"] for message in second_call[1::2]] == list(USER_MESSAGES[:2])
    seen = " ".join(str(message["content"]) for call in chatbot.received for message in call)
    assert "sourdough starter alive" not in seen  # the goal
    assert "retired electrician" not in seen  # the persona


def test_followup_prompt_is_a_transcript_by_default() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:2], decisions=["NO"])
    state = run_roleplay(inquirer, max_turns=2)

    followup = inquirer.prompts[inquirer.calls.index("reask")]
    assert [message["role"] for message in followup] == ["user", "assistant"]  # prompt, then prefill
    assert f"Person: {USER_MESSAGES[0]}" in followup[0]["content"]
    assert f"Chatbot: {assistant_texts(state)[0]}" in followup[0]["content"]
    assert GOAL in followup[0]["content"] and PERSONA_TEXT in followup[0]["content"]


def test_followup_prompt_with_reversed_roles() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:3], decisions=["NO", "NO"])
    state = run_roleplay(inquirer, max_turns=3, inquirer_history="reversed")

    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert user_texts(state) == list(USER_MESSAGES[:3])
    last_followup = inquirer.prompts[-1]
    roles = [message["role"] for message in last_followup]
    # own messages come back as 'assistant', the chatbot's replies as 'user'; then the prefill
    assert roles[:5] == ["system", "assistant", "user", "assistant", "user"]
    assert [message["content"] for message in last_followup[1:5:2]] == list(USER_MESSAGES[:2])
    replies = [message["content"] for message in last_followup[2:5:2]]
    assert replies[0] == assistant_texts(state)[0]
    # the task comes as a note after the chatbot's last reply
    assert replies[1].startswith(assistant_texts(state)[1] + "\n\n[Note for you, the user:")
    assert GOAL in last_followup[0]["content"]

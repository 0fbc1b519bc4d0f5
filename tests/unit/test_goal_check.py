"""Goal claims: the judge verifies them; rejected claims send the dialogue back to the inquirer."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from nodes.state import TerminationReason
from tests.unit.scripted_models import (
    GOAL,
    USER_MESSAGES,
    ScriptedInquirer,
    ScriptedJudge,
    assistant_texts,
    run_roleplay,
    user_texts,
    verdict,
)


def test_rejected_claim_continues_without_a_new_decision() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:3], decisions=["YES", "NO", "YES"])
    judge = ScriptedJudge(verdict(False, "No baking time was given."), verdict(True, "Now it was."))
    state = run_roleplay(inquirer, judge=judge, max_turns=6)

    assert state["termination_reason"] == TerminationReason.GOAL_VERIFIED
    # after the rejection the inquirer writes at once (no decision), later turns decide again
    assert inquirer.calls == ["opening", "decision", "followup", "decision", "followup", "decision"]
    assert user_texts(state) == list(USER_MESSAGES[:3])
    assert len(assistant_texts(state)) == 3
    assert state["goal_checks"] == [
        {"turn": 1, "goal_met": False, "rationale": "No baking time was given."},
        {"turn": 3, "goal_met": True, "rationale": "Now it was."},
    ]
    assert state["skip_decision"] is False
    assert state["usage"]["judge"]["calls"] == 2


def test_judge_sees_goal_and_transcript() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:2], decisions=["NO", "YES"])
    judge = ScriptedJudge(verdict(True))
    state = run_roleplay(inquirer, judge=judge, max_turns=5)

    prompt = judge.prompts[0]
    assert GOAL in prompt
    for text in user_texts(state) + assistant_texts(state):
        assert text in prompt
    assert "retired electrician" not in prompt  # the judge does not need the persona


def test_decision_prompt_holds_goal_and_latest_reply() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"])
    state = run_roleplay(inquirer, judge="none", max_turns=5)

    decision_prompt = inquirer.prompts[inquirer.calls.index("decision")][0]["content"]
    assert GOAL in decision_prompt
    assert assistant_texts(state)[0] in decision_prompt


@pytest.mark.parametrize("max_goal_rejections", [0, 1, 2])
def test_too_many_rejections_end_unverified(max_goal_rejections: int) -> None:
    claims = max_goal_rejections + 1
    inquirer = ScriptedInquirer(messages=USER_MESSAGES, decisions=["YES"] * claims)
    judge = ScriptedJudge(verdict(False, "Not yet."))
    state = run_roleplay(inquirer, judge=judge, max_turns=10, max_goal_rejections=max_goal_rejections)

    assert state["termination_reason"] == TerminationReason.GOAL_UNVERIFIED
    assert len(judge.prompts) == claims
    assert [check["goal_met"] for check in state["goal_checks"]] == [False] * claims
    assert [check["turn"] for check in state["goal_checks"]] == list(range(1, claims + 1))
    assert len(user_texts(state)) == claims
    assert len(assistant_texts(state)) == claims


def test_rejections_below_the_limit_do_not_end_the_dialogue() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES, decisions=["YES", "YES", "NO"])
    judge = ScriptedJudge(verdict(False))
    state = run_roleplay(inquirer, judge=judge, max_turns=4, max_goal_rejections=2)

    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert len(state["goal_checks"]) == 2


@pytest.mark.parametrize("spec", ["none", "off", "NONE", " none "])
def test_disabled_judge_accepts_the_claim(spec: str) -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:2], decisions=["NO", "YES"])
    state = run_roleplay(inquirer, judge=spec, max_turns=5)

    assert state["termination_reason"] == TerminationReason.GOAL_CLAIMED
    assert state["goal_checks"] == [
        {"turn": 2, "goal_met": None, "rationale": "verification is off; claim accepted"}
    ]
    assert len(user_texts(state)) == 2


def test_judge_answer_with_prose_around_json_is_read() -> None:
    judge = ScriptedJudge('Sure. ```json\n{"goal_met": true, "rationale": "Steps given."}\n``` Done.')
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"])
    state = run_roleplay(inquirer, judge=judge, max_turns=5)

    assert state["termination_reason"] == TerminationReason.GOAL_VERIFIED
    assert state["goal_checks"][0]["rationale"] == "Steps given."


def test_malformed_judge_output_is_retried() -> None:
    judge = ScriptedJudge("I think the user is happy.", verdict(True, "Fine."))
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"])
    state = run_roleplay(inquirer, judge=judge, max_turns=5, max_regenerations=2)

    assert state["termination_reason"] == TerminationReason.GOAL_VERIFIED
    assert len(judge.prompts) == 2
    assert state["usage"]["judge"]["calls"] == 2
    assert state["goal_checks"] == [{"turn": 1, "goal_met": True, "rationale": "Fine."}]


@pytest.mark.parametrize("max_regenerations", [0, 2])
def test_judge_output_that_never_parses_counts_as_not_verified(max_regenerations: int) -> None:
    judge = ScriptedJudge("Looks good to me!")
    inquirer = ScriptedInquirer(messages=USER_MESSAGES, decisions=["YES", "NO"])
    state = run_roleplay(inquirer, judge=judge, max_turns=2, max_regenerations=max_regenerations)

    assert len(judge.prompts) == max_regenerations + 1
    assert state["goal_checks"][0]["goal_met"] is False
    assert "could not be parsed" in state["goal_checks"][0]["rationale"]
    # a rejection: the dialogue goes on with a message written without a decision
    assert inquirer.calls[:3] == ["opening", "decision", "followup"]
    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert len(user_texts(state)) == 2


def test_unparseable_verdicts_count_towards_the_rejection_limit() -> None:
    judge = ScriptedJudge("no idea")
    inquirer = ScriptedInquirer(messages=USER_MESSAGES, decisions=["YES", "YES"])
    state = run_roleplay(inquirer, judge=judge, max_turns=5, max_goal_rejections=1, max_regenerations=0)

    assert state["termination_reason"] == TerminationReason.GOAL_UNVERIFIED
    assert len(state["goal_checks"]) == 2


def test_langchain_chat_models_work_as_inquirer_and_judge() -> None:
    inquirer = FakeListChatModel(responses=["hi, how do i start a sourdough starter?", "YES"])
    judge = FakeListChatModel(responses=['{"goal_met": true, "rationale": "ok"}'])
    state = run_roleplay(inquirer, judge=judge, max_turns=3)

    assert state["termination_reason"] == TerminationReason.GOAL_VERIFIED
    assert user_texts(state) == ["hi, how do i start a sourdough starter?"]
    assert state["goal_checks"] == [{"turn": 1, "goal_met": True, "rationale": "ok"}]

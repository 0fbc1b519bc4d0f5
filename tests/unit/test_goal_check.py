"""Goal claims: the judge checks every part with quoted evidence, then the whole goal; a rejected
claim sends the user back to the part it found missing."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from llm_roleplay.nodes.state import TerminationReason
from tests.unit.scripted_models import (
    GOAL,
    USER_MESSAGES,
    ScriptedInquirer,
    ScriptedJudge,
    assistant_texts,
    part_verdict,
    run_roleplay,
    user_texts,
)

PARTS = ["explain how to keep a sourdough starter alive", "give a recipe for a first loaf"]
# One message per part, then the part asked again: a next part is asked for in words of its own.
PART_MESSAGES = (
    "hi, how do i keep my sourdough starter going?",
    "ok and whats a good recipe for my first loaf?",
    "the loaf recipe has no flour amounts, can you add them",
)
SECOND_REPLY, THIRD_REPLY = "Here is part 2 of the answer", "Here is part 3 of the answer"  # NumberedChatbot


def test_rejected_claim_sends_the_user_back_to_the_missing_part() -> None:
    inquirer = ScriptedInquirer(messages=PART_MESSAGES, decisions=["YES", "YES", "YES"])
    first_claim = (part_verdict(True), part_verdict(False, SECOND_REPLY))
    judge = ScriptedJudge(*first_claim, part_verdict(True), part_verdict(True, THIRD_REPLY))
    state = run_roleplay(inquirer, judge=judge, goal_parts=PARTS, max_turns=6)

    # turn 1 delivers part 1 (YES), turn 2 part 2 (YES): claim; the judge rejects part 2, so the user
    # asks for it again at once (no assessment), and the next YES claims again: verified.
    assert inquirer.calls == ["open", "assess", "next", "assess", "reask", "assess"]
    assert "give a recipe for a first loaf" in inquirer.prompts[4][0]["content"]
    reask = inquirer.prompts[4][0]["content"]
    assert "they cannot see where it does that" not in reask  # evidence was quoted
    assert "did not do it properly (they think it is wrong or incomplete)" in reask
    first, second = state["goal_checks"]
    assert (first["turn"], first["goal_met"], [p["verified"] for p in first["parts"]]) == (
        2,
        False,
        [True, False],
    )
    assert (second["turn"], second["goal_met"]) == (3, True)
    assert state["termination_reason"] == TerminationReason.GOAL_VERIFIED
    assert user_texts(state) == list(PART_MESSAGES)
    assert state["judge_feedback"] is None


def test_a_quote_that_is_not_in_the_replies_fails_the_part() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"])
    judge = ScriptedJudge(part_verdict(True, "Bake the loaf at 230 degrees for 40 minutes."))
    state = run_roleplay(inquirer, judge=judge, max_turns=5, max_goal_rejections=0)

    assert state["termination_reason"] == TerminationReason.GOAL_UNVERIFIED
    [part] = state["goal_checks"][0]["parts"]
    assert part == {"part": GOAL, "verified": False, "p_yes": 1.0, "evidence": None}
    assert "no sentence of the replies does it" in state["goal_checks"][0]["rationale"]


def test_a_part_the_judge_takes_for_done_but_cannot_quote_ends_the_dialogue_without_a_complaint() -> None:
    # Sent back, the embedded user made faults up ("you gave the wrong result for 10" after a right
    # 3628800). Rejections left (max_goal_rejections=2) do not matter: there is nothing to push back on.
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:2], decisions=["YES", "YES"])
    judge = ScriptedJudge(part_verdict(True, "Bake the loaf at 230 degrees for 40 minutes."))
    state = run_roleplay(inquirer, judge=judge, max_turns=6, max_goal_rejections=2)

    assert state["termination_reason"] == TerminationReason.GOAL_UNVERIFIED
    assert len(state["goal_checks"]) == 1 and "reask" not in inquirer.calls
    unsure = ScriptedJudge(
        part_verdict(False, "Bake the loaf at 230 degrees for 40 minutes."), part_verdict(True)
    )
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:3], decisions=["YES", "YES", "YES"])
    state = run_roleplay(inquirer, judge=unsure, max_turns=6, max_goal_rejections=2)
    assert "reask" in inquirer.calls  # a NO without a quote: the user is sent back


@pytest.mark.parametrize("evidence", ["none", "", "N/A"])
def test_no_evidence_fails_the_part_even_with_yes(evidence: str) -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"])
    judge = ScriptedJudge(f"Evidence: {evidence}\nDone: YES")
    state = run_roleplay(inquirer, judge=judge, max_turns=5, max_goal_rejections=0)

    assert state["termination_reason"] == TerminationReason.GOAL_UNVERIFIED


def test_every_part_then_the_whole_goal_must_pass() -> None:
    inquirer = ScriptedInquirer(messages=PART_MESSAGES[:2], decisions=["YES", "YES"])
    judge = ScriptedJudge(part_verdict(True), part_verdict(True, SECOND_REPLY), final=["NO"])
    state = run_roleplay(inquirer, judge=judge, goal_parts=PARTS, max_turns=5, max_goal_rejections=0)

    assert state["termination_reason"] == TerminationReason.GOAL_UNVERIFIED
    [check] = state["goal_checks"]
    assert [part["verified"] for part in check["parts"]] == [True, True]
    assert check["p_goal"] == 0.0
    assert len(judge.part_prompts) == 2 and len(judge.final_prompts) == 1


def test_one_sentence_quoted_for_two_parts_delivers_only_the_first() -> None:
    # make demo of 2026-11-28: a recipe step quoted for "a recipe without eggs" and again for "how to
    # make them fluffier", which no reply explained, was verified.
    inquirer = ScriptedInquirer(messages=PART_MESSAGES[:2], decisions=["YES", "YES"])
    judge = ScriptedJudge(part_verdict(True), part_verdict(True, "here is part 1 of the answer."))
    state = run_roleplay(inquirer, judge=judge, goal_parts=PARTS, max_turns=5, max_goal_rejections=0)

    assert state["termination_reason"] == TerminationReason.GOAL_UNVERIFIED
    [check] = state["goal_checks"]
    assert [(part["verified"], part["evidence"]) for part in check["parts"]] == [
        (True, "Here is part 1 of the answer"),
        (False, None),
    ]
    assert (
        "part 2 (give a recipe for a first loaf): the sentence quoted for it was quoted for part 1"
        in (check["rationale"])
    )
    assert judge.final_prompts == []


def test_a_repeated_quote_sends_the_user_back_to_ask_again() -> None:
    # The judge leans to "done" (YES), yet the user has a fault to name: the reply gave the earlier
    # part's text again.
    inquirer = ScriptedInquirer(messages=PART_MESSAGES, decisions=["YES", "YES", "YES"])
    judge = ScriptedJudge(
        part_verdict(True), part_verdict(True), part_verdict(True), part_verdict(True, THIRD_REPLY)
    )
    state = run_roleplay(inquirer, judge=judge, goal_parts=PARTS, max_turns=6, max_goal_rejections=2)

    assert inquirer.calls == ["open", "assess", "next", "assess", "reask", "assess"]
    assert (
        "did not do it properly (they only see what it gave them before)" in inquirer.prompts[4][0]["content"]
    )
    assert [check["goal_met"] for check in state["goal_checks"]] == [False, True]
    assert state["termination_reason"] == TerminationReason.GOAL_VERIFIED


@pytest.mark.parametrize(
    ("parts", "second_quote"),
    [
        (PARTS, "Here is part 2 of the answer"),  # a sentence of its own
        # the same sentence, naming what sets the second part apart ("warm"), delivers both
        (["explain how to keep a sourdough starter alive", "say how warm to keep it for a loaf"], None),
    ],
)
def test_a_quote_of_its_own_or_one_naming_the_part_delivers_it(
    parts: list[str], second_quote: str | None
) -> None:
    inquirer = ScriptedInquirer(messages=PART_MESSAGES[:2], decisions=["YES", "YES"])
    first_quote = "feed it daily and keep it warm for 1 days"
    judge = ScriptedJudge(part_verdict(True, first_quote), part_verdict(True, second_quote or first_quote))
    state = run_roleplay(inquirer, judge=judge, goal_parts=parts, max_turns=5, max_goal_rejections=0)

    assert state["termination_reason"] == TerminationReason.GOAL_VERIFIED


def test_judge_sees_goal_parts_and_transcript_but_not_the_persona() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:2], decisions=["NO", "YES"])
    judge = ScriptedJudge(part_verdict(True))
    state = run_roleplay(inquirer, judge=judge, max_turns=5)

    part_prompt, final_prompt = judge.prompts
    assert f"The user asked for this: {GOAL}" in part_prompt
    assert f"The user's goal was: {GOAL}" in final_prompt
    for text in user_texts(state) + assistant_texts(state):
        assert text in part_prompt and text in final_prompt
    assert "retired electrician" not in part_prompt + final_prompt


def test_the_expected_outcome_is_given_to_the_judge() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"])
    judge = ScriptedJudge(part_verdict(True))
    run_roleplay(inquirer, judge=judge, max_turns=5, expected_outcome="feed it every 12 hours")

    assert all("A correct answer contains: feed it every 12 hours" in prompt for prompt in judge.prompts)


def test_assessment_prompt_holds_the_part_and_the_latest_reply() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:3], decisions=["YES", "NO"])
    state = run_roleplay(inquirer, judge="none", goal_parts=PARTS, max_turns=3)

    first, second = (
        inquirer.prompts[i][0]["content"] for i, task in enumerate(inquirer.calls) if task == "assess"
    )
    assert f"The person had asked the chatbot for this: {PARTS[0]}" in first
    assert f"The person had asked the chatbot for this: {PARTS[1]}" in second
    assert assistant_texts(state)[0] in first and assistant_texts(state)[1] in second


@pytest.mark.parametrize("max_goal_rejections", [0, 1, 2])
def test_too_many_rejections_end_unverified(max_goal_rejections: int) -> None:
    claims = max_goal_rejections + 1
    inquirer = ScriptedInquirer(messages=USER_MESSAGES, decisions=["YES"] * claims)
    judge = ScriptedJudge(part_verdict(False))
    state = run_roleplay(inquirer, judge=judge, max_turns=10, max_goal_rejections=max_goal_rejections)

    assert state["termination_reason"] == TerminationReason.GOAL_UNVERIFIED
    assert len(judge.prompts) == claims
    assert [check["goal_met"] for check in state["goal_checks"]] == [False] * claims
    assert [check["turn"] for check in state["goal_checks"]] == list(range(1, claims + 1))
    assert len(user_texts(state)) == claims


def test_rejections_below_the_limit_do_not_end_the_dialogue() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES, decisions=["YES", "YES", "NO"])
    judge = ScriptedJudge(part_verdict(False))
    state = run_roleplay(inquirer, judge=judge, max_turns=4, max_goal_rejections=2, max_part_asks=5)

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


def test_an_answer_without_yes_or_no_fails_the_part_after_one_call() -> None:
    judge = ScriptedJudge("Evidence: Here is part 1 of the answer\nThe user seems happy.")
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"])
    state = run_roleplay(inquirer, judge=judge, max_turns=5, max_goal_rejections=0)

    assert state["termination_reason"] == TerminationReason.GOAL_UNVERIFIED
    assert len(judge.prompts) == 1
    assert state["goal_checks"][0]["parts"][0]["p_yes"] is None


@pytest.mark.parametrize(("threshold", "verified"), [(0.8, False), (0.6, True)])
def test_without_logprobs_the_judge_votes_over_samples(threshold: float, verified: bool) -> None:
    """Two YES of three samples is P(yes) 0.67: below the default threshold, above 0.6."""
    judge = ScriptedJudge(part_verdict(True), part_verdict(False), part_verdict(True), final=["YES"])
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"])
    state = run_roleplay(
        inquirer, judge=judge, max_turns=5, max_goal_rejections=0, judge_samples=3, judge_threshold=threshold
    )

    [part] = state["goal_checks"][0]["parts"]
    assert part["p_yes"] == pytest.approx(2 / 3, abs=1e-3)
    assert part["verified"] is verified
    assert len(judge.part_prompts) == 3
    expected = TerminationReason.GOAL_VERIFIED if verified else TerminationReason.GOAL_UNVERIFIED
    assert state["termination_reason"] == expected


def test_langchain_chat_models_work_as_inquirer_and_judge() -> None:
    inquirer = FakeListChatModel(responses=["hi, how do i start a sourdough starter?", "YES"])
    judge = FakeListChatModel(responses=["Evidence: Here is part 1 of the answer\nDone: YES", "YES"])
    state = run_roleplay(inquirer, judge=judge, max_turns=3)

    assert state["termination_reason"] == TerminationReason.GOAL_VERIFIED
    assert user_texts(state) == ["hi, how do i start a sourdough starter?"]
    assert state["goal_checks"][0]["goal_met"] is True


def test_only_a_judge_that_leans_to_not_done_or_a_plain_check_sends_the_user_back() -> None:
    from llm_roleplay.nodes.goal_check import _nothing_to_push_back_on
    from llm_roleplay.nodes.verification import GoalVerdict, PartCheck

    def part(p_yes: float | None, evidence: str | None = "quoted") -> PartCheck:
        return PartCheck("draw a unicorn", False, p_yes, evidence, "logprobs")

    doubt = GoalVerdict(False, [part(0.75)], None, 0, "not done correctly (P(yes) 0.75)")
    assert _nothing_to_push_back_on(doubt)  # seen: "I told you it was supposed to be 73 tall"
    assert not _nothing_to_push_back_on(GoalVerdict(False, [part(0.2)], None, 0, "a NO"))
    whole = GoalVerdict(False, [part(0.9)], 0.74, 0, "every part has evidence, but ...")
    assert _nothing_to_push_back_on(whole)
    assert not _nothing_to_push_back_on(GoalVerdict(False, [part(0.9)], 0.3, 0, "whole goal: NO"))
    plain = GoalVerdict(False, [], None, 0, "evidently not met (false_arithmetic: 18 + 6 = 30)")
    assert not _nothing_to_push_back_on(plain)
    # one line quoted for two parts: prose sends the user back, a line of code does not (grid run of
    # the evening of 2026-11-29: the factorial user was sent back twice for a base case the code had)
    line = "def factorialize(num, memo={}):"
    code = f"Here it is:\n```python\n{line}\n    return 1 if num < 2 else num * factorialize(num - 1)\n```"
    first = PartCheck("make it recursive", True, 0.94, line, "logprobs")
    again = PartCheck("no infinite loop", False, 0.92, None, "logprobs", quoted_for=0)
    reused = GoalVerdict(False, [first, again], None, 1, "quoted for part 1")
    assert _nothing_to_push_back_on(reused, [code])
    assert not _nothing_to_push_back_on(reused, ["def factorialize(num, memo={}): is what I wrote"])

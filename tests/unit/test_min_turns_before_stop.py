"""The goal is claimed only once ``min_turns_before_stop`` user messages are sent: a user whose
goal was met sooner asks follow-up questions first, as people do."""

from __future__ import annotations

import pytest

from tests.unit.scripted_models import USER_MESSAGES, ScriptedInquirer, run_roleplay, user_texts


@pytest.mark.parametrize("minimum", [1, 2, 3])
def test_no_claim_before_the_minimum(minimum: int) -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:minimum], decisions=["YES"])
    state = run_roleplay(inquirer, min_turns_before_stop=minimum, max_turns=6)
    assert len(user_texts(state)) == minimum
    # the first reply delivers the only part; follow-ups fill the turns up to the minimum
    assert inquirer.calls == ["open", "assess"] + ["follow_up"] * (minimum - 1)
    assert state["termination_reason"] == "goal_claimed"


def test_a_turn_cap_at_or_below_the_minimum_still_leaves_room_for_the_claim() -> None:
    # `make demo` runs 4 turns with the default minimum of 4: the follow-ups had filled the last turn
    # and the dialogue ended at the cap, never checked by the judge
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:3], decisions=["YES"])
    state = run_roleplay(inquirer, min_turns_before_stop=4, max_turns=4)
    assert len(user_texts(state)) == 3
    assert state["termination_reason"] == "goal_claimed"

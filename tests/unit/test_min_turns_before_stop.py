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

"""The inquirer is first asked whether to stop after ``min_turns_before_stop`` user messages."""

from __future__ import annotations

import pytest

from tests.unit.scripted_models import USER_MESSAGES, ScriptedInquirer, run_roleplay, user_texts


@pytest.mark.parametrize("minimum", [1, 2, 3])
def test_no_stop_decision_before_the_minimum(minimum: int) -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:minimum], decisions=["YES"])
    state = run_roleplay(inquirer, min_turns_before_stop=minimum, max_turns=6)
    assert len(user_texts(state)) == minimum
    assert inquirer.calls == ["opening"] + ["followup"] * (minimum - 1) + ["decision"]
    assert state["termination_reason"] == "goal_claimed"

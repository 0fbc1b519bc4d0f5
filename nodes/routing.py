"""Conditional edges: a dialogue leaves the loop for the filter as soon as it has an end reason.
The next user message comes from the script when it has one for that turn (``nodes.script``)."""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime

from llm_roleplay.nodes.context import Context, settings_of
from llm_roleplay.nodes.script import next_user_turn
from llm_roleplay.nodes.state import RoleplayState


def to_inquirer_unless_ended(
    state: RoleplayState, runtime: Runtime[Context]
) -> Literal["scripted_turn", "inquirer_turn", "quality_filter"]:
    """After planning, a chatbot reply or a rejected claim: the user's turn (the script's message
    for that turn, if any, else the inquirer's), unless it ended."""
    if state.get("termination_reason"):
        return "quality_filter"
    return next_user_turn(state, settings_of(runtime))


def after_inquirer(state: RoleplayState) -> Literal["chatbot_turn", "goal_check", "quality_filter"]:
    if state.get("termination_reason"):
        return "quality_filter"
    return "goal_check" if state.get("goal_claimed") else "chatbot_turn"

"""Conditional edges: a dialogue leaves the loop for the filter as soon as it has an end reason."""

from __future__ import annotations

from typing import Literal

from nodes.state import RoleplayState


def to_inquirer_unless_ended(state: RoleplayState) -> Literal["inquirer_turn", "quality_filter"]:
    """After planning, a chatbot reply or a rejected claim: the user's turn, unless it ended."""
    return "quality_filter" if state.get("termination_reason") else "inquirer_turn"


def after_inquirer(state: RoleplayState) -> Literal["chatbot_turn", "goal_check", "quality_filter"]:
    if state.get("termination_reason"):
        return "quality_filter"
    return "goal_check" if state.get("goal_claimed") else "chatbot_turn"

"""Conditional edges: a dialogue leaves the loop for the filter as soon as it has an end reason."""

from __future__ import annotations

from typing import Literal

from nodes.state import RoleplayState


def after_inquirer(state: RoleplayState) -> Literal["chatbot_turn", "goal_check", "quality_filter"]:
    if state.get("termination_reason"):
        return "quality_filter"
    return "goal_check" if state.get("goal_claimed") else "chatbot_turn"


def after_chatbot(state: RoleplayState) -> Literal["inquirer_turn", "quality_filter"]:
    return "quality_filter" if state.get("termination_reason") else "inquirer_turn"


def after_goal_check(state: RoleplayState) -> Literal["inquirer_turn", "quality_filter"]:
    return "quality_filter" if state.get("termination_reason") else "inquirer_turn"

"""The roleplay graph's state: what one simulated dialogue knows at each step.

Values are plain JSON-able data (plus LangChain messages, which Studio renders as a chat), so the
same state reads the same through a SQLite checkpoint, the ``langgraph dev`` API and Python.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Required

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict  # pydantic cannot read typing.TypedDict on Python < 3.12

from llm_roleplay.blocks.personas import trait_phrases


class TerminationReason(StrEnum):
    """Why a dialogue ended. Every finished dialogue has exactly one."""

    GOAL_VERIFIED = "goal_verified"  # every part looked delivered to the user and the judge agreed
    GOAL_CLAIMED = "goal_claimed"  # every part looked delivered to the user; verification is off
    GOAL_UNVERIFIED = "goal_unverified"  # the judge rejected too many goal claims
    INQUIRER_GAVE_UP = "inquirer_gave_up"  # a part failed max_part_asks times: the user gives up
    MAX_TURNS = "max_turns"  # the turn cap was reached
    INQUIRER_INVALID = "inquirer_invalid"  # every regeneration of a user message was bad
    INQUIRER_ERROR = "inquirer_error"  # the inquirer model call failed
    CHATBOT_ERROR = "chatbot_error"  # the target chatbot failed or returned nothing
    JUDGE_ERROR = "judge_error"  # the judge model call failed


def merge_counts(left: dict[str, int] | None, right: dict[str, int] | None) -> dict[str, int]:
    """Reducer: add counters key by key."""
    merged = dict(left or {})
    for key, value in (right or {}).items():
        merged[key] = merged.get(key, 0) + value
    return merged


def merge_usage(
    left: dict[str, dict[str, int]] | None, right: dict[str, dict[str, int]] | None
) -> dict[str, dict[str, int]]:
    """Reducer: add token counters per role."""
    merged = {role: dict(counts) for role, counts in (left or {}).items()}
    for role, counts in (right or {}).items():
        merged[role] = merge_counts(merged.get(role), counts)
    return merged


def append(left: list[Any] | None, right: list[Any] | None) -> list[Any]:
    return [*(left or []), *(right or [])]


class InputState(TypedDict, total=False):
    """What a caller gives: a goal, and optionally a persona (attributes and/or description).

    A persona may be ``{"attributes": {...}, "description": "..."}``, a flat attribute dict, or
    plain text. ``generate_persona`` replaces it with the normalized form
    ``{"attributes": {...}, "description": str, "source": str}``.
    """

    goal: Required[str]
    persona: dict[str, Any] | str | None
    goal_parts: list[str] | None  # the goal's plan, when the goal file gives it
    expected_outcome: str | None  # what a correct answer contains, when the goal file says


class RoleplayState(InputState, total=False):
    dialogue_id: str
    messages: Annotated[list[AnyMessage], add_messages]
    turn: int  # user messages sent so far
    style: dict[str, Any] | None  # the persona's typing habits (PersonaStyle), None with style off
    own_details: str | None  # the results the goal has the user measure, one per line (own_details)
    plan_source: str  # where goal_parts came from: "given", "judge" or "split"
    part: int  # index of the goal part being pursued; len(goal_parts) once all are delivered
    part_asks: int  # user messages sent for the current part
    goal_progress: Annotated[
        list[dict[str, Any]], append
    ]  # per assessed reply: {"turn", "part", "status", "p_yes"}
    goal_claimed: bool  # every part looks delivered; the judge has not ruled yet
    judge_feedback: dict[str, Any] | None  # a rejected claim: {"part": k, "reason": text}, for the user
    regenerations: Annotated[dict[str, int], merge_counts]  # by Problem kind
    rejected: Annotated[
        list[dict[str, Any]], append
    ]  # each rejected user message: {"turn", "problem", "text"}
    goal_checks: Annotated[list[dict[str, Any]], append]  # {"turn", "goal_met", "rationale", "parts", ...}
    usage: Annotated[dict[str, dict[str, int]], merge_usage]  # role -> token counters
    # LangGraph agent targets only: the agent's thread and its values after the last turn, and
    # every tool call ({"turn", "message_id", "name", "args", "id", "result"}), never shown to
    # the inquirer.
    agent: dict[str, Any]
    tool_calls: Annotated[list[dict[str, Any]], append]
    termination_reason: str  # a TerminationReason value (plain text for checkpoints and JSON)
    error: str | None
    filter: dict[str, Any]  # {"keep": bool, "reasons": [...]}


class DatasetInput(TypedDict, total=False):
    """Input of the dataset graph: goals (texts or goal objects), personas, trials per pair."""

    goals: Required[list[str | dict[str, Any]]]
    personas: int | list[dict[str, Any] | str]  # how many to sample (default 2), or the personas
    trials: int


class DialogueCell(TypedDict):
    """One dialogue of the grid, as sent to ``run_dialogue``."""

    goal: str
    persona: dict[str, Any]
    seed: int
    extra: dict[str, Any]  # goal id, domain, trial: copied into the record


class DatasetState(DatasetInput, total=False):
    cells: list[DialogueCell]
    grid: dict[str, Any]  # pairing statistics (rejections of implausible persona-goal pairs)
    dialogues: Annotated[list[dict[str, Any]], append]  # finished dialogue records
    summary: dict[str, Any]


def persona_description(state: RoleplayState) -> str:
    """The rendered persona text (set by ``generate_persona``); empty before it ran."""
    persona = state.get("persona")
    return str(persona.get("description") or "") if isinstance(persona, dict) else ""


def persona_traits(state: RoleplayState) -> list[str]:
    """The persona's nameable traits ("35 to 44", "office clerk"), for the leak check."""
    persona = state.get("persona")
    attributes = persona.get("attributes") if isinstance(persona, dict) else None
    return trait_phrases(attributes) if isinstance(attributes, dict) else []

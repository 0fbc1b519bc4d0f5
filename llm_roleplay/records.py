"""The dialogue record: the documented, versioned JSON form of one finished dialogue.

Schema (``schema_version`` 4; 2 added ``goal_plan``, ``expected_outcome``, ``goal_progress`` and
``style``, 3 added ``rejected``, 4 added ``own_details`` and user messages' ``written``) — see
README "Dialogue record":

- ``id``: stable hash of what defines the dialogue (``llm_roleplay.nodes.ids``)
- ``goal``: the goal text
- ``persona``: ``{"attributes": {...}, "description": str, "source": "given" | "sampled:<seed>"}``
- ``messages``: ``[{"role": "user" | "assistant", "content": str, "turn": int, "timestamp": str,
  "latency_s": float | null}]``, turn from 1; ``timestamp`` (ISO 8601, UTC) is when the message was
  written, ``latency_s`` how long the chatbot's call for a reply took (null for user messages);
  with a LangGraph agent as target, an assistant message may carry ``tool_calls``:
  ``[{"name", "args", "id", "result"}]`` (the calls the agent made on its way to that message);
  a reply that stopped at the chatbot's token cap carries ``"cut_off": true`` (the user's next
  message is then a "continue", and readers take the reply and its continuation as one); a user
  message may carry ``written``: the inquirer model's own output, where the rewrites and the typing
  pass changed it
- ``termination_reason``: one ``TerminationReason`` value; ``error``: text or null
- ``filter``: ``{"keep": bool, "reasons": [filter names]}``
- ``goal_check``: ``{"verified": bool | null, "checks": [{"turn", "goal_met", "rationale", "p_goal",
  "parts": [{"part", "verified", "p_yes", "evidence"}]}]}``
- ``goal_plan``: ``{"parts": [...], "source": "given" | "judge" | "split"}``; ``expected_outcome``
- ``goal_progress``: per chatbot reply the user read, ``{"turn", "part", "status", "p_yes"}`` with
  status ``delivered``, ``not_delivered`` or ``asked_user``
- ``style``: the simulated user's typing habits (``PersonaStyle``), null with ``style: off``
- ``own_details``: the results the goal has the user measure but does not state ("50-meter race: 11
  seconds", one per line), written once by the inquirer model when the persona is made and given
  by the user whenever asked; null for goals without such measurements
- ``regenerations``: rejected inquirer outputs by kind
- ``rejected``: each rejected user message, ``{"turn", "problem", "text"}`` (``text`` as typed, and
  ``written``, the model's own output, where that differs), so that a reader can see what the
  guards stopped and why
- ``usage``: ``{role: {"calls", "input_tokens", "output_tokens", "cached_input_tokens"}}``; the last
  counts input tokens the endpoint served from its prompt cache (0 where none are reported)
- ``settings``: the defining settings (model specs, max turns, seed, ...); never keys
- ``versions``: package, prompt and persona-schema versions
- ``goal_id``, ``goal_domain``, ``trial``: set by ``roleplay generate`` (null for single runs)
- ``near_duplicate_of``: set on export when the dialogue's user side nearly copies another's
- ``agent``: LangGraph agent targets only: ``{"thread_id", "final_state"}`` (the agent's thread and
  its values after the last turn, as JSON); null for chat-model targets
- ``expect``: the goal's declared checks (goal files' ``expect``), evaluated by ``roleplay eval``
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

from langchain_core.messages import BaseMessage
from pydantic import BaseModel, Field

from llm_roleplay.blocks.personas import default_schema
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.state import TerminationReason
from llm_roleplay.prompts import prompt_versions

SCHEMA_VERSION = 4


class ToolCallRecord(BaseModel):
    """One tool call of an agent target, with the tool's answer (never shown to the inquirer)."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    id: str | None = None
    result: str | None = None
    error: bool | None = Field(default=None, exclude_if=lambda value: value is None)


# Fields that measure a run rather than define the dialogue: leave them out to compare two runs
# (``record.model_dump(exclude=WITHOUT_TIMING)``).
WITHOUT_TIMING = {"messages": {"__all__": {"timestamp", "latency_s"}}}


class RecordMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str
    turn: int
    timestamp: str | None = None  # ISO 8601 UTC, when the message was written (null in old records)
    latency_s: float | None = None  # the chatbot call that wrote a reply (null for user messages)
    # Left out of the JSON when empty, so records of chat-model targets read as before.
    tool_calls: list[ToolCallRecord] | None = Field(default=None, exclude_if=lambda value: not value)
    # A reply that stopped at the chatbot's token cap (the user then typed "continue"); left out
    # when false.
    cut_off: bool = Field(default=False, exclude_if=lambda value: not value)
    # A user message: the inquirer model's own output it came from, where the rewrites and the typing
    # pass changed it (left out when they did not, and for replies).
    written: str | None = Field(default=None, exclude_if=lambda value: value is None)


class AgentRecord(BaseModel):
    """A LangGraph agent target's side of the dialogue: its thread and its values at the end."""

    thread_id: str
    final_state: dict[str, Any] = Field(default_factory=dict)


class GoalCheck(BaseModel):
    verified: bool | None = None
    checks: list[dict[str, Any]] = Field(default_factory=list)


class FilterVerdict(BaseModel):
    keep: bool
    reasons: list[str] = Field(default_factory=list)


class GoalPlan(BaseModel):
    parts: list[str] = Field(default_factory=list)
    source: Literal["given", "judge", "split"] | None = None


class DialogueRecord(BaseModel):
    schema_version: int = SCHEMA_VERSION
    id: str
    goal: str
    persona: dict[str, Any]
    messages: list[RecordMessage]
    termination_reason: TerminationReason
    error: str | None = None
    filter: FilterVerdict
    goal_check: GoalCheck
    goal_plan: GoalPlan = Field(default_factory=GoalPlan)
    expected_outcome: str | None = None
    goal_progress: list[dict[str, Any]] = Field(default_factory=list)
    style: dict[str, Any] | None = None
    own_details: str | None = None
    regenerations: dict[str, int] = Field(default_factory=dict)
    rejected: list[dict[str, Any]] = Field(default_factory=list)
    usage: dict[str, dict[str, int]] = Field(default_factory=dict)
    settings: dict[str, Any]
    versions: dict[str, Any]
    goal_id: str | None = None
    goal_domain: str | None = None
    trial: int | None = None
    agent: AgentRecord | None = None
    expect: dict[str, Any] | None = None


@cache  # importlib.metadata reads files: ~2 ms a call, once per record otherwise
def _package_versions() -> dict[str, Any]:
    def installed(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    return {
        "llm_roleplay": installed("llm-roleplay"),
        "langgraph": installed("langgraph"),
        "langchain_core": installed("langchain-core"),
        "prompts": prompt_versions(),
        "persona_schema": default_schema().version,
    }


def package_versions() -> dict[str, Any]:
    """Package, prompt and persona-schema versions, as stored in records and manifests."""
    return copy.deepcopy(_package_versions())


def record_messages(
    messages: list[BaseMessage], tool_calls: list[dict[str, Any]] | None = None
) -> list[RecordMessage]:
    """Human/AI messages as user/assistant turns; a reply shares its question's turn number. An
    agent's tool calls go on the assistant message they led to (by message id)."""
    calls_by_message: dict[str, list[ToolCallRecord]] = {}
    for call in tool_calls or []:
        fields = {key: call.get(key) for key in ("name", "args", "id", "result", "error")}
        calls_by_message.setdefault(str(call.get("message_id")), []).append(
            ToolCallRecord.model_validate(fields)
        )
    records, turn = [], 0
    for message in messages:
        if message.type not in ("human", "ai"):
            continue
        turn += message.type == "human"
        timing = message.response_metadata or {}
        records.append(
            RecordMessage(
                role="user" if message.type == "human" else "assistant",
                content=str(message.text),
                turn=turn,
                timestamp=timing.get("timestamp"),
                latency_s=timing.get("latency_s"),
                tool_calls=calls_by_message.get(str(message.id)) if message.type == "ai" else None,
                cut_off=bool(timing.get("cut_off")),
                written=timing.get("written") if message.type == "human" else None,
            )
        )
    return records


def record_from_state(values: dict[str, Any], context: Context) -> DialogueRecord:
    """Build the record of a finished dialogue from the graph's final state."""
    checks = values.get("goal_checks", [])
    reason = TerminationReason(values["termination_reason"])
    verified = {
        TerminationReason.GOAL_VERIFIED: True,
        TerminationReason.GOAL_UNVERIFIED: False,
    }.get(reason)
    return DialogueRecord(
        id=values["dialogue_id"],
        goal=values["goal"],
        persona=values["persona"],
        messages=record_messages(values.get("messages", []), values.get("tool_calls")),
        termination_reason=reason,
        error=values.get("error"),
        filter=FilterVerdict(**values["filter"]),
        goal_check=GoalCheck(verified=verified, checks=checks),
        goal_plan=GoalPlan(parts=values.get("goal_parts") or [], source=values.get("plan_source")),
        expected_outcome=values.get("expected_outcome"),
        goal_progress=values.get("goal_progress", []),
        style=values.get("style"),
        own_details=values.get("own_details"),
        regenerations=values.get("regenerations", {}),
        rejected=values.get("rejected", []),
        usage=values.get("usage", {}),
        settings=context.defining_settings(),
        versions=package_versions(),
        agent=_agent_record(values.get("agent")),
    )


def _agent_record(agent: dict[str, Any] | None) -> AgentRecord | None:
    if not agent or not agent.get("thread_id"):
        return None
    return AgentRecord(thread_id=agent["thread_id"], final_state=agent.get("state") or {})


@cache
def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to a temporary file beside ``path`` and rename it over: never a torn file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp creates 0600; give the file normal permissions
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)

"""chatbot_turn: the target chatbot answers. It sees the user's messages and its own replies only,
never the persona or the goal.

A chat model (or function) gets the whole conversation each turn. A LangGraph agent gets only the
new user message on its own thread (``llm_roleplay.blocks.agents``): every assistant message of its turn
joins the dialogue, and its tool calls are kept beside them (``tool_calls``) for the record, out
of the simulated user's sight.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from llm_roleplay.blocks.agents import AgentTarget
from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.models import build_target
from llm_roleplay.nodes.context import Context, settings_of
from llm_roleplay.nodes.llm import ainvoke, call_seed, error_text, role_model, stamped
from llm_roleplay.nodes.state import RoleplayState, TerminationReason

_FAILED = {"termination_reason": TerminationReason.CHATBOT_ERROR.value}


async def chatbot_turn(state: RoleplayState, runtime: Runtime[Context]) -> dict[str, Any]:
    context = settings_of(runtime)
    target = build_target(role_model(context, "chatbot"))
    turn = state.get("turn", 0)
    if isinstance(target, AgentTarget):
        update = await _agent_turn(target, state, context)
    else:
        update = await _model_turn(target, state, context)
    if turn >= context.max_turns and "termination_reason" not in update:
        update["termination_reason"] = TerminationReason.MAX_TURNS.value
    return update


async def _model_turn(model: Any, state: RoleplayState, context: Context) -> dict[str, Any]:
    turn = state.get("turn", 0)
    history: list[BaseMessage] = (
        [SystemMessage(context.chatbot_system_prompt)] if context.chatbot_system_prompt else []
    )
    history += [message for message in state.get("messages", []) if message.type in ("human", "ai")]
    try:
        reply = await ainvoke(
            model,
            history,
            task="chatbot_reply",
            turn=turn,
            seed=call_seed(context.seed, state.get("dialogue_id", ""), "chatbot_reply", turn),
        )
    except Exception as error:  # the target failing ends this dialogue with the reason recorded
        return {**_FAILED, "error": error_text(error)}
    usage = {"usage": {"chatbot": reply.usage}}
    if not reply.text.strip():
        return {**_FAILED, **usage, "error": "the chatbot returned an empty reply"}
    message = stamped(
        AIMessage(reply.text.strip(), id=f"assistant-{turn}"), latency_s=round(reply.latency_s, 3)
    )
    if reply.cut_off:  # the user will ask it to go on (nodes/continuation.py)
        message.response_metadata["cut_off"] = True
    return {**usage, "messages": [message]}


async def _agent_turn(target: AgentTarget, state: RoleplayState, context: Context) -> dict[str, Any]:
    if context.chatbot_system_prompt:
        raise ConfigError("chatbot_system_prompt: a LangGraph agent target keeps its own prompt; unset it")
    turn = state.get("turn", 0)
    users = [message for message in state.get("messages", []) if message.type == "human"]
    sent = HumanMessage(str(users[-1].text), id=users[-1].id or f"user-{turn}")
    previous = users[-2].id if len(users) > 1 else None
    try:
        # In a thread: the agent is the user's code, and may run sync nodes and a sync checkpointer.
        result = await asyncio.to_thread(
            target.take_turn,
            state.get("dialogue_id", ""),
            (state.get("agent") or {}).get("thread_id"),
            previous,
            sent,
        )
    except Exception as error:  # the agent failing ends this dialogue with the reason recorded
        return {**_FAILED, "error": error_text(error)}
    messages, calls = [], []
    for index, reply in enumerate(result.replies):
        message_id = f"assistant-{turn}" if index == 0 else f"assistant-{turn}-{index + 1}"
        messages.append(stamped(AIMessage(reply.text, id=message_id)))
        calls += [{"turn": turn, "message_id": message_id, **call} for call in reply.tool_calls]
    update: dict[str, Any] = {
        "messages": messages,
        "tool_calls": calls,
        "agent": {"thread_id": result.thread_id, "state": result.state},
        "usage": {"chatbot": result.usage},
    }
    if not any(reply.text for reply in result.replies):
        update.update(_FAILED, error="the agent's turn produced no message for the user")
    return update

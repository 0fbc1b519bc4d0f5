"""chatbot_turn: the target chatbot answers. It sees the user's messages and its own replies only,
never the persona or the goal."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from langgraph.runtime import Runtime

from llm_roleplay.models import build_chat_model
from nodes.context import Context, settings_of
from nodes.llm import call_seed, error_text, invoke, role_model
from nodes.state import RoleplayState, TerminationReason


def chatbot_turn(state: RoleplayState, runtime: Runtime[Context]) -> dict[str, Any]:
    context = settings_of(runtime)
    model = build_chat_model(role_model(context, "chatbot"))
    turn = state.get("turn", 0)
    history: list[BaseMessage] = (
        [SystemMessage(context.chatbot_system_prompt)] if context.chatbot_system_prompt else []
    )
    history += [message for message in state.get("messages", []) if message.type in ("human", "ai")]
    failed = {"termination_reason": TerminationReason.CHATBOT_ERROR.value}
    try:
        reply = invoke(
            model,
            history,
            task="chatbot_reply",
            turn=turn,
            seed=call_seed(context.seed, state.get("dialogue_id", ""), "chatbot_reply", turn),
        )
    except Exception as error:  # the target failing ends this dialogue with the reason recorded
        return {**failed, "error": error_text(error)}
    usage = {"usage": {"chatbot": reply.usage}}
    if not reply.text.strip():
        return {**failed, **usage, "error": "the chatbot returned an empty reply"}
    update: dict[str, Any] = {**usage, "messages": [AIMessage(reply.text.strip(), id=f"assistant-{turn}")]}
    if turn >= context.max_turns:
        update["termination_reason"] = TerminationReason.MAX_TURNS.value
    return update

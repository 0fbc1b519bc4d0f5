"""A minimal LangGraph chat agent ({"messages": [...]} in and out), served in dev-server tests as the
target of ``langgraph:echo_bot`` chatbot specs."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.graph import START, MessagesState, StateGraph


def answer(state: MessagesState) -> dict[str, Any]:
    users = [message for message in state["messages"] if message.type == "human"]
    return {"messages": [AIMessage(f"Echo {len(users)}: {users[-1].text if users else ''}")]}


builder = StateGraph(MessagesState)
builder.add_node(answer)
builder.add_edge(START, "answer")
graph = builder.compile(name="echo_bot")

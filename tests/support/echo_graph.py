"""A minimal LangGraph chat agent ({"messages": [...]} in and out), served in dev-server tests as the
target of ``langgraph:echo_bot`` chatbot specs."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.graph import START, MessagesState, StateGraph


def answer(state: MessagesState) -> dict[str, Any]:
    """ "Echo N: <the N-th user message>", its question marks as full stops: an echoed question
    would be the chatbot asking the user something, which the user then answers."""
    users = [message for message in state["messages"] if message.type == "human"]
    return {"messages": [AIMessage(f"Echo {len(users)}: {echoed(users[-1].text) if users else ''}")]}


def echoed(text: str) -> str:
    return text.replace("?", ".")


builder = StateGraph(MessagesState)
builder.add_node(answer)
builder.add_edge(START, "answer")
graph = builder.compile(name="echo_bot")

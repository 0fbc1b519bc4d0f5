"""Small LangGraph agents and a rule-based "model" for the agent-target tests.

- :func:`support_rules` answers the example support agent's prompts by fixed rules (an order id
  plus "refund"/"money back"/"broken" -> ``REFUND``, an order id -> ``LOOKUP``, else a reply), so
  the real agent graph (its ``ToolNode``, tools and state) runs without an LLM. Served by
  ``langgraph dev`` as ``python:tests.support.agents:support_rules`` through the agent's context.
  Its replies never repeat what the tools returned, so tests can tell replies from tool results.
- :func:`chatty_agent`: one turn gives two assistant messages with text around a tool call.
- :func:`counting_agent`: replies ``reply N`` and counts how often it ran.
"""

from __future__ import annotations

import re
from itertools import count
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode

from examples.support_agent.agent import build_agent
from llm_roleplay.blocks.adapters import CallableChatModel

_ORDER = re.compile(r"\b[A-Z]\d{4}\b")


def support_rules(messages: list[dict[str, Any]]) -> str:
    """The support agent's model, by rules on its prompt (see the module docstring)."""
    prompt = str(messages[-1]["content"])
    customer = [line for line in prompt.splitlines() if line.startswith("Customer:")]
    last = customer[-1] if customer else ""
    if "one line" in prompt:  # the decision prompt
        order = _ORDER.search(last)
        if order and re.search(r"refund|money back|broken", last, re.IGNORECASE):
            return f"REFUND {order.group(0)} | arrived broken"
        if order:
            return f"LOOKUP {order.group(0)}"
        return "REPLY Hello! Which order is it about?"
    facts = prompt.split("Facts:", 1)[-1]
    if "refunded" in facts:
        return "Done: your money is on its way back to you."
    if '"status"' in facts:
        return "I checked: your order is on its way."
    return "Happy to help. Anything else?"


def rule_based_support_agent(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph[Any]:
    """The example support agent, driven by :func:`support_rules` instead of an LLM."""
    return build_agent(CallableChatModel(fn=support_rules), checkpointer=checkpointer)


@tool
def check_stock(item: str) -> str:
    """How many of an item are in stock."""
    return f"{len(item)} {item} in stock"


def chatty_agent() -> CompiledStateGraph[Any]:
    """Says "Let me check." while calling a tool, then gives the answer: two messages in one turn."""

    def first(state: MessagesState) -> dict[str, Any]:
        n = sum(1 for m in state["messages"] if m.type == "human")
        call = {"name": "check_stock", "args": {"item": "lamps"}, "id": f"stock-{n}"}
        return {"messages": [AIMessage("Let me check.", tool_calls=[call])]}

    def answer(state: MessagesState) -> dict[str, Any]:
        result = next(m for m in reversed(state["messages"]) if isinstance(m, ToolMessage))
        return {"messages": [AIMessage(f"Good news: {result.text}.")]}

    builder = StateGraph(MessagesState)
    builder.add_node("first", first)
    builder.add_node("tools", ToolNode([check_stock]))
    builder.add_node("answer", answer)
    builder.add_edge(START, "first")
    builder.add_edge("first", "tools")
    builder.add_edge("tools", "answer")
    builder.add_edge("answer", END)
    return builder.compile(name="chatty")


chatty = chatty_agent()  # for `python:tests.support.agents:chatty` specs


class CountingAgent:
    """A one-node agent answering ``reply N``; ``runs`` counts its node's executions."""

    def __init__(self, checkpointer: BaseCheckpointSaver | None = None) -> None:
        self.runs = 0
        self._numbers = count(1)

        def reply(state: MessagesState) -> dict[str, Any]:
            self.runs += 1
            return {"messages": [AIMessage(f"reply {next(self._numbers)}")]}

        builder = StateGraph(MessagesState)
        builder.add_node("reply", reply)
        builder.add_edge(START, "reply")
        self.graph = builder.compile(checkpointer=checkpointer, name="counting")

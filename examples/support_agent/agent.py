"""A small customer-support agent on LangGraph: two tools over an in-memory order store.

    START -> assistant --(tool call)--> tools -> respond -> END
                 +---------(reply)---------------------> END

``lookup_order`` reads an order; ``refund_order`` refunds a delivered one and records the refund
in the agent's state (``refunds``), which is what a test of "did it refund?" checks. The tools run
in LangGraph's ``ToolNode`` and the conversation lives in the agent's thread, like any chat agent.

The assistant picks its step with a one-line text answer (``LOOKUP A1001``, ``REFUND A1001 |
reason`` or ``REPLY text``) rather than native tool calling, so that it runs on the project's small
embedded model, which calls no tools natively (and whose JSON-schema mode is too slow on a CPU);
its steps still become ordinary ``AIMessage.tool_calls`` and ``ToolMessage``s. With a model that
calls tools natively, ``model.bind_tools(TOOLS)`` is the usual shape, and the tests in
``test_support_agent.py`` stay the same.

``graph`` (served by ``langgraph dev`` as ``support_agent``) picks its model from the run's context
(``model``, default the embedded ``local`` model, built at the first turn, plus an optional
recorded-calls file); :func:`build_agent` takes any LangChain chat model.
"""

from __future__ import annotations

import json
import operator
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import InjectedToolCallId, tool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import InjectedState, ToolNode, tools_condition
from langgraph.runtime import Runtime
from langgraph.types import Command

# The in-memory store: the shop's orders.
ORDERS: dict[str, dict[str, Any]] = {
    "A1001": {"item": "wireless headphones", "status": "delivered", "total": 59.90},
    "A1002": {"item": "phone case", "status": "shipped", "total": 12.50},
    "A1003": {"item": "USB-C charger", "status": "delivered", "total": 24.00},
}
ORDER_ID = re.compile(r"\b[A-Z]\d{4}\b")

DECIDE_PROMPT = """You are the customer support assistant of Lumen, a small online shop.
You can refund a delivered order, and look up an order by its id (a capital letter and four digits).

Decide your next step and answer with exactly one line, in one of these forms:
REFUND <order id> | <reason>      the customer wants their money back (a refund) for an order
LOOKUP <order id>                 the customer asks where an order is, or what is in it
REPLY <your message>              anything else: answer the customer (ask for the order id if you
                                  need one), short and friendly"""

RESPOND_PROMPT = """You are the customer support assistant of Lumen, a small online shop.
Write your next message to the customer: two or three short, friendly sentences that answer their
last message, using only facts you were given. Do not offer anything you cannot do."""


class SupportState(MessagesState):
    refunds: Annotated[list[dict[str, Any]], operator.add]


@dataclass
class SupportContext:
    """How the served agent picks its model (your agent will simply build its own)."""

    model: str = "local"  # an llm-roleplay model spec: local, provider:model, ...
    model_cache: str | None = None  # a recorded-calls file (llm_roleplay.blocks.model_cache), for tests
    model_cache_mode: Literal["auto", "replay", "record"] = "auto"


@tool
def lookup_order(order_id: str) -> str:
    """Look up an order by its id (like A1001): the item, its status and the total paid."""
    order = ORDERS.get(order_id.strip().upper())
    if order is None:
        return json.dumps({"error": f"no order {order_id}"})
    return json.dumps({"order_id": order_id.strip().upper(), **order})


@tool
def refund_order(
    order_id: str,
    reason: str,
    refunds: Annotated[list[dict[str, Any]], InjectedState("refunds")],
    tool_call_id: Annotated[str, InjectedToolCallId],
) -> Command[Any]:
    """Refund a delivered order in full, giving the customer's reason."""
    key = order_id.strip().upper()
    order = ORDERS.get(key)
    if order is None:
        outcome, refund = f"no order {order_id}", None
    elif order["status"] != "delivered":
        outcome, refund = f"order {key} is {order['status']}, not delivered: it cannot be refunded", None
    elif any(done["order_id"] == key for done in refunds or []):
        outcome, refund = f"order {key} was already refunded", None
    else:
        refund = {"order_id": key, "amount": order["total"], "reason": reason}
        outcome = f"refunded {order['total']:.2f} EUR for order {key}"
    update: dict[str, Any] = {"messages": [ToolMessage(outcome, tool_call_id=tool_call_id)]}
    if refund is not None:
        update["refunds"] = [refund]
    return Command(update=update)


TOOLS = [lookup_order, refund_order]


def _transcript(messages: list[AnyMessage]) -> str:
    """The conversation as text, tool steps included, for a model without native tool calling."""
    lines = []
    for message in messages:
        if isinstance(message, HumanMessage):
            lines.append(f"Customer: {message.text}")
        elif isinstance(message, AIMessage):
            lines += [
                f"Assistant called {call['name']}({json.dumps(call['args'])})" for call in message.tool_calls
            ]
            if message.text:
                lines.append(f"Assistant: {message.text}")
        elif isinstance(message, ToolMessage):
            lines.append(f"Tool result: {message.text}")
    return "\n".join(lines)


def _decision_prompt(messages: list[AnyMessage]) -> list[AnyMessage]:
    return [
        SystemMessage(DECIDE_PROMPT),
        HumanMessage(f"Conversation so far:\n{_transcript(messages)}\n\nYour next step (one line):"),
    ]


def _reply_prompt(messages: list[AnyMessage]) -> list[AnyMessage]:
    """The last customer message and what this turn's tools returned: small models answer the
    latest question best when earlier turns are not in front of them."""
    last = max(index for index, message in enumerate(messages) if isinstance(message, HumanMessage))
    results = [f"- {m.text}" for m in messages[last + 1 :] if isinstance(m, ToolMessage)]
    facts = "\n".join(results) or "(nothing to look up)"
    return [
        SystemMessage(RESPOND_PROMPT),
        HumanMessage(f"Customer: {messages[last].text}\n\nFacts:\n{facts}\n\nYour message to the customer:"),
    ]


def _step(answer: str, messages: list[AnyMessage]) -> AIMessage | None:
    """The model's one-line decision as a message: a tool call, or the reply itself; None when it
    names no usable step."""
    match = re.match(r"\s*(LOOKUP|REFUND|REPLY)\b[\s:]*(.*)", answer, re.IGNORECASE | re.DOTALL)
    if not match:
        return None
    action, rest = match.group(1).upper(), match.group(2).strip()
    if action == "REPLY":
        return AIMessage(rest) if rest else None
    latest = str(next(m for m in reversed(messages) if isinstance(m, HumanMessage)).text)
    order = ORDER_ID.search(rest.upper())
    # Guardrail: act only on an order id the customer gave in their latest message (small models
    # invent plausible ids, or repeat the last tool call when the customer just says thanks).
    if order is None or order.group(0) not in latest.upper():
        return None
    args: dict[str, Any] = {"order_id": order.group(0)}
    if action == "REFUND":
        args["reason"] = rest.partition("|")[2].strip() or latest[:160]
    call_id = f"call-{sum(isinstance(m, ToolMessage) for m in messages) + 1}"
    name = "refund_order" if action == "REFUND" else "lookup_order"
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": call_id}])


def build_agent(
    model: BaseChatModel | None = None,
    *,
    checkpointer: BaseCheckpointSaver | None = None,
    name: str = "support_agent",
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """The agent on ``model`` (None: the model the run's context names, built at the first turn)."""

    def llm(runtime: Runtime[SupportContext]) -> BaseChatModel:
        return model or context_model(runtime.context or SupportContext())

    def assistant(state: SupportState, runtime: Runtime[SupportContext]) -> dict[str, Any]:
        answer = llm(runtime).invoke(_decision_prompt(state["messages"]), stop=["\n"])
        step = _step(str(answer.text), state["messages"])
        return {"messages": [step]} if step is not None else respond(state, runtime)

    def respond(state: SupportState, runtime: Runtime[SupportContext]) -> dict[str, Any]:
        answer = llm(runtime).invoke(_reply_prompt(state["messages"]))
        return {"messages": [AIMessage(str(answer.text).strip() or "Sorry, could you say that again?")]}

    builder = StateGraph(SupportState, context_schema=SupportContext)
    builder.add_node("assistant", assistant)
    builder.add_node("tools", ToolNode(TOOLS))
    builder.add_node("respond", respond)
    builder.add_edge(START, "assistant")
    builder.add_conditional_edges("assistant", tools_condition, {"tools": "tools", END: END})
    builder.add_edge("tools", "respond")
    builder.add_edge("respond", END)
    return builder.compile(checkpointer=checkpointer, name=name)


@lru_cache(maxsize=8)
def _model(spec: str, cache: str | None, cache_mode: str) -> BaseChatModel:
    from llm_roleplay.blocks.models import RoleModel, build_chat_model

    return build_chat_model(
        RoleModel(
            role="chatbot",
            spec=spec,
            temperature=0.0,
            max_tokens=200,
            cache_path=cache,
            cache_mode=cache_mode,
        )
    )


def context_model(context: SupportContext) -> BaseChatModel:
    """The chat model a run's context names (built once per process and setting)."""
    return _model(context.model, context.model_cache, context.model_cache_mode)


graph = build_agent()

"""LangGraph agents as targets: one thread per dialogue, new messages only, tool calls kept apart.

The agents are real compiled graphs (``tests/support/agents.py``: the example support agent driven
by rules instead of an LLM, and two small ones); the simulated user is scripted.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.types import interrupt

from llm_roleplay.blocks.agents import AgentTarget, agent_target, jsonable, thread_id_for
from llm_roleplay.blocks.models import RoleModel, build_target
from llm_roleplay.nodes.context import Context
from llm_roleplay.records import record_from_state
from tests.support.agents import CountingAgent, chatty_agent, rule_based_support_agent
from tests.unit.scripted_models import ScriptedInquirer, run_roleplay

THREE_TURNS = (
    "hi, where is my order A1002?",
    "ok. and my headphones from order A1001 arrived broken, i want my money back",
    "thanks. do i have to send the broken headphones back?",
)


def _run(agent: Any, messages: tuple[str, ...] = THREE_TURNS, **settings: Any) -> tuple[dict[str, Any], Any]:
    inquirer = ScriptedInquirer(messages=messages, decisions=["NO"] * (len(messages) - 1) + ["YES"])
    settings.setdefault("max_turns", len(messages) + 1)
    # The goal names what the script says: an opening must share a word with the goal's first part.
    settings.setdefault("goal", "You want to tell the chatbot this: " + " / ".join(messages))
    state = run_roleplay(inquirer, chatbot=agent, judge="none", **settings)
    record = record_from_state(state, Context(chatbot_model=agent, judge_model="none"))
    return record.model_dump(mode="json"), inquirer


def _config(record: dict[str, Any]) -> dict[str, Any]:
    return {"configurable": {"thread_id": record["agent"]["thread_id"]}}


def test_the_agent_gets_only_the_new_message_and_its_checkpoint_holds_the_conversation() -> None:
    agent = rule_based_support_agent(checkpointer=InMemorySaver())
    record, _ = _run(agent)
    assert record["termination_reason"] == "goal_claimed"
    assert record["agent"]["thread_id"] == thread_id_for(record["id"])
    # Each run's input (the checkpoints written from input) is exactly one new user message.
    inputs = [
        task.result["messages"]
        for snapshot in agent.get_state_history(_config(record))
        if snapshot.metadata and snapshot.metadata.get("source") == "input"
        for task in snapshot.tasks
        if task.name == "__start__"
    ]
    assert [[m.text for m in sent] for sent in reversed(inputs)] == [[text] for text in THREE_TURNS]
    # The thread holds the whole conversation: three user messages, the tool steps, three answers.
    thread = agent.get_state(_config(record)).values["messages"]
    assert [m.text for m in thread if m.type == "human"] == list(THREE_TURNS)
    assert [m.type for m in thread].count("tool") == 2
    assert thread[-1].text == record["messages"][-1]["content"]


def test_tool_calls_are_recorded_on_the_turn_and_never_reach_the_inquirer() -> None:
    record, inquirer = _run(rule_based_support_agent())
    assistant = [m for m in record["messages"] if m["role"] == "assistant"]
    assert [m["turn"] for m in assistant] == [1, 2, 3]
    assert assistant[0]["tool_calls"] == [
        {
            "name": "lookup_order",
            "args": {"order_id": "A1002"},
            "id": "call-1",
            "result": '{"order_id": "A1002", "item": "phone case", "status": "shipped", "total": 12.5}',
        }
    ]
    assert assistant[1]["tool_calls"][0]["name"] == "refund_order"
    assert assistant[1]["tool_calls"][0]["result"] == "refunded 59.90 EUR for order A1001"
    assert "tool_calls" not in assistant[2]
    # The agent's replies are in the inquirer's prompts; its tool steps are not.
    prompts = json.dumps(inquirer.prompts)
    assert assistant[1]["content"][:40] in prompts
    for hidden in ("refund_order", "lookup_order", "call-1", "call-2", "refunded 59.90", '\\"status\\"'):
        assert hidden not in prompts, hidden


def test_final_state_and_thread_id_are_in_the_record() -> None:
    record, _ = _run(rule_based_support_agent())
    state = record["agent"]["final_state"]
    assert state["refunds"] == [{"order_id": "A1001", "amount": 59.9, "reason": "arrived broken"}]
    assert [m["type"] for m in state["messages"]][:4] == ["human", "ai", "tool", "ai"]
    assert state["messages"][1]["tool_calls"] == [
        {"name": "lookup_order", "args": {"order_id": "A1002"}, "id": "call-1"}
    ]
    assert all("id" not in message for message in state["messages"])  # random ids stay out


def test_several_assistant_messages_in_one_turn_are_all_shown_to_the_user() -> None:
    record, inquirer = _run(chatty_agent(), messages=("do you have lamps?", "great, and tomorrow?"))
    first_turn = [m for m in record["messages"] if m["turn"] == 1 and m["role"] == "assistant"]
    assert [m["content"] for m in first_turn] == ["Let me check.", "Good news: 5 lamps in stock."]
    # The tool call goes with the message that made it; the user saw both texts, in order.
    assert first_turn[0]["tool_calls"][0]["name"] == "check_stock"
    assert "tool_calls" not in first_turn[1]
    second_prompt = json.dumps(inquirer.prompts[-1])
    assert second_prompt.index("Let me check.") < second_prompt.index("Good news: 5 lamps in stock.")
    assert "check_stock" not in second_prompt


def test_a_graph_without_checkpointer_gets_one_and_is_left_unchanged() -> None:
    counting = CountingAgent()
    record, _ = _run(counting.graph, messages=("first", "second"))
    assert counting.graph.checkpointer is None
    stateful = agent_target(counting.graph).graph
    assert [m.text for m in stateful.get_state(_config(record)).values["messages"]] == [
        "first",
        "reply 1",
        "second",
        "reply 2",
    ]


def test_a_python_spec_names_an_in_process_agent() -> None:
    target = build_target(RoleModel(role="chatbot", spec="python:tests.support.agents:chatty_agent"))
    assert not isinstance(target, AgentTarget)  # a function returning a graph is a chatbot function
    target = build_target(RoleModel(role="chatbot", spec="python:tests.support.agents:chatty"))
    assert isinstance(target, AgentTarget)
    assert target.description == "graph:chatty"


def test_a_turn_already_answered_is_read_back_not_asked_again() -> None:
    """A resumed dialogue whose turn reached the agent before the roleplay checkpoint was written."""
    counting = CountingAgent(checkpointer=InMemorySaver())
    target = agent_target(counting.graph)
    first = target.take_turn("dlg-x", None, None, HumanMessage("hello", id="user-1"))
    again = target.take_turn("dlg-x", first.thread_id, None, HumanMessage("hello", id="user-1"))
    assert counting.runs == 1
    assert [r.text for r in again.replies] == [r.text for r in first.replies] == ["reply 1"]
    second = target.take_turn("dlg-x", first.thread_id, "user-1", HumanMessage("more", id="user-2"))
    assert [r.text for r in second.replies] == ["reply 2"] and counting.runs == 2


def test_a_thread_left_by_an_earlier_run_of_the_same_dialogue_is_not_reused() -> None:
    agent = CountingAgent(checkpointer=InMemorySaver()).graph
    first, _ = _run(agent, messages=("one", "two"))
    second, _ = _run(agent, messages=("one", "two"))
    assert first["id"] == second["id"]
    assert second["agent"]["thread_id"] == thread_id_for(second["id"], attempt=1)
    assert [m["content"] for m in second["messages"]] == ["one", "reply 3", "two", "reply 4"]


def test_a_lost_thread_ends_the_dialogue_with_a_chatbot_error() -> None:
    counting = CountingAgent(checkpointer=InMemorySaver())
    target = agent_target(counting.graph)
    turn = target.take_turn("dlg-y", None, None, HumanMessage("hello", id="user-1"))
    with pytest.raises(Exception, match="holds another conversation"):
        target.take_turn("dlg-y", turn.thread_id, "user-7", HumanMessage("again", id="user-8"))


def _single_node_agent(node: Any) -> Any:
    builder = StateGraph(MessagesState)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    return builder.compile(name="single")


@pytest.mark.parametrize(
    ("node", "error"),
    [
        (lambda state: {"messages": [AIMessage("")]}, "the agent's turn produced no message for the user"),
        (lambda state: 1 / 0, "ZeroDivisionError: division by zero"),
        (lambda state: interrupt("approve?"), "interrupts) are not supported"),
    ],
)
def test_an_agent_that_fails_ends_the_dialogue_with_the_reason(node: Any, error: str) -> None:
    record, _ = _run(_single_node_agent(node), messages=("hello", "again"))
    assert record["termination_reason"] == "chatbot_error"
    assert error in record["error"]
    assert record["messages"][0]["content"] == "hello"


def test_a_system_prompt_for_an_agent_is_refused() -> None:
    with pytest.raises(Exception, match="keeps its own prompt"):
        _run(chatty_agent(), chatbot_system_prompt="Be nice.")


def test_thread_ids_are_stable_uuids() -> None:
    assert thread_id_for("dlg-1") == thread_id_for("dlg-1") != thread_id_for("dlg-2")
    assert thread_id_for("dlg-1", 1) != thread_id_for("dlg-1")
    assert len(thread_id_for("dlg-1")) == 36


def test_agent_state_becomes_json() -> None:
    from dataclasses import dataclass

    from pydantic import BaseModel

    @dataclass
    class Cart:
        items: tuple[str, ...]

    class Customer(BaseModel):
        name: str

    state = {
        "messages": [HumanMessage("hi", id="x"), {"type": "ai", "content": "hello", "id": "y"}],
        "cart": Cart(("lamp",)),
        "customer": Customer(name="Ada"),
        "seen": {3},
        "other": object(),
    }
    data = jsonable(state)
    assert data["messages"] == [{"type": "human", "content": "hi"}, {"type": "ai", "content": "hello"}]
    assert data["cart"] == {"items": ["lamp"]} and data["customer"] == {"name": "Ada"}
    assert data["seen"] == [3] and data["other"].startswith("<object object")
    json.dumps(data)

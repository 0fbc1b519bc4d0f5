"""The deployed path: simulated users against the example agent served by a real ``langgraph dev``.

The served agent (``examples/support_agent/agent.py:graph``) runs with an assistant whose context
names a rule-based model (``tests/support/agents.py:support_rules``) in place of an LLM; the
simulated user and judge are the offline ``fake`` models. Each dialogue is one server thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient

from llm_roleplay.blocks.agents import thread_id_for
from llm_roleplay.records import WITHOUT_TIMING
from llm_roleplay.testing import final_state, simulate, tool_called, tool_not_called
from tests.support.agents import rule_based_support_agent

pytestmark = pytest.mark.server

SCRIPT = {1: "hi, where is my order A1002?", 2: "and my headphones from A1001 arrived broken, refund please"}
GOAL = "Find out where order A1002 is, then get your money back for the broken headphones of order A1001."
CHECKS = [
    tool_called("lookup_order", {"order_id": "A1002"}).by_turn(1),
    tool_not_called("refund_order").by_turn(1),
    tool_called("refund_order", {"order_id": "A1001"}, match="subset").by_turn(2),
    final_state(lambda state: [refund["order_id"] for refund in state["refunds"]] == ["A1001"]),
]


@pytest.fixture(scope="module")
def client(langgraph_url: str) -> Iterator[SyncLangGraphClient]:
    client = get_sync_client(url=langgraph_url, api_key=None, timeout=60)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="module")
def assistant_id(client: SyncLangGraphClient) -> str:
    """The served example agent, configured (as an assistant) to use the rule-based model."""
    assistant = client.assistants.create(
        graph_id="support_agent", context={"model": "python:tests.support.agents:support_rules"}
    )
    return str(assistant["assistant_id"])


def run(target: Any, **settings: Any) -> Any:
    # The typing pass is off: its typos are seeded by the dialogue id, which differs between targets.
    return simulate(
        target,
        style="off",
        goal=GOAL,
        goal_parts=[GOAL],  # one part: the script asks for both, the fake user then follows up once
        inquirer="fake",
        judge="fake",
        max_turns=4,
        script=SCRIPT,
        checks=CHECKS,
        **settings,
    )


def test_the_deployed_agent_is_driven_through_one_thread_per_dialogue(
    client: SyncLangGraphClient, assistant_id: str, langgraph_url: str
) -> None:
    deployed = run(f"langgraph:{assistant_id}", base_url=langgraph_url).record
    assert deployed.termination_reason == "goal_verified"
    assert deployed.agent is not None and deployed.agent.thread_id == thread_id_for(deployed.id)
    # The server's thread holds the whole conversation, as the record's final state does.
    thread = client.threads.get_state(deployed.agent.thread_id)["values"]
    users = [m["content"] for m in thread["messages"] if m["type"] == "human"]
    assert users == [m.content for m in deployed.messages if m.role == "user"]
    assert len(users) == 3 and thread["refunds"] == deployed.agent.final_state["refunds"]
    # Each run got one new message: one run per turn on this thread, each with a one-message input.
    runs = client.runs.list(deployed.agent.thread_id)
    inputs = [[m["content"] for m in run["kwargs"]["input"]["messages"]] for run in reversed(runs)]
    assert inputs == [[text] for text in users]
    # The same agent in process gives the same dialogue, tool calls and results included.
    local = run(rule_based_support_agent()).record
    timing = {"timestamp", "latency_s"}  # when each message was written differs between runs
    assert [m.model_dump(exclude=timing) for m in deployed.messages] == [
        m.model_dump(exclude=timing) for m in local.messages
    ]
    assert deployed.agent.final_state == local.agent.final_state  # type: ignore[union-attr]


def test_a_rerun_of_the_same_dialogue_gets_a_fresh_thread(assistant_id: str, langgraph_url: str) -> None:
    first = run(f"langgraph:{assistant_id}", base_url=langgraph_url, seed=11).record
    second = run(f"langgraph:{assistant_id}", base_url=langgraph_url, seed=11).record
    assert first.id == second.id and first.agent and second.agent
    assert second.agent.thread_id == thread_id_for(second.id, attempt=1) != first.agent.thread_id
    assert (
        second.model_dump(exclude=WITHOUT_TIMING)["messages"]
        == first.model_dump(exclude=WITHOUT_TIMING)["messages"]
    )

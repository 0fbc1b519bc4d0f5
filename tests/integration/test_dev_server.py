"""The roleplay graph served by a real ``langgraph dev``, driven through ``langgraph_sdk``.

Runs use the offline ``fake`` models: the fake inquirer writes ``FAKE_USER_TURNS`` user messages,
then claims the goal is met, and the fake judge agrees. One server is shared by the whole session
(see ``conftest.py``); each test uses its own thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient

from llm_roleplay.blocks.personas import render_description

pytestmark = pytest.mark.server

GRAPH_ID = "roleplay"
FAKE_USER_TURNS = 4  # FakeRoleplayModel.turns_before_done (3), then one follow-up (min_turns_before_stop)
FAKE_CONTEXT = {"inquirer_model": "fake", "chatbot_model": "fake", "judge_model": "fake", "max_turns": 6}
GOAL = "Find out how to keep a sourdough starter alive while I am away for two weeks."
# Generous for runs that take ~1-2 s, but finite so that a run stuck (say, on a real model that
# the context failed to replace) fails the test instead of hanging it.
CLIENT_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def client(langgraph_url: str) -> Iterator[SyncLangGraphClient]:
    client = get_sync_client(url=langgraph_url, api_key=None, timeout=CLIENT_TIMEOUT_S)
    try:
        yield client
    finally:
        client.close()


def _expected_node_order(user_turns: int) -> list[str]:
    """Nodes in run order for a dialogue whose inquirer claims the goal after ``user_turns``."""
    loop = ["inquirer_turn", "chatbot_turn"] * user_turns
    return ["generate_persona", "plan_goal", *loop, "inquirer_turn", "goal_check", "quality_filter"]


def _assert_alternating(messages: list[dict[str, Any]], user_turns: int) -> None:
    types = [message["type"] for message in messages]
    assert types == ["human", "ai"] * user_turns, types
    assert all(isinstance(message["content"], str) and message["content"].strip() for message in messages)


def test_assistant_for_the_graph_is_registered(client: SyncLangGraphClient) -> None:
    assistants = client.assistants.search(graph_id=GRAPH_ID)
    assert [assistant["graph_id"] for assistant in assistants] == [GRAPH_ID]
    assert assistants[0]["name"] == GRAPH_ID


def test_assistant_publishes_input_and_context_schemas(client: SyncLangGraphClient) -> None:
    """Studio builds its input form from the input schema and its settings form from the context.

    The server does not fail when a schema cannot be generated: it logs a warning and sends
    ``null`` (e.g. a ``typing.TypedDict`` state on Python < 3.12, which pydantic refuses).
    """
    [assistant] = client.assistants.search(graph_id=GRAPH_ID)
    schemas = client.assistants.get_schemas(assistant["assistant_id"])
    assert {"inquirer_model", "chatbot_model", "judge_model", "max_turns"} <= set(
        schemas["context_schema"]["properties"]
    )
    assert schemas["input_schema"] is not None, "no input schema: see the server log's warning"
    assert schemas["input_schema"]["required"] == ["goal"]
    assert set(schemas["input_schema"]["properties"]) == {"goal", "persona", "goal_parts", "expected_outcome"}
    assert schemas["output_schema"] is not None, "no output schema: see the server log's warning"
    assert {"messages", "termination_reason", "filter"} <= set(schemas["output_schema"]["properties"])


def test_wait_runs_a_dialogue_to_a_verified_goal(client: SyncLangGraphClient) -> None:
    thread = client.threads.create()
    thread_id = thread["thread_id"]

    values = client.runs.wait(thread_id, GRAPH_ID, input={"goal": GOAL}, context=FAKE_CONTEXT)

    assert isinstance(values, dict), values
    assert values.get("error") is None
    assert values["termination_reason"] == "goal_verified"
    assert values["goal"] == GOAL
    _assert_alternating(values["messages"], FAKE_USER_TURNS)
    assert values["turn"] == FAKE_USER_TURNS
    persona = values["persona"]
    assert persona["description"].strip()
    assert persona["attributes"]
    assert persona["source"] == "sampled:0"
    assert values["filter"] == {"keep": True, "reasons": []}
    [check] = values["goal_checks"]
    assert (check["turn"], check["goal_met"]) == (FAKE_USER_TURNS, True)
    assert isinstance(check["rationale"], str) and check["rationale"].strip()
    assert set(values["usage"]) == {"inquirer", "chatbot", "judge"}
    assert values["dialogue_id"].startswith("dlg-")

    [run] = client.runs.list(thread_id)
    assert run["status"] == "success"
    assert client.threads.get(thread_id)["status"] == "idle"

    state = client.threads.get_state(thread_id)
    assert state["next"] == []
    assert state["values"] == values

    # get_history returns newest first, and only 10 checkpoints unless asked for more.
    history = client.threads.get_history(thread_id, limit=100)
    nexts = [tuple(checkpoint["next"]) for checkpoint in reversed(history)]
    expected = [("__start__",), *((node,) for node in _expected_node_order(FAKE_USER_TURNS)), ()]
    assert nexts == expected
    assert history[0]["checkpoint"]["checkpoint_id"] == state["checkpoint"]["checkpoint_id"]
    # The checkpoint before the first chatbot reply holds exactly the opening user message.
    before_reply = next(
        checkpoint for checkpoint in reversed(history) if checkpoint["next"] == ["chatbot_turn"]
    )
    assert [message["type"] for message in before_reply["values"]["messages"]] == ["human"]


def test_stream_updates_come_from_each_node_in_order(client: SyncLangGraphClient) -> None:
    thread = client.threads.create()
    events: list[str] = []
    nodes: list[str] = []
    for part in client.runs.stream(
        thread["thread_id"], GRAPH_ID, input={"goal": GOAL}, context=FAKE_CONTEXT, stream_mode="updates"
    ):
        events.append(part.event)
        if part.event == "updates":
            assert isinstance(part.data, dict) and len(part.data) == 1, part.data
            nodes.extend(part.data)
            [update] = part.data.values()
            if nodes[-1] == "quality_filter":
                assert update == {"filter": {"keep": True, "reasons": []}}
    assert events[0] == "metadata"
    assert "error" not in events, events
    assert nodes == _expected_node_order(FAKE_USER_TURNS)


def test_given_persona_attributes_are_used(client: SyncLangGraphClient) -> None:
    attributes = {"age_bracket": "25-34", "gender": "female"}
    thread = client.threads.create()

    values = client.runs.wait(
        thread["thread_id"],
        GRAPH_ID,
        input={"goal": GOAL, "persona": {"attributes": attributes}},
        context=FAKE_CONTEXT,
    )

    assert isinstance(values, dict), values
    assert values["termination_reason"] == "goal_verified"
    assert values["persona"] == {
        "attributes": attributes,
        "description": render_description(attributes),
        "source": "given",
    }
    _assert_alternating(values["messages"], FAKE_USER_TURNS)


@pytest.mark.parametrize("how", ["context", "configurable"])
def test_run_settings_reach_the_graph(client: SyncLangGraphClient, how: str) -> None:
    """``context=`` and ``config.configurable`` (what older Studio builds send) both set the context."""
    settings = {**FAKE_CONTEXT, "max_turns": 2}
    passed: dict[str, Any] = (
        {"context": settings} if how == "context" else {"config": {"configurable": settings}}
    )

    values = client.runs.wait(None, GRAPH_ID, input={"goal": GOAL}, **passed)  # stateless run

    assert isinstance(values, dict), values
    assert values["termination_reason"] == "max_turns"
    _assert_alternating(values["messages"], 2)


def test_dataset_graph_fans_out_roleplay_subgraphs(client: SyncLangGraphClient) -> None:
    goals = [
        "Plan a picnic for six people.",
        {"id": "laptop", "goal": "Speed up a slow laptop.", "domain": "it"},
    ]
    final = client.runs.wait(
        None,
        "dataset",
        input={"goals": goals, "personas": 2, "trials": 1},
        context=FAKE_CONTEXT,
    )
    assert isinstance(final, dict), final
    dialogues = final["dialogues"]
    assert len(dialogues) == 4 and len({d["id"] for d in dialogues}) == 4
    assert {d["goal_id"] for d in dialogues} >= {"laptop"}
    assert all(d["termination_reason"] == "goal_verified" for d in dialogues)
    assert final["summary"]["filter_funnel"]["total"] == 4
    assert final["grid"]["cells"] == 4


def test_a_langgraph_deployment_can_be_the_target_chatbot(langgraph_url: str, tmp_path: Any) -> None:
    """`--chatbot langgraph:ASSISTANT --chatbot-base-url URL`: each reply comes from the served agent."""
    from llm_roleplay.nodes.context import Context
    from llm_roleplay.runner import run_dialogue
    from tests.support.echo_graph import echoed

    context = Context(
        inquirer_model="fake",
        judge_model="fake",
        chatbot_model="langgraph:echo_bot",
        chatbot_base_url=langgraph_url,
        # The dialogue id holds the server's URL, whose port changes from run to run, and so does the
        # typing pass's seed: without it, the run is the same every time.
        style="off",
    )
    record = run_dialogue(GOAL, None, context, tmp_path / "checkpoints.sqlite").record
    users = [m.content for m in record.messages if m.role == "user"]
    replies = [m.content for m in record.messages if m.role == "assistant"]
    assert record.termination_reason == "goal_verified"
    assert replies == [f"Echo {turn}: {echoed(text)}" for turn, text in enumerate(users, start=1)]

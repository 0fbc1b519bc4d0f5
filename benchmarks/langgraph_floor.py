"""What LangGraph itself costs per step here, as the batch runner uses it: a dialogue graph whose two
nodes only append a message each, on the same SQLite checkpointer, stream modes and durability.

Times the number of steps the roleplay graph takes per user turn, it is the framework overhead a
turn cannot go below with this engine, whatever the nodes do (``throughput.py`` prints it beside the
measured overhead).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages

from llm_roleplay.blocks.sync_bridge import in_loop
from llm_roleplay.checkpoints import open_sqlite_checkpointer
from llm_roleplay.graphs.roleplay import graph as roleplay
from llm_roleplay.nodes.context import Context

TURNS = 3


class Dialogue(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    turn: int


async def user(state: Dialogue) -> dict[str, Any]:
    turn = state.get("turn", 0) + 1
    return {
        "messages": [HumanMessage(f"question number {turn} about a trip", id=f"user-{turn}")],
        "turn": turn,
    }


async def assistant(state: Dialogue) -> dict[str, Any]:
    return {"messages": [AIMessage("an answer of a few words " * 8, id=f"assistant-{state['turn']}")]}


def again_or_end(state: Dialogue) -> Literal["user", "__end__"]:
    return END if state["turn"] >= TURNS else "user"


def ms_per_step(dialogues: int = 200) -> float:
    builder = StateGraph(Dialogue)
    builder.add_node(user)
    builder.add_node(assistant)
    builder.add_edge(START, "user")
    builder.add_edge("user", "assistant")
    builder.add_conditional_edges("assistant", in_loop(again_or_end))

    async def run(graph: Any, first: int, count: int) -> None:
        for index in range(first, first + count):
            config = {"configurable": {"thread_id": f"floor-{index}"}}
            async for _ in graph.astream(
                {"turn": 0}, config, stream_mode=["updates", "values"], durability="sync"
            ):
                pass

    with (
        tempfile.TemporaryDirectory() as folder,
        open_sqlite_checkpointer(Path(folder) / "c.sqlite") as saver,
    ):
        graph = builder.compile(checkpointer=saver)
        asyncio.run(run(graph, 0, 10))  # warm up
        started = time.perf_counter()
        asyncio.run(run(graph, 10, dialogues))
        return 1000 * (time.perf_counter() - started) / (dialogues * 2 * TURNS)


def roleplay_steps_per_turn(context: Context, goal: str) -> float:
    """Steps (node runs) per user turn of one roleplay dialogue."""

    async def count() -> float:
        steps, final = 0, {}
        async for mode, chunk in roleplay.astream(
            {"goal": goal}, context=context, stream_mode=["updates", "values"]
        ):
            if mode == "updates":
                steps += 1
            else:
                final = chunk
        return steps / sum(1 for message in final["messages"] if message.type == "human")

    return asyncio.run(count())

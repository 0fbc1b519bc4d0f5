"""The dataset graph: a persona x goal x trial grid, one roleplay subgraph run per cell.

    START -> plan_grid --(Send, one per cell)--> run_dialogue -> summarize -> END

For Studio and small grids. Big, crash-safe runs: ``roleplay generate`` (llm_roleplay.batch).
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from llm_roleplay.blocks.sync_bridge import async_node, in_loop
from llm_roleplay.graphs.dataset_steps import fan_out, plan_grid, run_dialogue, summarize
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.state import DatasetInput, DatasetState, DialogueCell

builder = StateGraph(DatasetState, context_schema=Context, input_schema=DatasetInput)
builder.add_node(async_node(plan_grid))
builder.add_node(async_node(run_dialogue), input_schema=DialogueCell)  # fed by Send, one cell each
builder.add_node(async_node(summarize))

builder.add_edge(START, "plan_grid")
builder.add_conditional_edges("plan_grid", in_loop(fan_out), ["run_dialogue"])
builder.add_edge("run_dialogue", "summarize")
builder.add_edge("summarize", END)

graph = builder.compile(name="dataset")

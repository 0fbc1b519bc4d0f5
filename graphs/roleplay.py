"""The roleplay graph: one simulated human-chatbot dialogue (LLM Roleplay, arXiv 2407.03974).

    START -> generate_persona -> plan_goal -> inquirer_turn --(every part delivered)--> goal_check
                                                ^   |  ^                                   |
                                                |   v  +---------(a part not verified)-----+
                                             chatbot_turn
    any node that sets a termination reason -> quality_filter -> END

A turn with a fixed user message in the run's ``script`` goes through ``scripted_turn`` instead of
``inquirer_turn`` (then on to ``chatbot_turn``).

``graph`` is exported without a checkpointer, as ``langgraph dev`` requires; the CLI and batch
runner compile the same builder with a SQLite checkpointer (see ``compile_graph``).

The nodes are async: ``ainvoke``/``astream`` (the batch runner, ``langgraph dev``) await them with
no thread per step. ``invoke``/``stream`` work too: each step's coroutine then runs on the process's
background event loop (``llm_roleplay.blocks.sync_bridge``).
"""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from llm_roleplay.blocks.sync_bridge import async_node, in_loop
from llm_roleplay.nodes.chatbot import chatbot_turn
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.goal_check import goal_check
from llm_roleplay.nodes.inquirer import inquirer_turn
from llm_roleplay.nodes.persona import generate_persona
from llm_roleplay.nodes.plan_goal import plan_goal
from llm_roleplay.nodes.quality_filter import quality_filter
from llm_roleplay.nodes.routing import after_inquirer, to_inquirer_unless_ended
from llm_roleplay.nodes.script import scripted_turn
from llm_roleplay.nodes.state import InputState, RoleplayState

builder = StateGraph(RoleplayState, context_schema=Context, input_schema=InputState)
builder.add_node(async_node(generate_persona))
builder.add_node(async_node(plan_goal))
builder.add_node(async_node(inquirer_turn))
builder.add_node(async_node(scripted_turn))
builder.add_node(async_node(chatbot_turn))
builder.add_node(async_node(goal_check))
builder.add_node(async_node(quality_filter))

builder.add_edge(START, "generate_persona")
builder.add_edge("generate_persona", "plan_goal")
builder.add_conditional_edges("plan_goal", in_loop(to_inquirer_unless_ended))
builder.add_edge("scripted_turn", "chatbot_turn")
builder.add_conditional_edges("inquirer_turn", in_loop(after_inquirer))
builder.add_conditional_edges("chatbot_turn", in_loop(to_inquirer_unless_ended))
builder.add_conditional_edges("goal_check", in_loop(to_inquirer_unless_ended))
builder.add_edge("quality_filter", END)


def compile_graph(
    checkpointer: BaseCheckpointSaver | None = None,
) -> CompiledStateGraph[RoleplayState, Context, InputState, RoleplayState]:
    return builder.compile(checkpointer=checkpointer, name="roleplay")


graph = compile_graph()

"""Steps of the dataset graph: plan a persona x goal x trial grid, run each cell, summarize.

They live beside the wiring, not in nodes/: running a cell runs the roleplay graph itself and turns
its end state into a dialogue record, so these steps sit above both (README "How the code is laid
out").

The batch runner (``roleplay generate``) is the tool for big datasets; this graph makes a small
grid runnable and watchable in LangGraph Studio, with each dialogue a roleplay subgraph run.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.goals import Goal, parse_goal
from llm_roleplay.blocks.persona_grid import PersonaSample, pair_grid, sample_personas
from llm_roleplay.blocks.personas import Persona
from llm_roleplay.cells import cells_from_grid
from llm_roleplay.graphs.roleplay import graph
from llm_roleplay.manifest import summarize_records
from llm_roleplay.nodes.context import Context, settings_of
from llm_roleplay.nodes.state import DatasetState, DialogueCell
from llm_roleplay.records import record_from_state


async def plan_grid(state: DatasetState, runtime: Runtime[Context]) -> dict[str, Any]:
    context = settings_of(runtime)
    raw_goals = state.get("goals") or []
    if not raw_goals:
        raise ConfigError("input: 'goals' must be a non-empty list of goal texts or objects")
    goals = [
        Goal.from_text(raw) if isinstance(raw, str) else parse_goal(raw, f"input goals item {index}")
        for index, raw in enumerate(raw_goals, start=1)
    ]
    personas_input = state.get("personas", 2)
    personas: list[Persona] | PersonaSample = (
        sample_personas(personas_input, context.seed)
        if isinstance(personas_input, int)
        else [Persona.from_input(raw, f"input personas item {i}") for i, raw in enumerate(personas_input, 1)]
    )
    grid = pair_grid(personas, goals, trials=state.get("trials", 1), seed=context.seed)
    cells = [
        DialogueCell(goal=cell.goal, persona=cell.persona, seed=cell.context.seed, extra=cell.extra)
        for cell in cells_from_grid(grid, context)
    ]
    return {"cells": cells, "grid": grid.stats()}


def fan_out(state: DatasetState) -> list[Send]:
    """One roleplay dialogue per cell, all in parallel (bounded by the run's max_concurrency)."""
    return [Send("run_dialogue", cell) for cell in state.get("cells", [])]


async def run_dialogue(state: DialogueCell, runtime: Runtime[Context]) -> dict[str, Any]:
    """Run one cell's dialogue as a roleplay subgraph; its record joins the parent's list."""
    context = settings_of(runtime).model_copy(update={"seed": state["seed"]})
    final = await graph.ainvoke({"goal": state["goal"], "persona": state["persona"]}, context=context)
    record = record_from_state(final, context).model_dump(mode="json")
    record.update(state["extra"])
    return {"dialogues": [record]}


async def summarize(state: DatasetState) -> dict[str, Any]:
    return {"summary": summarize_records(state.get("dialogues", []))}

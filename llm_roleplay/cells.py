"""The dialogues of a persona x goal x trial grid: one ``Cell`` each, with its stable id and the
settings (its own seed) to run it with. Shared by the batch runner and the dataset graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llm_roleplay.blocks.persona_grid import GridPlan
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.ids import dialogue_id
from llm_roleplay.nodes.state import InputState


@dataclass(frozen=True)
class Cell:
    """One dialogue of the grid: a persona, a goal, a trial and the settings to run it with."""

    dialogue_id: str
    goal: str
    persona: dict[str, Any]
    context: Context
    extra: dict[str, Any] = field(default_factory=dict)  # goal id, domain, trial, expect: into the record

    goal_parts: tuple[str, ...] | None = None
    expected_outcome: str | None = None

    def graph_input(self) -> InputState:
        state = InputState(goal=self.goal, persona=self.persona)
        if self.goal_parts:
            state["goal_parts"] = list(self.goal_parts)
        if self.expected_outcome:
            state["expected_outcome"] = self.expected_outcome
        return state


def cells_from_grid(grid: GridPlan, base: Context) -> list[Cell]:
    """One cell per grid cell: the persona as given to the graph, and the cell's own seed."""
    cells = []
    for cell in grid.cells:
        persona = cell.persona.model_dump()
        context = base.model_copy(update={"seed": cell.seed})
        cells.append(
            Cell(
                dialogue_id=dialogue_id(
                    cell.goal.goal, persona, context, cell.goal.parts, cell.goal.expected_outcome
                ),
                goal=cell.goal.goal,
                persona=persona,
                context=context,
                extra={
                    "goal_id": cell.goal.id,
                    "goal_domain": cell.goal.domain,
                    "trial": cell.trial,
                    "expect": cell.goal.expect,
                },
                goal_parts=cell.goal.parts,
                expected_outcome=cell.goal.expected_outcome,
            )
        )
    return cells

"""scripted_turn: a fixed user message from the run's ``script`` in place of a simulated one.

A dialogue may mix fixed and simulated user messages (``Context.script``: turn -> text), so that a
regression test pins the part that matters ("the first message is exactly this, then simulate").
A scripted turn is always sent: the simulated user is not asked whether to stop before it, and the
message is not checked, since the test author wrote it.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from llm_roleplay.nodes.context import Context, settings_of
from llm_roleplay.nodes.state import RoleplayState


def next_user_turn(state: RoleplayState, context: Context) -> Literal["scripted_turn", "inquirer_turn"]:
    """Who writes the next user message: the script, when it has one for that turn, or the inquirer."""
    return "scripted_turn" if state.get("turn", 0) + 1 in context.script else "inquirer_turn"


async def scripted_turn(state: RoleplayState, runtime: Runtime[Context]) -> dict[str, Any]:
    turn = state.get("turn", 0) + 1
    text = settings_of(runtime).script[turn]
    return {"messages": [HumanMessage(text, id=f"user-{turn}")], "turn": turn, "skip_decision": False}

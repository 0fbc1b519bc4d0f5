"""plan_goal: turn the goal into the ordered parts the simulated user will ask for, one by one.

Parts given with the goal (the goal file's ``parts``) are used as they are. Otherwise the judge
model writes the plan once per goal and process (temperature 0, a seed from the goal text alone),
so every persona and trial of a goal pursues the same parts; a judge answer that is not a list, or
``--judge none``, falls back to splitting the goal into its request sentences. A technical name of
the goal ("JavaScript") that no part has is added to the first part, and a condition with figures
no part has ("Make sure the poem has 4 parts(quatrains) ...") to the part closest to it.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from llm_roleplay.blocks.models import build_chat_model
from llm_roleplay.nodes.context import Context, settings_of
from llm_roleplay.nodes.goal_plan import finished_plan, parse_plan, split_goal, without_derived_steps
from llm_roleplay.nodes.llm import ainvoke, call_seed, error_text, role_model
from llm_roleplay.nodes.state import RoleplayState, TerminationReason
from llm_roleplay.prompts import load_prompt

_PLANS: dict[tuple[str, str], tuple[list[str], str, dict[str, int]]] = {}
# One lock per goal, of the event loop that plans it: an asyncio lock serves one loop only, and a
# process may run several (one after the other in tests, side by side with ``graph.invoke``'s).
_LOCKS: dict[tuple[str, str], tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = {}
_GUARD = threading.Lock()


async def plan_goal(state: RoleplayState, runtime: Runtime[Context]) -> dict[str, Any]:
    context = settings_of(runtime)
    start = {"part": 0, "part_asks": 0}
    given = [part.strip() for part in state.get("goal_parts") or [] if part and part.strip()]
    if given:
        return {**start, "goal_parts": given, "plan_source": "given"}
    judge = role_model(context, "judge", max_tokens=200)
    if judge.disabled:
        return {
            **start,
            "goal_parts": finished_plan(split_goal(state["goal"]), state["goal"]),
            "plan_source": "split",
        }
    model = build_chat_model(judge)  # outside the try: a wrong setting is the user's error to fix
    try:
        parts, source, usage = await _plan_once(state["goal"], judge.describe(), model)
    except Exception as error:  # the judge failing here ends the dialogue like any judge failure
        return {"termination_reason": TerminationReason.JUDGE_ERROR.value, "error": error_text(error)}
    if source == "judge":
        parts = without_derived_steps(parts, state["goal"])
    parts = finished_plan(parts, state["goal"])
    return {**start, "goal_parts": parts, "plan_source": source, "usage": {"judge": usage}}


async def _plan_once(goal: str, judge: str, model: BaseChatModel) -> tuple[list[str], str, dict[str, int]]:
    """The judge's plan for ``goal``, computed once per process (usage is counted on first use)."""
    key = (goal, judge)
    loop = asyncio.get_running_loop()
    with _GUARD:
        held = _LOCKS.get(key)
        if held is None or held[0] is not loop:
            held = _LOCKS[key] = (loop, asyncio.Lock())
    async with held[1]:
        if key in _PLANS:
            parts, source, _ = _PLANS[key]
            return parts, source, {}
        prompt = load_prompt("goal_plan").render(goal=goal)
        reply = await ainvoke(
            model, [HumanMessage(prompt)], task="goal_plan", turn=0, seed=call_seed("goal_plan", goal)
        )
        planned = parse_plan(reply.text, goal)
        result = (planned, "judge", reply.usage) if planned else (split_goal(goal), "split", reply.usage)
        _PLANS[key] = result
        return result

"""generate_persona: use the given persona or sample one (seeded); render its description; draw the
person's typing habits from the style profile; write down the results of what the goal has them
measure (:mod:`llm_roleplay.nodes.own_details`)."""

from __future__ import annotations

from functools import reduce
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.runtime import Runtime

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.models import build_chat_model
from llm_roleplay.blocks.personas import Persona, attribute_listing, render_description, sample_persona
from llm_roleplay.blocks.style.profile import draw_key, load_profile, sample_style
from llm_roleplay.nodes.checks import is_empty
from llm_roleplay.nodes.context import Context, settings_of
from llm_roleplay.nodes.ids import dialogue_id
from llm_roleplay.nodes.llm import ainvoke, call_seed, role_model
from llm_roleplay.nodes.own_details import details_problem, own_results
from llm_roleplay.nodes.own_facts import measures_own_data
from llm_roleplay.nodes.parsing import clean_message
from llm_roleplay.nodes.state import RoleplayState, merge_counts
from llm_roleplay.prompts import load_prompt


async def generate_persona(state: RoleplayState, runtime: Runtime[Context]) -> dict[str, Any]:
    context = settings_of(runtime)
    goal = state.get("goal")
    if not isinstance(goal, str) or not goal.strip():
        raise ConfigError("input: 'goal' must be a non-empty text")
    given = state.get("persona")
    persona = Persona.from_input(given) if given else sample_persona(context.seed)
    identity = dialogue_id(
        goal, given or None, context, state.get("goal_parts"), state.get("expected_outcome")
    )
    update: dict[str, Any] = {"dialogue_id": identity, "turn": 0}
    usage: list[dict[str, int]] = []
    if persona.description is None:
        if context.persona_description == "llm" and persona.attributes:
            persona.description, written_usage = await _written_description(persona, context)
            usage.append(written_usage)
        else:
            persona.description = render_description(persona.attributes)
    update["persona"] = persona.model_dump()
    update["style"] = persona_style(update["persona"], context)
    if measures_own_data(goal):
        update["own_details"] = await _own_details(goal, persona.description, identity, context, usage)
    if usage:
        update["usage"] = {"inquirer": reduce(merge_counts, usage[1:], usage[0])}
    return update


# Three tries: on the paper's speeds goal the embedded model's first list was fit in 4 of 6
# personas (the others: a longer race run faster, or 15 m/s for an old man's 50 m).
DETAIL_TRIES = 3


async def _own_details(
    goal: str, description: str, dialogue: str, context: Context, usage: list[dict[str, int]]
) -> str | None:
    """The results of what the goal has the person measure, one per line, written by the inquirer
    model and checked; None when no try gives a fit list (the user then makes figures up as they
    write, as before)."""
    model = build_chat_model(role_model(context, "inquirer"))
    prompt = load_prompt("own_details")
    messages = [HumanMessage(prompt.render(persona=description, goal=goal)), AIMessage(prompt.prefill)]
    for attempt in range(DETAIL_TRIES):
        reply = await ainvoke(
            model,
            messages,
            task="own_details",
            turn=0,
            seed=call_seed(context.seed, dialogue, "own_details", attempt),
            stop=["\n\n"],
        )
        usage.append(reply.usage)
        results = own_results(reply.text, goal)  # llama.cpp echoes the prefill: a heading, skipped
        if details_problem(results, goal) is None:
            return "\n".join(results)
    return None


def persona_style(persona: dict[str, Any], context: Context) -> dict[str, Any] | None:
    """The person's typing habits, drawn from the style profile (None with ``style: off``)."""
    if context.style.strip().lower() == "off":
        return None
    key, index = draw_key(persona, context.seed)
    style = sample_style(
        load_profile(context.style), persona.get("attributes") or {}, person_key=key, index=index
    )
    return style.model_dump()


async def _written_description(persona: Persona, context: Context) -> tuple[str, dict[str, int]]:
    """Ask the inquirer model for a richer description; fall back to the template if it fails."""
    model = build_chat_model(role_model(context, "inquirer"))
    prompt = load_prompt("persona_description").render(attributes=attribute_listing(persona.attributes))
    reply = await ainvoke(
        model,
        [HumanMessage(prompt)],
        task="persona_description",
        turn=0,
        seed=call_seed(context.seed, "persona_description"),
    )
    text = clean_message(reply.text)
    return (render_description(persona.attributes) if is_empty(text) else text), reply.usage

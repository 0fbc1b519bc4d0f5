"""generate_persona: use the given persona or sample one (seeded); render its description; draw the
person's typing habits from the style profile."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.models import build_chat_model
from llm_roleplay.blocks.personas import Persona, attribute_listing, render_description, sample_persona
from llm_roleplay.blocks.style.profile import draw_key, load_profile, sample_style
from llm_roleplay.nodes.checks import is_empty
from llm_roleplay.nodes.context import Context, settings_of
from llm_roleplay.nodes.ids import dialogue_id
from llm_roleplay.nodes.llm import ainvoke, call_seed, role_model
from llm_roleplay.nodes.parsing import clean_message
from llm_roleplay.nodes.state import RoleplayState
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
    usage = None
    if persona.description is None:
        if context.persona_description == "llm" and persona.attributes:
            persona.description, usage = await _written_description(persona, context)
        else:
            persona.description = render_description(persona.attributes)
    update["persona"] = persona.model_dump()
    update["style"] = persona_style(update["persona"], context)
    if usage:
        update["usage"] = {"inquirer": usage}
    return update


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

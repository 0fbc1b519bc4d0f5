"""The optional LLM check that a persona and a goal make sense together (``--plausibility-check``).

The rules in ``data/persona_rules.json`` catch the clear clashes cheaply; this asks the judge model
about the rest (say, a retired person asking for help with a school timetable). An answer that is
not a clear NO counts as plausible: the check may only remove pairs, never stop a run.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.messages import HumanMessage

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.goals import Goal
from llm_roleplay.blocks.models import build_chat_model
from llm_roleplay.blocks.personas import Persona, render_description
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.llm import call_seed, error_text, invoke, role_model
from llm_roleplay.nodes.parsing import Decision, parse_decision
from llm_roleplay.prompts import load_prompt


def llm_plausibility_check(context: Context) -> Callable[[Persona, Goal], bool]:
    """A ``(persona, goal) -> bool`` check that asks the run's judge model, once per pair."""
    model = build_chat_model(role_model(context, "judge", max_tokens=4))
    prompt = load_prompt("persona_goal_plausibility")
    answers: dict[tuple[str, str], bool] = {}

    def plausible(persona: Persona, goal: Goal) -> bool:
        description = persona.description or render_description(persona.attributes)
        key = (description, goal.goal)
        if key not in answers:
            try:
                reply = invoke(
                    model,
                    [HumanMessage(prompt.render(persona=description, goal=goal.goal))],
                    task="persona_goal_plausibility",
                    turn=0,
                    seed=call_seed(context.seed, *key),
                )
            except Exception as error:  # planning has written nothing yet: stop with one line
                raise ConfigError(
                    f"--plausibility-check: the judge model failed ({error_text(error)})"
                ) from None
            answers[key] = parse_decision(reply.text) is not Decision.CONTINUE  # "NO" means implausible
        return answers[key]

    return plausible

"""quality_filter: post-generation filters; keep/drop with every reason that applies."""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import partial
from typing import Any

from langgraph.runtime import Runtime

from llm_roleplay.nodes.checks import (
    Problem,
    breaks_role,
    has_repeated_block,
    is_empty,
    is_refusal,
    leaks,
    normalized,
    repeats,
)
from llm_roleplay.nodes.context import Context, settings_of
from llm_roleplay.nodes.continuation import is_continue_request
from llm_roleplay.nodes.goal_plan import material_of
from llm_roleplay.nodes.guard import Situation, message_problem
from llm_roleplay.nodes.llm import text_of
from llm_roleplay.nodes.state import RoleplayState, TerminationReason, persona_description, persona_traits

_ERROR_ENDINGS = {
    TerminationReason.INQUIRER_INVALID.value,
    TerminationReason.INQUIRER_ERROR.value,
    TerminationReason.CHATBOT_ERROR.value,
    TerminationReason.JUDGE_ERROR.value,
}


async def quality_filter(state: RoleplayState, runtime: Runtime[Context]) -> dict[str, Any]:
    context = settings_of(runtime)
    messages = state.get("messages", [])
    user = [text_of(message) for message in messages if message.type == "human"]
    assistant = [text_of(message) for message in messages if message.type == "ai"]
    persona = persona_description(state)
    goal = state.get("goal", "")
    traits = persona_traits(state)
    checks = {
        "too_few_turns": lambda: len(user) < context.min_turns,
        "empty_turn": lambda: any(is_empty(text) for text in user + assistant),
        "duplicate_turn": lambda: _resends(user),
        "chatbot_repeat": lambda: _has_duplicates(assistant),
        "repetition": lambda: any(
            has_repeated_block(text, context.repetition_block_repeats) for text in user + assistant
        ),
        "role_break": lambda: any(breaks_role(text) for text in user),
        "leakage": lambda: any(
            leaks(text, persona, goal, context.leak_persona_words, context.leak_goal_fraction, traits)
            for text in user
        ),
        "chatbot_refusal_only": lambda: bool(assistant) and all(is_refusal(text) for text in assistant),
        "ended_by_error": lambda: state.get("termination_reason") in _ERROR_ENDINGS,
    }
    checks.update(_per_message_filters(state, context))
    reasons = [name for name in context.filters if checks[name]()]
    return {"filter": {"keep": not reasons, "reasons": reasons}}


# Guard problems that survived regeneration, by the filter that drops them.
_PROBLEM_FILTERS = {
    Problem.ECHO: "echo",
    Problem.ROLE_CONFUSION: "role_confusion",
    Problem.GREETING_AGAIN: "greeting_again",
    Problem.OFF_GOAL: "goal_drift",
    Problem.FRONT_LOADING: "goal_drift",
    Problem.WITHHOLDS_DATA: "goal_drift",
    Problem.CONTRADICTS_GOAL: "goal_drift",
    Problem.PERSONA_DRIFT: "persona_drift",
    Problem.FALSE_COMPLAINT: "false_complaint",
}


def _per_message_filters(state: RoleplayState, context: Context) -> dict[str, Callable[[], bool]]:
    """Re-run the inquirer's guard on every sent user message, as the user saw the dialogue then."""
    found: set[str] = set()
    messages = state.get("messages", [])
    parts = state.get("goal_parts") or [state.get("goal", "")]
    persona = state.get("persona")
    attributes = persona.get("attributes") if isinstance(persona, dict) else None
    material = material_of(state.get("goal", ""))
    for index, message in enumerate(messages):
        if message.type != "human" or is_continue_request(text_of(message)):
            continue  # a "continue" is typed by rule, as real users type it, not written by the model
        earlier = messages[:index]
        text = text_of(message)
        if material:
            text = text.replace(material, "").strip()  # pasted goal material is the user's own
        situation = Situation(
            goal=state.get("goal", ""),
            attributes=attributes if isinstance(attributes, dict) else {},
            turn=sum(1 for m in earlier if m.type == "human") + 1,
            recent_replies=[text_of(m) for m in earlier if m.type == "ai"][-2:],
            related_texts=[*parts, state.get("expected_outcome") or ""],
            own_details=state.get("own_details") or "",
            previous_user_messages=[text_of(m) for m in earlier if m.type == "human"],
        )
        problem = message_problem(text, situation)
        if problem in _PROBLEM_FILTERS:
            found.add(_PROBLEM_FILTERS[problem])
    return {name: partial(operator.contains, found, name) for name in set(_PROBLEM_FILTERS.values())}


def _resends(user_messages: list[str]) -> bool:
    """A user message that says again, word for word or nearly, an earlier one (the guard's rule).
    "continue" after each cut-off reply is no resend."""
    sent = [text for text in user_messages if not is_empty(text) and not is_continue_request(text)]
    return any(repeats(text, sent[:index]) for index, text in enumerate(sent))


def _has_duplicates(texts: list[str]) -> bool:
    seen = [normalized(text) for text in texts if not is_empty(text)]
    return len(seen) != len(set(seen))

"""quality_filter: post-generation filters; keep/drop with every reason that applies."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from nodes.checks import breaks_role, has_repeated_block, is_empty, is_refusal, leaks, normalized
from nodes.context import Context, settings_of
from nodes.llm import text_of
from nodes.state import RoleplayState, TerminationReason, persona_description, persona_traits

_ERROR_ENDINGS = {
    TerminationReason.INQUIRER_INVALID.value,
    TerminationReason.INQUIRER_ERROR.value,
    TerminationReason.CHATBOT_ERROR.value,
    TerminationReason.JUDGE_ERROR.value,
}


def quality_filter(state: RoleplayState, runtime: Runtime[Context]) -> dict[str, Any]:
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
        "duplicate_turn": lambda: _has_duplicates(user) or _has_duplicates(assistant),
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
    reasons = [name for name in context.filters if checks[name]()]
    return {"filter": {"keep": not reasons, "reasons": reasons}}


def _has_duplicates(texts: list[str]) -> bool:
    seen = [normalized(text) for text in texts if not is_empty(text)]
    return len(seen) != len(set(seen))

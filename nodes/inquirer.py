"""inquirer_turn: the simulated user decides whether to stop, then writes its next message.

The job is split in two calls because small models cannot do both at once (see
../shared/NOTES-local-models.md): from the second turn on, a low-temperature YES/NO/GIVEUP decision
on the chatbot's last reply; then, unless it stops, the message itself, written from a role-reversed
history (the chatbot's replies as the other side). Every bad message (empty, role break, leak,
repeat) is regenerated up to ``max_regenerations`` times and counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from llm_roleplay.models import build_chat_model
from nodes.checks import Problem, inquirer_problem
from nodes.context import Context, settings_of
from nodes.llm import call_seed, error_text, invoke, role_model, text_of, transcript
from nodes.parsing import Decision, clean_message, parse_decision
from nodes.state import RoleplayState, TerminationReason, merge_counts, persona_description
from prompts import load_prompt


class _Meter:
    """Collects token usage and regeneration counts over the calls of one node run."""

    def __init__(self) -> None:
        self.usage: dict[str, int] = {}
        self.regenerations: Counter[str] = Counter()

    def update(self, **fields: Any) -> dict[str, Any]:
        return {"usage": {"inquirer": self.usage}, "regenerations": dict(self.regenerations), **fields}


def inquirer_turn(state: RoleplayState, runtime: Runtime[Context]) -> dict[str, Any]:
    context = settings_of(runtime)
    turn = state.get("turn", 0)
    meter = _Meter()
    try:
        if turn > 0 and not state.get("skip_decision"):
            decision = _decide(state, context, meter)
            if decision is Decision.GOAL_MET:
                return meter.update(goal_claimed=True)
            if decision is Decision.GIVE_UP:
                return meter.update(termination_reason=TerminationReason.INQUIRER_GAVE_UP.value)
        message = _write_message(state, context, meter)
    except Exception as error:  # a failed model call ends this dialogue, not the batch
        return meter.update(
            termination_reason=TerminationReason.INQUIRER_ERROR.value, error=error_text(error)
        )
    if message is None:
        return meter.update(termination_reason=TerminationReason.INQUIRER_INVALID.value)
    return meter.update(
        messages=[HumanMessage(message, id=f"user-{turn + 1}")], turn=turn + 1, skip_decision=False
    )


def _decide(state: RoleplayState, context: Context, meter: _Meter) -> Decision:
    """YES/NO/GIVEUP at temperature 0; an answer that never parses counts as 'go on'."""
    model = build_chat_model(role_model(context, "inquirer", temperature=0.0, max_tokens=8))
    prompt = load_prompt("inquirer_decision").render(
        goal=state["goal"], transcript=transcript(state.get("messages", []))
    )
    turn = state.get("turn", 0)
    for attempt in range(context.max_regenerations + 1):
        reply = _call(
            model, [HumanMessage(prompt)], "inquirer_decision", turn + 1, attempt, state, context, meter
        )
        decision = parse_decision(reply)
        if decision is not None:
            return decision
        meter.regenerations[Problem.UNPARSEABLE] += 1
    return Decision.CONTINUE


def _write_message(state: RoleplayState, context: Context, meter: _Meter) -> str | None:
    model = build_chat_model(role_model(context, "inquirer"))
    messages = state.get("messages", [])
    turn = state.get("turn", 0)
    persona = persona_description(state)
    task = "inquirer_opening" if turn == 0 else "inquirer_followup"
    prompt = _opening_prompt(state) if turn == 0 else _followup_prompt(state, messages)
    previous = [text_of(message) for message in messages if message.type == "human"]
    for attempt in range(context.max_regenerations + 1):
        candidate = clean_message(_call(model, prompt, task, turn + 1, attempt, state, context, meter))
        problem = inquirer_problem(
            candidate,
            persona_description=persona,
            goal=state["goal"],
            previous_user_messages=previous,
            leak_persona_words=context.leak_persona_words,
            leak_goal_fraction=context.leak_goal_fraction,
        )
        if problem is None:
            return candidate
        meter.regenerations[problem] += 1
    return None


def _opening_prompt(state: RoleplayState) -> list[BaseMessage]:
    text = load_prompt("inquirer_opening").render(persona=persona_description(state), goal=state["goal"])
    return [HumanMessage(text)]


def _followup_prompt(state: RoleplayState, messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """Role-reversed history: the inquirer's own messages become 'assistant', the chatbot's 'user'."""
    system = load_prompt("inquirer_followup").render(persona=persona_description(state), goal=state["goal"])
    flipped: list[BaseMessage] = [SystemMessage(system)]
    for message in messages:
        text = text_of(message)
        flipped.append(AIMessage(text) if message.type == "human" else HumanMessage(text))
    if isinstance(flipped[-1], HumanMessage):  # remind the model of its role right where it writes
        cue = load_prompt("inquirer_followup_cue").render(reply=text_of(flipped[-1]))
        flipped[-1] = HumanMessage(cue)
    return flipped


def _call(
    model: BaseChatModel,
    prompt: list[BaseMessage],
    task: str,
    turn: int,
    attempt: int,
    state: RoleplayState,
    context: Context,
    meter: _Meter,
) -> str:
    seed = call_seed(context.seed, state.get("dialogue_id", ""), task, turn, attempt)
    reply = invoke(model, prompt, task=task, turn=turn, seed=seed)
    meter.usage = merge_counts(meter.usage, reply.usage)
    return reply.text

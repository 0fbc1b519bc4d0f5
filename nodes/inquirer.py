"""inquirer_turn: the simulated user decides whether to stop, then writes its next message.

The job is split in two calls because small models cannot do both at once: from the second turn
on, a low-temperature YES/NO/GIVEUP decision on the chatbot's last reply; then, unless it stops,
the message itself, from the dialogue as a transcript (default) or as role-reversed chat turns
(the paper's form). The answer is prefilled with an opening quotation, which keeps small models
in the user's voice (measured on the embedded model: 12 of 12 openings in role, against 5 of 12
without). Every bad message (empty, role break, leak, repeat) is regenerated up to
``max_regenerations`` times and counted.
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
from nodes.parsing import Decision, extract_message, parse_decision
from nodes.state import RoleplayState, TerminationReason, merge_counts, persona_description, persona_traits
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
    # Built outside the try: a wrong setting is the user's error to fix, not a dialogue outcome.
    writer = build_chat_model(role_model(context, "inquirer"))
    decider = build_chat_model(role_model(context, "inquirer", temperature=0.0, max_tokens=8))
    try:
        if turn >= context.min_turns_before_stop and not state.get("skip_decision"):
            decision = _decide(decider, state, context, meter)
            if decision is Decision.GOAL_MET:
                return meter.update(goal_claimed=True)
            if decision is Decision.GIVE_UP:
                return meter.update(termination_reason=TerminationReason.INQUIRER_GAVE_UP.value)
        message = _write_message(writer, state, context, meter)
    except Exception as error:  # a failed model call ends this dialogue, not the batch
        return meter.update(
            termination_reason=TerminationReason.INQUIRER_ERROR.value, error=error_text(error)
        )
    if message is None:
        return meter.update(termination_reason=TerminationReason.INQUIRER_INVALID.value)
    return meter.update(
        messages=[HumanMessage(message, id=f"user-{turn + 1}")], turn=turn + 1, skip_decision=False
    )


def _decide(model: BaseChatModel, state: RoleplayState, context: Context, meter: _Meter) -> Decision:
    """YES/NO/GIVEUP at temperature 0; an answer that never parses counts as 'go on'."""
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


def _write_message(model: BaseChatModel, state: RoleplayState, context: Context, meter: _Meter) -> str | None:
    messages = state.get("messages", [])
    turn = state.get("turn", 0)
    if turn == 0:
        prompt = load_prompt("inquirer_opening")
        conversation: list[BaseMessage] = [
            HumanMessage(prompt.render(persona=persona_description(state), goal=state["goal"]))
        ]
    elif context.inquirer_history == "transcript":
        prompt = load_prompt("inquirer_followup")
        text = prompt.render(
            persona=persona_description(state),
            goal=state["goal"],
            transcript=transcript(messages, user="Person", assistant="Chatbot"),
        )
        conversation = [HumanMessage(text)]
    else:
        prompt = load_prompt("inquirer_followup_reversed")
        conversation = _reversed_history(
            prompt.render(persona=persona_description(state), goal=state["goal"]), messages
        )
    if prompt.prefill:
        conversation.append(AIMessage(prompt.prefill))
    previous = [text_of(message) for message in messages if message.type == "human"]
    for attempt in range(context.max_regenerations + 1):
        raw = _call(model, conversation, prompt.name, turn + 1, attempt, state, context, meter)
        candidate = extract_message(raw, prompt.prefill)
        problem = inquirer_problem(
            candidate,
            persona_description=persona_description(state),
            goal=state["goal"],
            previous_user_messages=previous,
            leak_persona_words=context.leak_persona_words,
            leak_goal_fraction=context.leak_goal_fraction,
            traits=persona_traits(state),
        )
        if problem is None:
            return candidate
        meter.regenerations[problem] += 1
    return None


def _reversed_history(system: str, messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """The paper's form: the inquirer's own messages become 'assistant', the chatbot's 'user'."""
    flipped: list[BaseMessage] = [SystemMessage(system)]
    for message in messages:
        text = text_of(message)
        flipped.append(AIMessage(text) if message.type == "human" else HumanMessage(text))
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
    # A prefilled quotation ends at its closing quote: stop there instead of generating commentary.
    reply = invoke(model, prompt, task=task, turn=turn, seed=seed, stop=['"\n'])
    meter.usage = merge_counts(meter.usage, reply.usage)
    return reply.text

"""goal_check: an independent judge verifies the inquirer's claim that the goal is met.

A rejected claim sends the dialogue back to the inquirer (which then writes a message without
re-deciding); after ``max_goal_rejections`` rejections the dialogue ends as ``goal_unverified``.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from llm_roleplay.models import build_chat_model
from nodes.context import Context, settings_of
from nodes.llm import call_seed, error_text, invoke, role_model, transcript
from nodes.parsing import parse_verdict
from nodes.state import RoleplayState, TerminationReason, merge_counts
from prompts import load_prompt


def goal_check(state: RoleplayState, runtime: Runtime[Context]) -> dict[str, Any]:
    context = settings_of(runtime)
    turn = state.get("turn", 0)
    judge = role_model(context, "judge")
    if judge.disabled:
        check = {"turn": turn, "goal_met": None, "rationale": "verification is off; claim accepted"}
        return {
            "goal_checks": [check],
            "goal_claimed": False,
            "termination_reason": TerminationReason.GOAL_CLAIMED.value,
        }
    model = build_chat_model(judge)
    prompt = load_prompt("judge_goal_check").render(
        goal=state["goal"], transcript=transcript(state.get("messages", []))
    )
    usage: dict[str, int] = {}
    verdict = None
    try:
        for attempt in range(context.max_regenerations + 1):
            reply = invoke(
                model,
                [HumanMessage(prompt)],
                task="judge_goal_check",
                turn=turn,
                seed=call_seed(context.seed, state.get("dialogue_id", ""), "judge", turn, attempt),
            )
            usage = merge_counts(usage, reply.usage)
            if (verdict := parse_verdict(reply.text)) is not None:
                break
    except Exception as error:
        return {
            "usage": {"judge": usage},
            "goal_claimed": False,
            "error": error_text(error),
            "termination_reason": TerminationReason.JUDGE_ERROR.value,
        }
    goal_met = bool(verdict and verdict.goal_met)
    rationale = verdict.rationale if verdict else "the judge's answer could not be parsed"
    update: dict[str, Any] = {
        "usage": {"judge": usage},
        "goal_checks": [{"turn": turn, "goal_met": goal_met, "rationale": rationale}],
        "goal_claimed": False,
    }
    rejections = 1 + sum(1 for check in state.get("goal_checks", []) if check.get("goal_met") is False)
    if goal_met:
        update["termination_reason"] = TerminationReason.GOAL_VERIFIED.value
    elif rejections > context.max_goal_rejections:
        update["termination_reason"] = TerminationReason.GOAL_UNVERIFIED.value
    else:
        update["skip_decision"] = True
    return update

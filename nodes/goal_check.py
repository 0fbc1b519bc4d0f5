"""goal_check: an independent judge verifies the user's claim that the goal is met.

The claim comes when every part of the goal plan looked delivered to the simulated user. The judge
checks each part with quoted evidence, then the whole goal (:mod:`nodes.verification`). A rejected
claim sends the user back to the first part the judge found missing, with the judge's reason;
after ``max_goal_rejections`` rejections, or when the judge rejects while leaning to "done" (no
fault the user could name), the dialogue ends as ``goal_unverified``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph.runtime import Runtime

from llm_roleplay.blocks.models import build_chat_model
from llm_roleplay.nodes.code_language import code_blocks
from llm_roleplay.nodes.context import Context, settings_of
from llm_roleplay.nodes.llm import as_dialogue, call_seed, error_text, role_model
from llm_roleplay.nodes.state import RoleplayState, TerminationReason
from llm_roleplay.nodes.verification import GoalVerdict, Judge, verify_goal

EVIDENCE_TOKENS = 160  # a quoted sentence and the YES/NO after it
SAMPLING_TEMPERATURE = 0.7


def build_judge(context: Context, dialogue_id: str = "", turn: int = 0) -> Judge:
    """The judge of ``context`` (also used by ``roleplay eval`` on the labelled set)."""
    return Judge(
        answer=build_chat_model(role_model(context, "judge", max_tokens=1)),
        explain=build_chat_model(role_model(context, "judge", max_tokens=EVIDENCE_TOKENS)),
        threshold=context.judge_threshold,
        samples=context.judge_samples,
        seed=lambda question, k: call_seed(context.seed, dialogue_id, "judge", turn, question, k),
        sampler=lambda: build_chat_model(
            role_model(context, "judge", temperature=SAMPLING_TEMPERATURE, max_tokens=EVIDENCE_TOKENS)
        ),
    )


async def goal_check(state: RoleplayState, runtime: Runtime[Context]) -> dict[str, Any]:
    context = settings_of(runtime)
    turn = state.get("turn", 0)
    if role_model(context, "judge").disabled:
        accepted = {"turn": turn, "goal_met": None, "rationale": "verification is off; claim accepted"}
        return {
            "goal_checks": [accepted],
            "goal_claimed": False,
            "termination_reason": TerminationReason.GOAL_CLAIMED.value,
        }
    judge = build_judge(context, state.get("dialogue_id", ""), turn)
    messages = as_dialogue(state.get("messages", []))
    parts = state.get("goal_parts") or [state["goal"]]
    try:
        verdict = await verify_goal(
            judge, state["goal"], parts, messages, state.get("expected_outcome"), turn
        )
    except Exception as error:
        return {
            "goal_claimed": False,
            "error": error_text(error),
            "termination_reason": TerminationReason.JUDGE_ERROR.value,
        }
    check: dict[str, Any] = {
        "turn": turn,
        "goal_met": verdict.goal_met,
        "rationale": verdict.rationale,
        "p_goal": None if verdict.p_goal is None else round(verdict.p_goal, 3),
        "parts": [part.as_dict() for part in verdict.parts],
    }
    update: dict[str, Any] = {
        "usage": {"judge": verdict.usage},
        "goal_checks": [check],
        "goal_claimed": False,
    }
    rejections = 1 + sum(1 for past in state.get("goal_checks", []) if past.get("goal_met") is False)
    if verdict.goal_met:
        update["termination_reason"] = TerminationReason.GOAL_VERIFIED.value
    elif rejections > context.max_goal_rejections or _nothing_to_push_back_on(
        verdict, [message["content"] for message in messages if message["role"] == "assistant"]
    ):
        update["termination_reason"] = TerminationReason.GOAL_UNVERIFIED.value
    else:
        failed = verdict.first_failed if verdict.first_failed is not None else len(parts) - 1
        update["judge_feedback"] = {"part": failed, "reason": _reason_for_user(verdict, failed)}
    return update


def _in_code(quote: str | None, replies: Sequence[str]) -> bool:
    """The quote is a line of a reply's code."""
    if not quote:
        return False
    return any(quote.strip() in body for reply in replies for _, body in code_blocks(reply))


# The judge's P(yes) from which it leans to "done": a rejection above it is the judge's doubt, not
# a fault the user could name.
LEANS_DONE = 0.5


def _nothing_to_push_back_on(verdict: GoalVerdict, replies: Sequence[str] = ()) -> bool:
    """The judge rejects the claim while leaning to "done" (P(yes) at or over ``LEANS_DONE``, for
    the failed part or, every part passed, for the whole goal): not verified, but the user, who
    read the goal as done as well, has no fault to name. Sent back with "they think it is wrong",
    the embedded user made faults up ("you gave the wrong result for 10. fix it" after a right
    3628800; "I told you it was supposed to be 73 tall"): 6 of the first 12 dialogues of the run of
    2026-11-28. A rejection by the plain checks (a sum that does not add up, a copied rewrite), a
    quote that only repeats an earlier part's, or a judge's NO still sends the user back, with its
    reason; a line of code quoted for two parts does not (one function delivers several parts: "def
    factorialize(num, memo={}):" quoted for the recursion and for "no infinite loop" sent the
    factorial user back twice to ask for a base case the code had, grid run of the evening of
    2026-11-29; code sent back unchanged is a plain check of its own)."""
    failed = verdict.first_failed
    if failed is None:
        return False
    if verdict.p_goal is not None:  # every part passed; the whole-goal question failed
        return verdict.p_goal >= LEANS_DONE
    if failed >= len(verdict.parts):  # the plain checks rejected it, no model asked
        return False
    quoted_for = verdict.parts[failed].quoted_for
    if quoted_for is not None and not _in_code(verdict.parts[quoted_for].evidence, replies):
        return False  # the reply gave the earlier part's text again
    p_yes = verdict.parts[failed].p_yes
    return p_yes is not None and p_yes >= LEANS_DONE


def _reason_for_user(verdict: GoalVerdict, failed: int) -> str:
    """What the user noticed, in plain words (the judge's numbers stay in the record)."""
    checks = verdict.parts
    # Worded as the user's own impression, not the judge's terms: the small model copies the reason
    # into the message (seen: "your answer was missing from the answers").
    if failed < len(checks) and checks[failed].quoted_for is not None:
        return "they only see what it gave them before"
    if failed < len(checks) and checks[failed].evidence is None:
        return "they cannot see where it does that"
    return "they think it is wrong or incomplete"

"""Simulated users against the support agent: what it said, which tools it called, what it changed.

Everything runs on the embedded model, and every model call — the simulated user's, the judge's
and the agent's own — is answered from ``roleplay_cache/`` (one reviewable JSONL file per test,
committed), so the suite repeats exactly, in seconds, without loading the model. A changed prompt,
setting or agent misses the cache and fails the test, naming what changed. Re-record with

    ROLEPLAY_CACHE_MODE=record .venv/bin/pytest examples/support_agent   # ~10 min on two cores

and review the diff of ``roleplay_cache/`` like any other change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from examples.support_agent.agent import SupportContext, build_agent, context_model
from llm_roleplay.blocks.model_cache import mode_from_environment
from llm_roleplay.testing import (
    assert_tool_not_called,
    cache_file,
    final_state,
    simulate,
    tool_called,
    tool_not_called,
    trajectory,
)

CACHE = Path(__file__).parent / "roleplay_cache"
MODE = mode_from_environment(default="replay")  # CI: a cache miss is a failure, never a slow re-record
PERSONA = {
    "description": "A nurse in her fifties who types short, plain messages between shifts and wants "
    "things sorted quickly.",
}


@pytest.fixture
def agent() -> Any:
    """The agent on the embedded model, its calls kept in this test's cache file beside the user's."""
    model = context_model(SupportContext(model_cache=str(cache_file(CACHE)), model_cache_mode=MODE))
    return build_agent(model)


def refunded_once(order_id: str) -> Any:
    """A final-state check: exactly one refund, of ``order_id``, for the order's full amount."""

    def check(state: dict[str, Any]) -> tuple[bool, str]:
        refunds = state.get("refunds") or []
        ok = [refund["order_id"] for refund in refunds] == [order_id]
        return ok, f"refunds in the agent's state: {refunds}"

    check.__qualname__ = f"refunded_once({order_id!r})"
    return check


def no_refund(state: dict[str, Any]) -> tuple[bool, str]:
    refunds = state.get("refunds") or []
    return not refunds, f"refunds in the agent's state: {refunds}"


@pytest.mark.langsmith  # logged as a LangSmith experiment when a key is set; offline otherwise
def test_broken_headphones_are_refunded(agent: Any) -> None:
    result = simulate(
        agent,
        goal="Your wireless headphones from order A1001 arrived broken. Get your money back for them.",
        goal_parts=["Get a refund for the broken headphones of order A1001."],
        persona=PERSONA,
        max_turns=4,
        script={1: "hi, my headphones from order A1001 arrived broken. can i get my money back?"},
        checks=[
            tool_called("refund_order", {"order_id": "A1001"}, match="subset").by_turn(2),
            tool_called("refund_order", "a refund of order A1001 for the broken headphones", match="judged"),
            trajectory(["refund_order"], "superset"),
            final_state(refunded_once("A1001")),
        ],
        cache=CACHE,
        cache_mode=MODE,
    )
    assert_tool_not_called(result.record, "lookup_order", by_turn=1)  # it refunded straight away


def test_a_shipped_order_is_looked_up_not_refunded(agent: Any) -> None:
    simulate(
        agent,
        goal="You want to know where your phone case (order A1002) is, and when it will arrive.",
        goal_parts=["Find out where the phone case of order A1002 is."],
        persona=PERSONA,
        max_turns=3,
        checks=[
            tool_called("lookup_order", {"order_id": "A1002"}),
            tool_not_called("refund_order"),
            final_state(no_refund),
        ],
        cache=CACHE,
        cache_mode=MODE,
    )

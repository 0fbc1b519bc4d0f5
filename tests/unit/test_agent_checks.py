"""Checks on what an agent did, on hand-made records whose answers are known."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.goals import parse_goals
from llm_roleplay.evals.agent_checks import (
    checks_from_expect,
    evaluate_records,
    final_state,
    goal_verified,
    tool_called,
    tool_calls,
    tool_not_called,
    trajectory,
)
from llm_roleplay.evals.judges import build_judge


def call(name: str, **args: Any) -> dict[str, Any]:
    return {"name": name, "args": args, "id": f"id-{name}", "result": "ok"}


def record(
    *turns: list[dict[str, Any]], state: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    """A record with one user and one assistant message per turn; turn i's assistant message
    carries the calls given for it."""
    messages: list[dict[str, Any]] = []
    for number, calls in enumerate(turns, start=1):
        messages.append({"role": "user", "content": f"question {number}", "turn": number})
        reply: dict[str, Any] = {"role": "assistant", "content": f"answer {number}", "turn": number}
        if calls:
            reply["tool_calls"] = calls
        messages.append(reply)
    agent = {"thread_id": "t", "final_state": state} if state is not None else None
    return {
        "id": "dlg-test",
        "messages": messages,
        "agent": agent,
        "termination_reason": "goal_verified",
        **fields,
    }


LOOKUP = call("lookup_order", order_id="A1001")
REFUND = call("refund_order", order_id="A1001", reason="broken")
REFUND_OTHER = call("refund_order", order_id="A1002", reason="late")
# turn 1: lookup; turn 2: nothing; turn 3: refund
DIALOGUE = record([LOOKUP], [], [REFUND])


def test_tool_calls_are_read_in_order_with_their_turns() -> None:
    assert [(c.turn, c.name) for c in tool_calls(DIALOGUE)] == [(1, "lookup_order"), (3, "refund_order")]
    assert [c.name for c in tool_calls(DIALOGUE, by_turn=2)] == ["lookup_order"]


@pytest.mark.parametrize(
    ("check", "passed"),
    [
        (tool_called("refund_order"), True),
        (tool_called("cancel_order"), False),
        (tool_called("refund_order", {"order_id": "A1001", "reason": "broken"}), True),
        (tool_called("refund_order", {"order_id": "A1001"}), False),  # exact: the reason is missing
        (tool_called("refund_order", {"order_id": "A1001"}, match="subset"), True),
        (tool_called("refund_order", {"order_id": "A1002"}, match="subset"), False),
        (tool_called("refund_order").by_turn(2), False),
        (tool_called("refund_order").by_turn(3), True),
        (tool_called("lookup_order").by_turn(1), True),
        (tool_called("lookup_order").by_turn(4), False),  # the dialogue ended at turn 3
        (tool_not_called("cancel_order"), True),
        (tool_not_called("refund_order"), False),
        (tool_not_called("refund_order").by_turn(2), True),
        (tool_not_called("refund_order", {"order_id": "A1002"}, match="subset"), True),
        (tool_not_called("refund_order", {"order_id": "A1001"}, match="subset"), False),
    ],
    ids=lambda value: (
        value.describe() + (f" by {value.turn}" if value.turn else "")
        if hasattr(value, "describe")
        else str(value)
    ),
)
def test_tool_checks(check: Any, passed: bool) -> None:
    assert check.evaluate(DIALOGUE).passed is passed


def test_failure_messages_name_the_check_the_turn_and_what_was_found() -> None:
    result = tool_called("refund_order").by_turn(2).evaluate(DIALOGUE)
    assert result.message() == (
        "tool_called('refund_order') by turn 2 failed: refund_order was never called "
        "(lookup_order(order_id='A1001') at turn 1)"
    )
    result = tool_called("refund_order", {"order_id": "A1002"}, match="subset").evaluate(DIALOGUE)
    assert result.message().startswith(
        "tool_called('refund_order', args={'order_id': 'A1002'}, match='subset') at the end (turn 3) failed:"
        " called, but the arguments do not match: refund_order(order_id='A1001', reason='broken') at turn 3"
    )
    assert "turn 3" in tool_not_called("refund_order").evaluate(DIALOGUE).message()


def test_judged_arguments_ask_the_judge() -> None:
    judge = build_judge("fake")  # matches when half of the expected words are in the arguments
    good = tool_called("refund_order", "refund order A1001, broken item", match="judged")
    bad = tool_called("refund_order", "cancellation of subscription", match="judged")
    assert good.evaluate(DIALOGUE, judge).passed
    result = bad.evaluate(DIALOGUE, judge)
    assert not result.passed and "judge:" in result.detail
    with pytest.raises(ConfigError, match="needs a judge"):
        good.evaluate(DIALOGUE, None)
    with pytest.raises(ValueError, match="description"):
        tool_called("refund_order", {"order_id": "A1"}, match="judged")


STEPS = ["lookup_order", "refund_order"]


@pytest.mark.parametrize(
    ("calls", "mode", "passed"),
    [
        ([LOOKUP, REFUND], "strict", True),
        ([REFUND, LOOKUP], "strict", False),
        ([LOOKUP, REFUND, REFUND_OTHER], "strict", False),
        ([REFUND, LOOKUP], "unordered", True),
        ([LOOKUP, REFUND, REFUND_OTHER], "unordered", False),
        ([LOOKUP], "unordered", False),
        ([REFUND_OTHER, LOOKUP, REFUND], "superset", True),
        ([LOOKUP], "superset", False),
        ([LOOKUP], "subset", True),
        ([], "subset", True),
        ([LOOKUP, REFUND, REFUND_OTHER], "subset", False),
    ],
)
def test_trajectory_modes(calls: list[dict[str, Any]], mode: str, passed: bool) -> None:
    assert trajectory(STEPS, mode).evaluate(record(calls)).passed is passed  # type: ignore[arg-type]


def test_trajectory_steps_may_constrain_arguments() -> None:
    steps: list[Any] = ["lookup_order", {"name": "refund_order", "args": {"order_id": "A1002"}}]
    both_refunds = record([LOOKUP, REFUND, REFUND_OTHER])
    assert trajectory(steps, "superset").evaluate(both_refunds).passed
    # The matching must pair each step with its own call: A1002's refund, not the first refund.
    assert not trajectory(steps, "superset").evaluate(record([LOOKUP, REFUND])).passed
    assert trajectory(steps, "unordered").evaluate(record([REFUND_OTHER, LOOKUP])).passed
    exact = [{"name": "refund_order", "args": {"order_id": "A1002"}}]
    assert not trajectory(exact, "subset", args_match="exact").evaluate(record([REFUND_OTHER])).passed
    message = trajectory(STEPS).evaluate(record([REFUND])).message()
    assert message == (
        "trajectory(['lookup_order', 'refund_order'], mode='strict') at the end (turn 1) failed:"
        " actual: refund_order"
    )


def refunded(state: dict[str, Any]) -> bool:
    return bool(state.get("refunds"))


def refunded_with_reason(state: dict[str, Any]) -> tuple[bool, str]:
    return bool(state.get("refunds")), f"refunds: {state.get('refunds')}"


def asserts_refunded(state: dict[str, Any]) -> None:
    assert state.get("refunds"), "no refund in the final state"


@pytest.mark.parametrize(
    ("predicate", "state", "passed", "detail"),
    [
        (refunded, {"refunds": [1]}, True, "the predicate returned True"),
        (refunded, {"refunds": []}, False, "the predicate returned False"),
        (refunded_with_reason, {"refunds": []}, False, "refunds: []"),
        (asserts_refunded, {}, False, "no refund in the final state"),
        (lambda state: state["missing"], {}, False, "the predicate raised KeyError: 'missing'"),
        ("tests.unit.test_agent_checks:refunded", {"refunds": [1]}, True, "the predicate returned True"),
    ],
)
def test_final_state_predicates(predicate: Any, state: dict[str, Any], passed: bool, detail: str) -> None:
    result = final_state(predicate).evaluate(record([], state=state))
    assert result.passed is passed
    assert result.detail.startswith(detail)  # an assertion's message, then pytest's explanation


def test_final_state_needs_an_agent_record_and_an_importable_predicate() -> None:
    result = final_state(refunded).evaluate(record([]))
    assert not result.passed and "no agent state" in result.detail
    with pytest.raises(ConfigError, match="no attribute 'nope'"):
        final_state("tests.unit.test_agent_checks:nope").evaluate(record([], state={}))
    with pytest.raises(ValueError, match="end of the dialogue"):
        final_state(refunded).by_turn(2)


def test_goal_verified() -> None:
    assert goal_verified().evaluate(DIALOGUE).passed
    assert not goal_verified().evaluate({**DIALOGUE, "termination_reason": "max_turns"}).passed


def test_goal_files_declare_checks_under_expect() -> None:
    expect = {
        "tools_called": [
            "lookup_order",
            {"name": "refund_order", "args": {"order_id": "A1001"}, "match": "subset"},
        ],
        "tools_not_called": [
            {"name": "refund_order", "args": {"order_id": "A1002"}, "match": "subset", "by_turn": 2}
        ],
        "trajectory": {"steps": STEPS, "mode": "superset"},
        "final_state": "tests.unit.test_agent_checks:refunded",
        "goal_verified": True,
    }
    line = json.dumps({"goal": "Get a refund", "expect": expect})
    goal = parse_goals(line, "jsonl", "goals.jsonl")[0]
    assert goal.expect == expect
    checks = checks_from_expect(goal.expect, "goals.jsonl line 1")
    assert [c.describe() for c in checks] == [
        "tool_called('lookup_order')",
        "tool_called('refund_order', args={'order_id': 'A1001'}, match='subset')",
        "tool_not_called('refund_order', args={'order_id': 'A1002'}, match='subset')",
        "trajectory(['lookup_order', 'refund_order'], mode='superset')",
        "final_state(tests.unit.test_agent_checks:refunded)",
        "goal_verified()",
    ]
    assert checks[2].turn == 2
    done = record([LOOKUP], [REFUND], state={"refunds": [1]})
    assert all(check.evaluate(done).passed for check in checks)


@pytest.mark.parametrize(
    ("expect", "error"),
    [
        ('"refund"', "goals.jsonl line 1: 'expect' must be an object"),
        (
            '{"tools_calld": ["x"]}',
            "goals.jsonl line 1: expect.tools_calld: unknown check (known: tools_called,",
        ),
        (
            '{"tools_called": [3]}',
            "goals.jsonl line 1: expect.tools_called: item 1: a tool name",
        ),
        (
            '{"tools_called": [{"name": "x", "match": "fuzzy"}]}',
            "goals.jsonl line 1: expect.tools_called: match='fuzzy': use one of exact, subset, judged",
        ),
        (
            '{"trajectory": {"steps": ["a"], "mode": "loose"}}',
            "goals.jsonl line 1: expect.trajectory: mode='loose': use one of strict,",
        ),
        (
            '{"final_state": 3}',
            "goals.jsonl line 1: expect.final_state: 'module:function' names of predicates",
        ),
    ],
)
def test_bad_expect_is_an_error_naming_file_line_and_field(expect: str, error: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_goals('{"goal": "g", "expect": ' + expect + "}\n", "jsonl", "goals.jsonl")
    assert str(caught.value).startswith(error), str(caught.value)


def test_roleplay_eval_reports_the_declared_checks(tmp_path: Path) -> None:
    from llm_roleplay.evals.pipeline import EvalOptions, evaluate_dataset
    from tests.unit.test_evals_fixtures import make_record

    def base(dialogue_id: str) -> dict[str, Any]:
        return make_record(dialogue_id, ["question 1", "question 2"])

    expect = {"tools_called": ["refund_order"], "final_state": "tests.unit.test_agent_checks:refunded"}
    passing = {
        **base("d1"),
        **record([LOOKUP], [REFUND], state={"refunds": [1]}),
        "id": "d1",
        "expect": expect,
    }
    failing = {
        **base("d2"),
        **record([LOOKUP]),
        "id": "d2",
        "expect": expect,
        "agent": {"thread_id": "t", "final_state": {}},
    }
    plain = {**base("d3"), "id": "d3"}
    (tmp_path / "dialogues.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in (passing, failing, plain))
    )
    data = evaluate_dataset(EvalOptions(dataset=tmp_path, judge="none", progress=False))
    assert data["metrics"]["agent_checks_passed"]["value"] == 0.5
    assert data["metrics"]["agent_checks_passed"]["n"] == 2
    assert data["metrics"]["check:tool_called('refund_order')"]["value"] == 0.5
    results = data["agent_checks"]["dialogues"]
    assert set(results) == {"d1", "d2"}
    assert [r["passed"] for r in results["d2"]] == [False, False]
    assert (
        results["d2"][0]["detail"]
        == "refund_order was never called (lookup_order(order_id='A1001') at turn 1)"
    )


def test_judged_checks_are_skipped_without_a_judge() -> None:
    expect = {
        "tools_called": [{"name": "refund_order", "args": "a refund", "match": "judged"}, "lookup_order"]
    }
    checks = evaluate_records([{**DIALOGUE, "expect": expect}], judge=None)
    assert checks.skipped_judged == 1
    assert [r.check for r in checks.results["dlg-test"]] == ["tool_called('lookup_order')"]

"""The pytest helper, run by pytest itself (in process) on a test file that passes and one that fails.

The test files drive the example support agent (its graph, tools and state; a rule-based model in
place of an LLM) with the offline ``fake`` simulated user and judge, one of them under LangSmith's
pytest integration (``@pytest.mark.langsmith``), which the repository's conftest keeps offline.
"""

from __future__ import annotations

import pytest

# Imported once here: in-process pytester runs drop the modules they import, and numpy (under the
# roleplay graph) cannot be imported twice in one process.
import llm_roleplay.graphs.roleplay  # noqa: F401

HEADER = """
import pytest
from llm_roleplay.testing import final_state, simulate, tool_called, tool_not_called
from tests.support.agents import rule_based_support_agent

def run(checks):
    return simulate(
        rule_based_support_agent(),
        goal="Get your money back for the broken headphones of order A1001.",
        persona="A student who types in lowercase.",
        inquirer="fake",
        judge="fake",
        max_turns=4,
        script={1: "hi, where is order A1001?", 2: "they arrived broken, refund A1001 please"},
        checks=checks,
    )
"""

PASSING = (
    HEADER
    + """
@pytest.mark.langsmith
def test_refund_after_lookup():
    result = run([
        tool_called("lookup_order", {"order_id": "A1001"}).by_turn(1),
        tool_not_called("refund_order").by_turn(1),
        tool_called("refund_order", {"order_id": "A1001"}, match="subset").by_turn(2),
        final_state(lambda state: [r["order_id"] for r in state["refunds"]] == ["A1001"]),
    ])
    assert result.passed and result.record.termination_reason == "goal_verified"
"""
)

FAILING = (
    HEADER
    + """
def test_refund_on_the_first_turn():
    run([tool_called("lookup_order"), tool_called("refund_order").by_turn(1)])
"""
)


def test_a_passing_simulation_passes_under_langsmiths_pytest_integration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_passing=PASSING)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error::UserWarning")
    result.assert_outcomes(passed=1)


def test_a_failing_check_fails_the_test_naming_the_check_and_the_turn(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_failing=FAILING)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*SimulationFailed: 1 problem(s) in simulated dialogue dlg-*"
            " (ended as goal_verified after 3 turn(s)):",
            "*- tool_called('refund_order') by turn 1 failed: refund_order was never called"
            " (lookup_order(order_id='A1001') at turn 1)",
            "*transcript:",
            "*[[]1] user: hi, where is order A1001?",  # [[] is a literal [ in fnmatch
            "*tool lookup_order({'order_id': 'A1001'}) -> *",
        ]
    )
    assert "tool_called('lookup_order') at the end" not in result.stdout.str()  # passing checks stay quiet

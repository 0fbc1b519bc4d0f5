"""Goal-check accuracy on the labelled endings: the set, the metrics, and the judge run on it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.evals.bootstrap import BootstrapSettings
from llm_roleplay.evals.goal_labels import (
    FAILURES,
    GoalCheckOutcome,
    by_failure,
    goal_check_example,
    goal_check_metrics,
    goal_check_outcomes,
    goal_check_target,
    load_goal_labels,
)
from llm_roleplay.evals.statistics import estimates
from llm_roleplay.nodes.context import Context


def test_the_labelled_set_is_big_balanced_and_consistent() -> None:
    endings = load_goal_labels()
    assert len(endings) >= 100
    assert len({ending.id for ending in endings}) == len(endings)
    met = sum(ending.goal_met for ending in endings)
    assert 0.3 < met / len(endings) < 0.6
    kinds = Counter(ending.failure for ending in endings)
    assert set(kinds) <= set(FAILURES) and kinds["wrong_answer"] >= 10 and kinds["part_missing"] >= 5
    assert sum(ending.expected_outcome is not None for ending in endings) >= 20


def test_the_labelled_set_holds_the_failures_seen_in_real_runs() -> None:
    by_id = {ending.id: ending for ending in load_goal_labels()}
    stopwatch = by_id["gl-002"]  # the chatbot asks for the readings; no speed is ever computed
    assert not stopwatch.goal_met and "stopwatch readings" in stopwatch.messages[1]["content"]
    miles = by_id["gl-008"]  # "24 miles" where 18 is right
    assert not miles.goal_met and "24 miles" in " ".join(m["content"] for m in miles.messages)
    assert not by_id["gl-028"].goal_met  # "I've updated the 10th line", another line changed


def _entry(**changes: Any) -> dict[str, Any]:
    entry = {
        "id": "x",
        "goal": "You want a number.",
        "goal_parts": ["give a number"],
        "messages": [{"role": "user", "content": "number pls"}, {"role": "assistant", "content": "7"}],
        "goal_met": True,
        "failure": "none",
    }
    return {**entry, **changes}


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        (_entry(goal_met=False), '"none" exactly when the goal was met'),
        (_entry(failure="bad"), "must be one of"),
        (_entry(goal_parts=[]), "goal_parts"),
        (_entry(messages=[{"role": "user", "content": "x"}]), "must end with an assistant reply"),
        (_entry(goal_met="yes"), "true or false"),
    ],
)
def test_invalid_entries_name_file_and_line(tmp_path: Path, entry: dict[str, Any], fragment: str) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(f"{json.dumps(_entry())}\n{json.dumps(entry)}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_goal_labels(path)
    assert str(raised.value).startswith(f"{path}:2: ") and fragment in str(raised.value)


def test_precision_and_recall_of_verified() -> None:
    outcomes = [
        GoalCheckOutcome("a", True, True, "none"),  # TP
        GoalCheckOutcome("b", False, True, "wrong_answer"),  # FP: the complaint about judges
        GoalCheckOutcome("c", True, False, "none"),  # FN
        GoalCheckOutcome("d", False, False, "part_missing"),  # TN
        GoalCheckOutcome("e", True, True, "none"),  # TP
        GoalCheckOutcome("f", False, None, "partial", error="boom"),  # left out
    ]
    values = estimates(goal_check_metrics(outcomes), BootstrapSettings(resamples=200, seed=0))
    assert (
        values["goal_check_precision"].value == pytest.approx(2 / 3) and values["goal_check_precision"].n == 3
    )
    assert values["goal_check_recall"].value == pytest.approx(2 / 3) and values["goal_check_recall"].n == 3
    assert by_failure(outcomes)["wrong_answer"] == {"endings": 1, "verified": 1, "errors": 0}
    assert by_failure(outcomes)["partial"] == {"endings": 1, "verified": 0, "errors": 1}


def test_the_target_runs_the_graphs_judge() -> None:
    """The fake judge quotes the reply to each part and agrees: these endings are verified (not
    gl-002, which gives formulas and no speed, nor gl-003, whose wrong 200 m speed is plain
    arithmetic: the plain checks reject them first; nor gl-006: the fake quotes one sentence for
    both its parts)."""
    first = load_goal_labels()[:5]
    endings = [ending for ending in first if ending.id not in ("gl-002", "gl-003")]
    assert len(endings) == 3
    target = goal_check_target(Context(judge_model="fake"))
    outputs = {e.id: target(goal_check_example(e)["inputs"]) for e in endings}
    outcomes = goal_check_outcomes(outputs, endings)
    assert all(outcome.verified is True and outcome.error is None for outcome in outcomes)
    assert [outcome.goal_met for outcome in outcomes] == [ending.goal_met for ending in endings]
    missing = goal_check_outcomes({}, endings[:1])
    assert missing[0].verified is None and missing[0].error == "the target produced no output"

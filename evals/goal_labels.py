"""Goal-check accuracy: does the judge verify only goals that were really met?

The judge of the roleplay graph (:mod:`nodes.verification`: every part with quoted evidence and
P(YES) over ``judge_threshold``, then the whole goal) is run on ``data/goal_labels.jsonl``:
dialogue endings read in full by a person who checked every number, each labelled ``goal_met``
true or false, with the kind of failure (``part_missing``, ``wrong_answer``, ``partial``,
``promise_only``, ``refused``, ``off_target``) and a note saying why. ``goal_verified`` is the
judge's positive verdict, so

- ``goal_check_precision`` = of the endings the judge verifies, the share whose goal was met
  (a judge that passes runs it should fail has low precision: the complaint users have of judges);
- ``goal_check_recall`` = of the endings whose goal was met, the share the judge verifies.

Intervals resample labelled endings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llm_roleplay.blocks.sync_bridge import run_sync
from llm_roleplay.evals.bootstrap import Metric, ratio_metric
from llm_roleplay.evals.labelled_files import alternating_messages, load_labelled, text_list
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.goal_check import build_judge
from llm_roleplay.nodes.llm import error_text
from llm_roleplay.nodes.verification import verify_goal

DEFAULT_GOAL_LABELS = Path(__file__).parent / "data" / "goal_labels.jsonl"
FAILURES = ("none", "part_missing", "wrong_answer", "partial", "promise_only", "refused", "off_target")


@dataclass(frozen=True)
class LabelledEnding:
    id: str
    goal: str
    parts: tuple[str, ...]
    expected_outcome: str | None
    messages: tuple[Mapping[str, str], ...]
    goal_met: bool
    failure: str
    line: int = 0


@dataclass(frozen=True)
class GoalCheckOutcome:
    id: str
    goal_met: bool  # the label
    verified: bool | None  # the judge's verdict; None when the judge failed
    failure: str
    rationale: str = ""
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "goal_met": self.goal_met,
            "verified": self.verified,
            "failure": self.failure,
            "rationale": self.rationale,
            "error": self.error,
        }


def labelled_ending(data: Mapping[str, Any], line: int = 0) -> LabelledEnding:
    """Validate one entry of the labelled set; ``ValueError`` says what is wrong."""
    messages = alternating_messages(data)
    parts = text_list(data, "goal_parts", required=True)
    if not isinstance(data.get("goal"), str) or not data["goal"].strip():
        raise ValueError('"goal" must be a non-empty text')
    if not isinstance(data.get("goal_met"), bool):
        raise ValueError('"goal_met" must be true or false')
    failure = data.get("failure")
    if failure not in FAILURES or (failure == "none") is not data["goal_met"]:
        raise ValueError(
            f'"failure" must be one of {", ".join(FAILURES)}, and "none" exactly when the goal was met'
        )
    expected_outcome = data.get("expected_outcome")
    return LabelledEnding(
        id=str(data.get("id") or f"line-{line}"),
        goal=data["goal"],
        parts=parts,
        expected_outcome=expected_outcome if isinstance(expected_outcome, str) else None,
        messages=messages,
        goal_met=data["goal_met"],
        failure=failure,
        line=line,
    )


def load_goal_labels(path: Path = DEFAULT_GOAL_LABELS) -> list[LabelledEnding]:
    """Read and validate the labelled set; a bad line is a one-line ``ConfigError`` (file:line)."""
    return load_labelled(path, labelled_ending, "labelled endings")


# As a LangSmith experiment: the judge is the target, the labels are the reference outputs --------


def goal_check_example(ending: LabelledEnding) -> dict[str, Any]:
    return {
        "inputs": {
            "id": ending.id,
            "goal": ending.goal,
            "goal_parts": list(ending.parts),
            "expected_outcome": ending.expected_outcome,
            "messages": [dict(message) for message in ending.messages],
        },
        "reference_outputs": {"goal_met": ending.goal_met, "failure": ending.failure},
    }


def goal_check_target(context: Context) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Target: the graph's goal check on one labelled ending."""

    def verify_labelled_ending(inputs: dict[str, Any]) -> dict[str, Any]:
        ending = labelled_ending({**inputs, "goal_met": False, "failure": "part_missing"})
        try:
            verdict = run_sync(
                verify_goal(
                    build_judge(context, ending.id),
                    ending.goal,
                    ending.parts,
                    ending.messages,
                    ending.expected_outcome,
                )
            )
        except Exception as error:
            return {"verified": None, "rationale": "", "error": error_text(error)}
        return {"verified": verdict.goal_met, "rationale": verdict.rationale, "error": None}

    return verify_labelled_ending


def goal_check_evaluator(
    inputs: dict[str, Any], outputs: dict[str, Any], reference_outputs: dict[str, Any]
) -> dict[str, Any]:
    """Per ending: 1 when the judge's verdict agrees with the label."""
    if outputs.get("verified") is None:
        return {"key": "goal_check_correct", "score": None, "value": "error", "comment": outputs.get("error")}
    agrees = bool(outputs["verified"]) is bool(reference_outputs["goal_met"])
    return {"key": "goal_check_correct", "score": float(agrees), "comment": outputs.get("rationale")}


def goal_check_outcomes(
    outputs_by_id: Mapping[str, Mapping[str, Any]], endings: Sequence[LabelledEnding]
) -> list[GoalCheckOutcome]:
    """The experiment's outputs against the labels (a missing output is an error)."""
    outcomes = []
    for ending in endings:
        outputs = outputs_by_id.get(ending.id) or {"error": "the target produced no output"}
        outcomes.append(
            GoalCheckOutcome(
                ending.id,
                ending.goal_met,
                outputs.get("verified"),
                ending.failure,
                str(outputs.get("rationale") or ""),
                outputs.get("error"),
            )
        )
    return outcomes


def goal_check_metrics(outcomes: Sequence[GoalCheckOutcome]) -> list[Metric[Any]]:
    """Precision and recall of ``goal_verified`` (endings where the judge failed are left out)."""
    rows = [outcome for outcome in outcomes if outcome.verified is not None]
    return [
        ratio_metric(
            "goal_check_precision",
            [(int(o.goal_met), 1) for o in rows if o.verified],
            unit="verified endings",
        ),
        ratio_metric(
            "goal_check_recall", [(int(bool(o.verified)), 1) for o in rows if o.goal_met], unit="met endings"
        ),
    ]


def by_failure(outcomes: Sequence[GoalCheckOutcome]) -> dict[str, dict[str, int]]:
    """Per kind of failure: endings, and how many the judge verified (should be 0 but for "none")."""
    table: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        row = table.setdefault(outcome.failure, {"endings": 0, "verified": 0, "errors": 0})
        row["endings"] += 1
        row["verified"] += int(bool(outcome.verified))
        row["errors"] += int(outcome.verified is None)
    return table

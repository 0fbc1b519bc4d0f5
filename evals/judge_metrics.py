"""Judge verdicts turned into metrics (with intervals) and a per-judge summary of what went wrong.

Only verdicts with status ``ok`` score: an unparseable or failed verdict is not a zero, it is a
missing observation, and is counted in the summary instead so a reader sees how much is missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from llm_roleplay.evals.bootstrap import Metric, ratio_metric
from llm_roleplay.evals.judges import JudgeResult

Verdicts = Mapping[str, Mapping[str, JudgeResult]]  # dialogue id -> judge key -> verdict


def _ok(verdicts: Verdicts, ids: Sequence[str], key: str) -> list[JudgeResult]:
    found = (verdicts.get(dialogue_id, {}).get(key) for dialogue_id in ids)
    return [result for result in found if result is not None and result.status == "ok"]


def judge_metrics(ids: Sequence[str], verdicts: Verdicts) -> list[Metric[Any]]:
    """Metrics of the record judges over the dialogues ``ids`` that have an ``ok`` verdict.

    - ``goal_completion``: mean of met 1 / partially_met 0.5 / not_met 0; ``goal_met_share``: share met
    - ``persona_fidelity``: mean score 1-5; ``persona_announced_share``: share flagged as announcing
    - ``human_likeness``: share of dialogues whose user side was judged human
    """
    metrics: list[Metric[Any]] = []
    goal = _ok(verdicts, ids, "goal_completion")
    if goal:
        metrics.append(ratio_metric("goal_completion", [(r.score or 0.0, 1) for r in goal]))
        metrics.append(ratio_metric("goal_met_share", [(1 if r.label == "met" else 0, 1) for r in goal]))
    persona = _ok(verdicts, ids, "persona_fidelity")
    if persona:
        metrics.append(ratio_metric("persona_fidelity", [(r.score or 0.0, 1) for r in persona]))
        flagged = [r.extra.get("announced") for r in persona if r.extra.get("announced") is not None]
        if flagged:
            metrics.append(ratio_metric("persona_announced_share", [(1 if f else 0, 1) for f in flagged]))
    human = _ok(verdicts, ids, "human_likeness")
    if human:
        metrics.append(ratio_metric("human_likeness", [(r.score or 0.0, 1) for r in human]))
    return metrics


def share_metric(name: str, results: Sequence[JudgeResult], unit: str = "dialogues") -> Metric[Any]:
    """Mean score of ``ok`` verdicts (a share for 0/1 scores), e.g. the paired test or calibration."""
    return ratio_metric(name, [(r.score or 0.0, 1) for r in results if r.status == "ok"], unit=unit)


def judge_summary(results: Sequence[JudgeResult]) -> dict[str, Any]:
    """Counts by status and by label, mean attempts, and the first error or unparseable reply."""
    statuses = Counter(result.status for result in results)
    labels = Counter(result.label for result in results if result.status == "ok" and result.label)
    problem = next((result for result in results if result.status in ("error", "unparseable")), None)
    return {
        "verdicts": len(results),
        "status": dict(sorted(statuses.items())),
        "labels": dict(sorted(labels.items())),
        "mean_attempts": round(sum(r.attempts for r in results) / len(results), 3) if results else None,
        "first_problem": (problem.rationale + (f" | last reply: {problem.raw[:200]}" if problem.raw else ""))
        if problem
        else None,
    }

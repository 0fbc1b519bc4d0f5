"""Names, kinds and one-line definitions of the metrics, for the report and the command's summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["share", "number", "score5"]


@dataclass(frozen=True)
class MetricInfo:
    label: str
    kind: Kind
    definition: str


METRICS: dict[str, MetricInfo] = {
    "turns_per_dialogue": MetricInfo(
        "Turns per dialogue", "number", "User messages per dialogue (the paper's simulated dialogues: 5.30)."
    ),
    "user_message_words": MetricInfo("User message length", "number", "Mean words per user message."),
    "user_message_words_median": MetricInfo(
        "User message length (median)", "number", "Median words per user message."
    ),
    "question_share": MetricInfo("Questions", "share", "Share of user messages with a question mark."),
    "distinct_1": MetricInfo("distinct-1", "share", "Distinct words / all words of the user side (pooled)."),
    "distinct_2": MetricInfo(
        "distinct-2", "share", "Distinct word pairs / all word pairs (within messages)."
    ),
    "mtld": MetricInfo(
        "MTLD", "number", "Lexical diversity robust to length: mean run of words keeping TTR above 0.72."
    ),
    "kept_share": MetricInfo("Kept by the filters", "share", "Share of dialogues the quality filters kept."),
    "near_duplicate_share": MetricInfo(
        "Near-duplicates", "share", "Share of dialogues whose user side nearly copies another's."
    ),
    "goal_completion": MetricInfo(
        "Goal completion", "share", "Judge: met 1, partially met 0.5, not met 0, averaged over dialogues."
    ),
    "goal_met_share": MetricInfo(
        "Goal fully met", "share", "Judge: share of dialogues whose goal was fully met."
    ),
    "persona_fidelity": MetricInfo(
        "Persona fidelity",
        "score5",
        "Judge: 1-5, does the user's writing fit the persona without announcing it.",
    ),
    "persona_announced_share": MetricInfo(
        "Announces persona", "share", "Judge: share of dialogues where the user states their own attributes."
    ),
    "human_likeness": MetricInfo(
        "Judged human", "share", "Judge: share of simulated dialogues whose user side it takes for a human."
    ),
    "human_likeness_reference": MetricInfo(
        "Real judged human", "share", "The same judge on real dialogues: how often it recognises a real user."
    ),
    "human_likeness_paired": MetricInfo(
        "Paired: simulated picked",
        "share",
        "Real and simulated side by side: share of pairs where the judge "
        "took the simulated user for the human (50% = indistinguishable).",
    ),
    "stop_precision": MetricInfo(
        "Stop precision", "share", "Of the inquirer's end decisions, the share that are right."
    ),
    "stop_recall": MetricInfo(
        "Stop recall", "share", "Of the points where ending is right, the share it ends at."
    ),
    "stop_f1": MetricInfo("Stop F1", "share", "Harmonic mean of stop precision and recall."),
    "agent_checks_passed": MetricInfo(
        "Agent checks passed", "share", "Share of dialogues whose declared checks (goal 'expect') all pass."
    ),
    "stop_right_time": MetricInfo(
        "Stops at the right time", "share", "Labelled dialogues whose first end is right."
    ),
    "stop_too_early": MetricInfo(
        "Stops too early", "share", "Labelled dialogues where it ends before it should."
    ),
    "stop_too_late": MetricInfo(
        "Stops too late", "share", "Labelled dialogues where it ends late, or never."
    ),
    "goal_check_precision": MetricInfo(
        "Goal check precision",
        "share",
        "Of the labelled endings the goal check verifies, the share whose goal was really met.",
    ),
    "goal_check_recall": MetricInfo(
        "Goal check recall", "share", "Of the labelled endings whose goal was met, the share it verifies."
    ),
}


def info(name: str) -> MetricInfo:
    """The metric's description; ``termination:X``, ``filter:X`` and ``check:X`` are generated per value."""
    if name in METRICS:
        return METRICS[name]
    kind, _, value = name.partition(":")
    if kind == "termination":
        return MetricInfo(
            f"Ended as {value}", "share", f"Share of dialogues whose termination reason is {value}."
        )
    if kind == "filter":
        return MetricInfo(f"Filter {value}", "share", f"Share of dialogues the {value} filter flagged.")
    if kind == "check":
        return MetricInfo(f"Check {value}", "share", f"Share of dialogues declaring {value} that pass it.")
    return MetricInfo(name, "number", "")


def format_value(name: str, value: float | None, *, delta: bool = False) -> str:
    """A value as the report shows it: shares in percent, others with up to three significant digits."""
    if value is None:
        return "–"
    sign = "+" if delta and value > 0 else ""
    if info(name).kind == "share":
        return f"{sign}{value * 100:.1f}{' pp' if delta else '%'}"
    if abs(value) >= 100:
        return f"{sign}{value:.0f}"
    return f"{sign}{value:.2f}"

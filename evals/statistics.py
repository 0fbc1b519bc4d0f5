"""Statistics of a set of dialogues that need no model: how long, how varied, how they ended.

The paper compares simulated and real users on exactly such numbers (its simulated dialogues
averaged 5.30 turns); here each one is a :class:`~evals.bootstrap.Metric` so that it gets a
confidence interval, can be compared between two runs, and can be broken down by persona attribute.

A *turn* is one user message (with the reply it gets); message lengths are in tokens of
:func:`evals.lexical.tokenize` (words, without punctuation).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from llm_roleplay.evals.bootstrap import (
    BootstrapSettings,
    Estimate,
    Metric,
    estimate,
    median_metric,
    ratio_metric,
)
from llm_roleplay.evals.lexical import mtld_factors, ngrams, pooled_mtld, tokenize

USER_SIDE_METRICS = (
    "turns_per_dialogue",
    "user_message_words",
    "user_message_words_median",
    "question_share",
    "distinct_1",
    "distinct_2",
    "mtld",
)


@dataclass(frozen=True)
class DialogueFeatures:
    """What the statistics need from one dialogue, computed once."""

    id: str
    attributes: Mapping[str, str]
    user_tokens: tuple[tuple[str, ...], ...]  # one tuple of tokens per user message
    questions: int  # user messages containing a question mark
    termination_reason: str | None
    kept: bool | None
    filter_reasons: tuple[str, ...]
    near_duplicate: bool

    @property
    def user_turns(self) -> int:
        return len(self.user_tokens)

    @property
    def lengths(self) -> tuple[int, ...]:
        return tuple(len(tokens) for tokens in self.user_tokens)


def user_messages(record: Mapping[str, Any]) -> list[str]:
    return [
        str(message.get("content") or "")
        for message in record.get("messages") or []
        if message.get("role") == "user"
    ]


def persona_attributes(record: Mapping[str, Any]) -> dict[str, str]:
    persona = record.get("persona")
    attributes = persona.get("attributes") if isinstance(persona, Mapping) else None
    if not isinstance(attributes, Mapping):
        return {}
    return {str(name): str(value) for name, value in attributes.items() if value is not None}


def features(record: Mapping[str, Any]) -> DialogueFeatures:
    texts = user_messages(record)
    verdict = record.get("filter")
    return DialogueFeatures(
        id=str(record.get("id", "")),
        attributes=persona_attributes(record),
        user_tokens=tuple(tuple(tokenize(text)) for text in texts),
        questions=sum(1 for text in texts if "?" in text),
        termination_reason=record.get("termination_reason"),
        kept=verdict.get("keep") if isinstance(verdict, Mapping) else None,
        filter_reasons=tuple(verdict.get("reasons") or []) if isinstance(verdict, Mapping) else (),
        near_duplicate=bool(record.get("near_duplicate_of")),
    )


# Metrics -----------------------------------------------------------------------------------------


def _distinct_metric(name: str, rows: Sequence[DialogueFeatures], n: int) -> Metric[tuple[int, int]]:
    """distinct-n pooled over dialogues. A unit is ``(types bitmask, n-gram count)``: the bits of the
    n-gram types a dialogue uses, so a resample's distinct types are one OR and a popcount, not a
    set union (about twenty times faster, and the bootstrap runs it a thousand times per group)."""
    vocabulary: dict[tuple[str, ...], int] = {}
    units = []
    for row in rows:
        grams = [gram for tokens in row.user_tokens for gram in ngrams(tokens, n)]
        mask = 0
        for gram in set(grams):
            mask |= 1 << vocabulary.setdefault(gram, len(vocabulary))
        units.append((mask, len(grams)))

    def statistic(sample: Sequence[tuple[int, int]]) -> float | None:
        total = sum(unit[1] for unit in sample)
        return reduce(or_, (unit[0] for unit in sample), 0).bit_count() / total if total else None

    return Metric(
        name=name,
        units=units,
        statistic=statistic,
        count=lambda sample: sum(unit[1] for unit in sample),
        unit=f"{n}-grams",
    )


def _mtld_metric(rows: Sequence[DialogueFeatures]) -> Metric[tuple[int, float, float]]:
    """MTLD pooled over dialogues, each user side its own text (see :func:`evals.lexical.pooled_mtld`)."""
    units = []
    for row in rows:
        tokens = [token for message in row.user_tokens for token in message]
        units.append((len(tokens), *mtld_factors(tokens)))
    return Metric(
        name="mtld",
        units=units,
        statistic=pooled_mtld,
        count=lambda sample: sum(unit[0] for unit in sample),
        unit="tokens",
    )


def user_side_metrics(
    rows: Sequence[DialogueFeatures], *, distinct: bool = True, lexical: bool = True
) -> list[Metric[Any]]:
    """Metrics of the user side alone: the ones a reference set of real dialogues also has.

    ``distinct=False`` leaves out distinct-n: it falls as a corpus grows, so it compares only
    corpora of similar size (not persona groups of different sizes). ``lexical=False`` also
    leaves out MTLD, the most expensive statistic to bootstrap.
    """
    metrics: list[Metric[Any]] = [
        ratio_metric("turns_per_dialogue", [(row.user_turns, 1) for row in rows]),
        ratio_metric(
            "user_message_words", [(sum(row.lengths), row.user_turns) for row in rows], unit="messages"
        ),
        median_metric("user_message_words_median", [row.lengths for row in rows], unit="messages"),
        ratio_metric("question_share", [(row.questions, row.user_turns) for row in rows], unit="messages"),
    ]
    if lexical and distinct:
        metrics += [_distinct_metric("distinct_1", rows, 1), _distinct_metric("distinct_2", rows, 2)]
    if lexical:
        metrics.append(_mtld_metric(rows))
    return metrics


def kept_share_metric(rows: Sequence[DialogueFeatures]) -> Metric[Any]:
    """Share of dialogues the quality filters kept."""
    return ratio_metric("kept_share", [(1 if row.kept else 0, 1) for row in rows])


def outcome_metrics(rows: Sequence[DialogueFeatures]) -> list[Metric[Any]]:
    """How dialogues ended and what the filters kept: shares of dialogues, one metric per value."""
    metrics: list[Metric[Any]] = [
        kept_share_metric(rows),
        ratio_metric("near_duplicate_share", [(1 if row.near_duplicate else 0, 1) for row in rows]),
    ]
    reasons = sorted({row.termination_reason for row in rows if row.termination_reason})
    for reason in reasons:
        metrics.append(
            ratio_metric(
                f"termination:{reason}", [(1 if row.termination_reason == reason else 0, 1) for row in rows]
            )
        )
    for name in sorted({name for row in rows for name in row.filter_reasons}):
        metrics.append(
            ratio_metric(f"filter:{name}", [(1 if name in row.filter_reasons else 0, 1) for row in rows])
        )
    return metrics


def estimates(metrics: Sequence[Metric[Any]], settings: BootstrapSettings) -> dict[str, Estimate]:
    return {metric.name: estimate(metric, settings) for metric in metrics}


def by_attribute(
    rows: Sequence[DialogueFeatures],
    build: Callable[[Sequence[DialogueFeatures]], Sequence[Metric[Any]]],
    settings: BootstrapSettings,
) -> dict[str, dict[str, dict[str, Any]]]:
    """``{attribute: {value: {"dialogues": n, "metrics": {name: Estimate}}}}`` over persona attributes.

    Dialogues without an attribute (a persona given as plain text) are in no group of it.
    """
    groups: dict[str, dict[str, list[DialogueFeatures]]] = {}
    for row in rows:
        for name, value in row.attributes.items():
            groups.setdefault(name, {}).setdefault(value, []).append(row)
    return {
        name: {
            value: {"dialogues": len(members), "metrics": estimates(build(members), settings)}
            for value, members in sorted(values.items())
        }
        for name, values in sorted(groups.items())
    }


# Descriptive tables (for plots; counts need no interval) ----------------------------------------


def turn_histogram(rows: Sequence[DialogueFeatures]) -> dict[int, int]:
    counts = Counter(row.user_turns for row in rows)
    return {turns: counts.get(turns, 0) for turns in range(0, max(counts, default=0) + 1)}


def message_lengths(rows: Sequence[DialogueFeatures]) -> list[int]:
    return [length for row in rows for length in row.lengths]


def length_histogram(
    rows: Sequence[DialogueFeatures], reference: Sequence[DialogueFeatures] | None = None, bins: int = 12
) -> dict[str, Any]:
    """User message lengths binned on shared edges, as shares, for simulated (and reference) users.

    Bins are equal-width from the shortest message up to the 95th percentile of both series
    together; the last bin is open-ended, so one very long message does not squash the plot.
    """
    simulated = message_lengths(rows)
    real = message_lengths(reference) if reference else []
    pooled = sorted(simulated + real)
    low = pooled[0] if pooled else 0
    top = pooled[int(0.95 * (len(pooled) - 1))] if pooled else 0
    width = max(1, -(-(top + 1 - low) // bins))  # ceil
    start = low // width * width
    edges = [start + i * width for i in range(bins + 1)]

    def shares(values: list[int]) -> list[float]:
        counts = [0] * bins
        for value in values:
            counts[min((value - start) // width, bins - 1)] += 1
        return [round(count / len(values), 6) if values else 0.0 for count in counts]

    return {
        "edges": edges,
        "open_ended": True,
        "simulated": shares(simulated),
        "simulated_n": len(simulated),
        "reference": shares(real) if reference else None,
        "reference_n": len(real) if reference else None,
    }


def termination_counts(rows: Sequence[DialogueFeatures]) -> dict[str, int]:
    counts = Counter(row.termination_reason or "unknown" for row in rows)
    return dict(counts.most_common())


def filter_funnel(rows: Sequence[DialogueFeatures]) -> dict[str, Any]:
    """Finished -> kept by the filters -> kept and not a near-duplicate, with the drop reasons."""
    kept = [row for row in rows if row.kept]
    reasons = Counter(name for row in rows if not row.kept for name in row.filter_reasons)
    return {
        "finished": len(rows),
        "kept": len(kept),
        "kept_unique": sum(1 for row in kept if not row.near_duplicate),
        "dropped_by_reason": dict(reasons.most_common()),
    }


def persona_distribution(rows: Sequence[DialogueFeatures]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        for name, value in row.attributes.items():
            counts.setdefault(name, Counter())[value] += 1
    return {name: dict(sorted(values.items())) for name, values in sorted(counts.items())}

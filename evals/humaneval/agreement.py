"""Chance-corrected agreement (Cohen's and Fleiss' kappa) and the Wilson interval of a share.

Raw agreement flatters: two annotators who both answer "model" 90% of the time agree on 82% of
items by chance alone. Kappa is ``(observed - expected) / (1 - expected)``, 0 for chance level and
1 for perfect agreement; it is undefined (None here) when chance agreement is already perfect,
e.g. when both annotators gave one and the same label to every item.

- Cohen's kappa (Cohen, 1960): two raters over the same items; expected agreement from each
  rater's own label distribution.
- Fleiss' kappa (Fleiss, 1971): any number of raters, the same number for every item (raters need
  not be the same people); expected agreement from the pooled label distribution. Items rated by
  fewer raters than the rest must be left out by the caller.

The Wilson score interval is used for shares because it stays inside [0, 1] and keeps a sensible
width at 0/n and n/n, where the normal approximation collapses to a point.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
Z_95 = 1.959963984540054  # two-sided 95% quantile of the standard normal


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters' labels of the same items, in the same order."""
    if len(first) != len(second):
        raise ValueError("both raters must label the same items")
    n = len(first)
    if n == 0:
        return None
    observed = sum(1 for a, b in zip(first, second, strict=True) if a == b) / n
    counts_first, counts_second = Counter(first), Counter(second)
    expected = sum(counts_first[label] * counts_second[label] for label in counts_first) / (n * n)
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1.0 - expected)


def fleiss_kappa(table: Sequence[Mapping[K, int]]) -> float | None:
    """Fleiss' kappa of a table: one row per item, mapping category -> number of raters who chose it.

    Every row must have the same total (the number of raters per item), at least 2.
    """
    if not table:
        return None
    raters = sum(table[0].values())
    if raters < 2:
        return None
    if any(sum(row.values()) != raters for row in table):
        raise ValueError("every item needs the same number of ratings")
    items = len(table)
    agreement = [
        (sum(count * count for count in row.values()) - raters) / (raters * (raters - 1)) for row in table
    ]
    observed = sum(agreement) / items
    totals: Counter[K] = Counter()
    for row in table:
        totals.update(row)
    expected = sum((total / (items * raters)) ** 2 for total in totals.values())
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1.0 - expected)


def fleiss_table(ratings: Sequence[Sequence[K]]) -> list[Counter[K]]:
    """Per-item label lists (one label per rater) as Fleiss' count table."""
    return [Counter(labels) for labels in ratings]


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes / trials``; None for no trials."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half_width), min(1.0, centre + half_width)


def majority(labels: Sequence[Hashable]) -> Hashable | None:
    """The label most raters chose; None on a tie (or no labels)."""
    ranked = Counter(labels).most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]

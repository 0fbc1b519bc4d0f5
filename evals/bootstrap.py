"""Seeded percentile-bootstrap confidence intervals, for one run and for the difference of two.

Every metric is computed from *units* — one per dialogue (or per labelled dialogue, or per pair) —
and the bootstrap resamples those units with replacement. Resampling whole dialogues rather than
messages keeps the messages of one dialogue together (a cluster bootstrap): a chatty persona
writes many similar messages, and treating them as independent would make intervals too narrow.

The random stream of each metric is seeded from the run seed and the metric's name, so a metric's
interval is the same whatever other metrics are computed beside it, and reruns are identical.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

U = TypeVar("U")

DEFAULT_RESAMPLES = 1000
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class BootstrapSettings:
    resamples: int = DEFAULT_RESAMPLES
    confidence: float = DEFAULT_CONFIDENCE
    seed: int = 0


@dataclass(frozen=True)
class Metric(Generic[U]):
    """A statistic over per-dialogue units.

    ``statistic`` maps any multiset of units to a value (None when undefined, e.g. a share of
    nothing); ``count`` says how many observations that value rests on (its ``n``: dialogues,
    messages or tokens, as ``unit`` names).
    """

    name: str
    units: Sequence[U]
    statistic: Callable[[Sequence[U]], float | None]
    count: Callable[[Sequence[U]], int]
    unit: str = "dialogues"


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its percentile-bootstrap interval; ``ci`` is None when undefined."""

    value: float | None
    n: int
    unit: str
    ci: tuple[float, float] | None
    dialogues: int

    def to_json(self) -> dict[str, Any]:
        return {
            "value": _round(self.value),
            "n": self.n,
            "unit": self.unit,
            "ci": [_round(self.ci[0]), _round(self.ci[1])] if self.ci else None,
            "dialogues": self.dialogues,
        }


@dataclass(frozen=True)
class Difference:
    """``value_a - value_b`` with its interval (units of the two runs resampled independently)."""

    a: Estimate
    b: Estimate
    delta: float | None
    ci: tuple[float, float] | None

    @property
    def significant(self) -> bool:
        """The interval excludes zero."""
        return self.ci is not None and (self.ci[0] > 0 or self.ci[1] < 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "delta": _round(self.delta),
            "ci": [_round(self.ci[0]), _round(self.ci[1])] if self.ci else None,
            "significant": self.significant,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def metric_seed(seed: int, name: str) -> int:
    """A per-metric seed, stable across processes (``hash()`` of a str is not)."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in [0, 1]) of already sorted values."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    fraction = position - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction


def _interval(values: list[float], confidence: float) -> tuple[float, float] | None:
    if not values:
        return None
    values.sort()
    tail = (1.0 - confidence) / 2
    return percentile(values, tail), percentile(values, 1.0 - tail)


def _resample(units: Sequence[U], rng: random.Random) -> list[U]:
    return rng.choices(units, k=len(units))


def estimate(metric: Metric[U], settings: BootstrapSettings) -> Estimate:
    """The metric on all units, and the percentile interval of ``settings.resamples`` resamples.

    Resamples on which the statistic is undefined are left out; with fewer than two units there
    is nothing to resample and the interval is None.
    """
    value = metric.statistic(metric.units)
    ci = None
    if value is not None and len(metric.units) >= 2:
        rng = random.Random(metric_seed(settings.seed, metric.name))
        draws = []
        for _ in range(settings.resamples):
            drawn = metric.statistic(_resample(metric.units, rng))
            if drawn is not None:
                draws.append(drawn)
        ci = _interval(draws, settings.confidence)
    return Estimate(
        value=value, n=metric.count(metric.units), unit=metric.unit, ci=ci, dialogues=len(metric.units)
    )


def difference(a: Metric[U], b: Metric[U], settings: BootstrapSettings) -> Difference:
    """The difference of one metric between two runs, with a two-sample bootstrap interval."""
    estimate_a, estimate_b = estimate(a, settings), estimate(b, settings)
    delta = None
    if estimate_a.value is not None and estimate_b.value is not None:
        delta = estimate_a.value - estimate_b.value
    ci = None
    if delta is not None and len(a.units) >= 2 and len(b.units) >= 2:
        rng = random.Random(metric_seed(settings.seed, f"difference:{a.name}"))
        draws = []
        for _ in range(settings.resamples):
            drawn_a = a.statistic(_resample(a.units, rng))
            drawn_b = b.statistic(_resample(b.units, rng))
            if drawn_a is not None and drawn_b is not None:
                draws.append(drawn_a - drawn_b)
        ci = _interval(draws, settings.confidence)
    return Difference(a=estimate_a, b=estimate_b, delta=delta, ci=ci)


# Common statistics over units ------------------------------------------------------------------


def ratio_metric(name: str, pairs: Sequence[tuple[float, float]], unit: str = "dialogues") -> Metric[Any]:
    """Σ numerator / Σ denominator over per-dialogue ``(numerator, denominator)`` pairs.

    A per-dialogue mean is ``(value, 1)``; a per-message mean is ``(sum over its messages, its
    message count)``; a share is ``(hits, trials)``. ``n`` is Σ denominator.
    """

    def statistic(units: Sequence[tuple[float, float]]) -> float | None:
        denominator = sum(unit_[1] for unit_ in units)
        return sum(unit_[0] for unit_ in units) / denominator if denominator else None

    def count(units: Sequence[tuple[float, float]]) -> int:
        return int(sum(unit_[1] for unit_ in units))

    return Metric(name=name, units=list(pairs), statistic=statistic, count=count, unit=unit)


def median_metric(name: str, values_per_dialogue: Sequence[Sequence[float]], unit: str) -> Metric[Any]:
    """The median of all values (e.g. message lengths), resampling dialogues as clusters."""

    def statistic(units: Sequence[Sequence[float]]) -> float | None:
        values = sorted(value for values in units for value in values)
        return percentile(values, 0.5) if values else None

    def count(units: Sequence[Sequence[float]]) -> int:
        return sum(len(values) for values in units)

    return Metric(
        name=name, units=[tuple(v) for v in values_per_dialogue], statistic=statistic, count=count, unit=unit
    )

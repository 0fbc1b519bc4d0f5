"""Bootstrap intervals: they contain the estimate, are seeded, and behave as intervals should."""

from __future__ import annotations

import random

import pytest

from llm_roleplay.evals.bootstrap import (
    BootstrapSettings,
    difference,
    estimate,
    median_metric,
    percentile,
    ratio_metric,
)

SETTINGS = BootstrapSettings(resamples=1000, seed=7)


def _noisy(count: int, mean: float, seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    return [(rng.gauss(mean, 1.0), 1) for _ in range(count)]


def test_percentile_interpolates_linearly() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.0) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 1.0) == 4.0
    assert percentile([10.0, 20.0], 0.25) == 12.5


def test_ratio_metric_is_sum_over_sum_with_n_the_denominator() -> None:
    # two dialogues: 3 messages of 10 words in all, 1 message of 2 words -> (30 + 2) / 4 = 8 words per message
    result = estimate(ratio_metric("words", [(30, 3), (2, 1)], unit="messages"), SETTINGS)
    assert result.value == 8.0
    assert result.n == 4 and result.dialogues == 2 and result.unit == "messages"


def test_interval_contains_the_estimate_and_is_seed_reproducible() -> None:
    metric = ratio_metric("m", _noisy(60, 5.0, seed=1))
    first = estimate(metric, SETTINGS)
    again = estimate(metric, SETTINGS)
    other_seed = estimate(metric, BootstrapSettings(resamples=1000, seed=8))
    assert first.ci is not None and first.value is not None
    assert first.ci[0] < first.value < first.ci[1]
    assert first == again  # same seed, same interval, to the last digit
    assert other_seed.ci != first.ci  # the seed is really used
    # a 95% interval of a mean of 60 unit-variance values is about ±1.96/sqrt(60) = ±0.25 wide
    assert 0.35 < first.ci[1] - first.ci[0] < 0.65


def test_interval_narrows_with_more_dialogues() -> None:
    small = estimate(ratio_metric("m", _noisy(20, 0.0, seed=2)), SETTINGS)
    large = estimate(ratio_metric("m", _noisy(500, 0.0, seed=2)), SETTINGS)
    assert small.ci and large.ci
    assert (large.ci[1] - large.ci[0]) < (small.ci[1] - small.ci[0]) / 3


def test_a_metric_interval_does_not_depend_on_its_neighbours() -> None:
    units = _noisy(30, 1.0, seed=3)
    alone = estimate(ratio_metric("turns", units), SETTINGS)
    estimate(ratio_metric("other", _noisy(30, 9.0, seed=4)), SETTINGS)  # computed in between
    assert estimate(ratio_metric("turns", units), SETTINGS) == alone


def test_undefined_values_and_tiny_samples_have_no_interval() -> None:
    assert estimate(ratio_metric("empty", [(0, 0), (0, 0)]), SETTINGS).value is None
    single = estimate(ratio_metric("one", [(3, 1)]), SETTINGS)
    assert single.value == 3.0 and single.ci is None
    constant = estimate(ratio_metric("constant", [(1, 1)] * 10), SETTINGS)
    assert constant.ci == (1.0, 1.0)


def test_median_metric_resamples_dialogues_as_clusters() -> None:
    metric = median_metric("median", [[1, 2, 3], [10], [4, 5]], unit="messages")
    result = estimate(metric, SETTINGS)
    assert result.value == 3.5  # median of 1 2 3 4 5 10: (3 + 4) / 2
    assert result.n == 6 and result.dialogues == 3
    assert result.ci is not None and result.ci[0] <= 3.5 <= result.ci[1]


def test_difference_of_two_runs() -> None:
    higher = ratio_metric("m", _noisy(80, 1.0, seed=5))
    lower = ratio_metric("m", _noisy(80, 0.0, seed=6))
    result = difference(higher, lower, SETTINGS)
    assert result.delta == pytest.approx(result.a.value - result.b.value)  # type: ignore[operator]
    assert result.ci is not None and result.ci[0] < result.delta < result.ci[1]  # type: ignore[operator]
    assert result.significant and result.ci[0] > 0
    same = difference(higher, higher, SETTINGS)
    assert same.delta == 0.0 and same.ci is not None and same.ci[0] < 0 < same.ci[1]
    assert not same.significant
    assert difference(higher, lower, SETTINGS) == result  # seeded
    data = result.to_json()
    assert set(data) == {"a", "b", "delta", "ci", "significant"} and data["a"]["n"] == 80

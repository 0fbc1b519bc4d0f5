"""Kappas and the Wilson interval against values worked out by hand and published examples."""

from __future__ import annotations

import pytest

from llm_roleplay.evals.humaneval.agreement import (
    cohen_kappa,
    fleiss_kappa,
    fleiss_table,
    majority,
    wilson_interval,
)


def test_cohen_kappa_worked_by_hand() -> None:
    # 8 items. A says human 5 times, B 3 times; they agree on 6.
    a = ["h", "h", "m", "m", "h", "h", "h", "m"]
    b = ["h", "m", "m", "m", "h", "h", "m", "m"]
    observed = 6 / 8
    expected = (5 / 8) * (3 / 8) + (3 / 8) * (5 / 8)  # = 30/64
    assert cohen_kappa(a, b) == pytest.approx((observed - expected) / (1 - expected))
    assert cohen_kappa(a, b) == pytest.approx(9 / 17)


def test_cohen_kappa_textbook_example() -> None:
    # 50 proposals: both yes 20, A yes B no 5, A no B yes 10, both no 15 -> po 0.7, pe 0.5, kappa 0.4.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_edges() -> None:
    assert cohen_kappa(["h", "m"], ["h", "m"]) == pytest.approx(1.0)
    assert cohen_kappa(["h", "m"], ["m", "h"]) == pytest.approx(-1.0)
    assert cohen_kappa(["h", "h"], ["h", "h"]) is None  # chance agreement is already perfect
    assert cohen_kappa([], []) is None
    with pytest.raises(ValueError):
        cohen_kappa(["h"], ["h", "m"])


def test_fleiss_kappa_worked_by_hand() -> None:
    # 6 items, 3 raters: H/M counts per item.
    ratings = [
        ["h", "h", "h"],
        ["h", "m", "h"],
        ["m", "m", "h"],
        ["h", "h", "h"],
        ["h", "h", "m"],
        ["h", "m", "h"],
    ]
    per_item = [1, 1 / 3, 1 / 3, 1, 1 / 3, 1 / 3]  # (sum n_ij^2 - n) / (n (n - 1))
    observed = sum(per_item) / 6  # 5/9
    p_human, p_model = 13 / 18, 5 / 18
    expected = p_human**2 + p_model**2  # 97/162
    assert fleiss_kappa(fleiss_table(ratings)) == pytest.approx((observed - expected) / (1 - expected))
    assert fleiss_kappa(fleiss_table(ratings)) == pytest.approx(-7 / 65)


def test_fleiss_kappa_published_example() -> None:
    # The worked example of Wikipedia's "Fleiss' kappa" (10 subjects, 14 raters, 5 categories): 0.210.
    rows = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    table = [{category: count for category, count in enumerate(row)} for row in rows]
    assert fleiss_kappa(table) == pytest.approx(0.2099, abs=5e-4)


def test_fleiss_kappa_edges() -> None:
    assert fleiss_kappa(fleiss_table([["h", "h"], ["m", "m"]])) == pytest.approx(1.0)
    assert fleiss_kappa(fleiss_table([["h", "h"], ["h", "h"]])) is None
    assert fleiss_kappa([]) is None
    with pytest.raises(ValueError):
        fleiss_kappa(fleiss_table([["h", "h"], ["h"]]))


def test_wilson_interval_known_values() -> None:
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    low, high = wilson_interval(0, 10) or (None, None)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert wilson_interval(0, 0) is None


def test_majority_and_ties() -> None:
    assert majority(["h", "m", "h"]) == "h"
    assert majority(["h", "m"]) is None
    assert majority([]) is None

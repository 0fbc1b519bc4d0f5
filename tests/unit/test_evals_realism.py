"""The realism section: style statistics beside the reference's, and the classifier's AUC."""

from __future__ import annotations

import random
from typing import Any

import pytest

from llm_roleplay.evals.bootstrap import BootstrapSettings
from llm_roleplay.evals.realism import classifier_auc, realism_section, side_by_side, styled

SETTINGS = BootstrapSettings(resamples=200, seed=0)


def record(*user: str) -> dict[str, Any]:
    messages: list[dict[str, str]] = []
    for text in user:
        messages += [{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}]
    return {"messages": messages}


POLITE = [
    record("Could you please help me write an email to my landlord?", "Thank you! Could you make it firmer?")
    for _ in range(40)
]


def casual(rng: random.Random) -> dict[str, Any]:
    words = ["fix", "this", "code", "now", "make", "it", "shorter", "and", "add", "a", "title"]
    return record(*(" ".join(rng.sample(words, rng.randint(2, 6))) for _ in range(3)))


def test_statistics_by_position_side_by_side() -> None:
    rng = random.Random(0)
    rows = side_by_side(styled(POLITE), styled([casual(rng) for _ in range(40)]), SETTINGS)
    table = {(row["position"], row["statistic"]): row for row in rows}
    assert table[("first", "can_you_opening")]["simulated"]["value"] == 1.0
    assert table[("first", "can_you_opening")]["reference"]["value"] == 0.0
    assert table[("later", "thanks")]["simulated"]["value"] == 1.0
    assert table[("later", "lowercase_start")]["reference"]["value"] == 1.0
    assert table[("first", "median_words")]["simulated"]["value"] == 11
    assert table[("first", "please")]["gap"] == pytest.approx(1.0)


def test_reference_sets_keep_english_messages_only() -> None:
    rows = styled(
        [record("bonjour, comment trier une liste en python sans la fonction sort", "how do i sort")], True
    )
    assert len(rows) == 1 and len(rows[0].first) == 1 and not rows[0].later


def test_the_classifier_separates_what_differs_and_not_what_does_not() -> None:
    rng = random.Random(1)
    separable = classifier_auc(styled(POLITE), styled([casual(rng) for _ in range(60)]))
    assert separable["auc"] > 0.95
    same = classifier_auc(styled([casual(rng) for _ in range(60)]), styled([casual(rng) for _ in range(200)]))
    assert 0.3 < same["auc"] < 0.7
    assert same["reference_messages"] <= 4 * same["simulated_messages"]  # the reference is subsampled


def test_too_few_messages_give_a_reason_not_an_auc() -> None:
    result = classifier_auc(styled(POLITE[:1]), styled(POLITE[:1]))
    assert result["auc"] is None and "too few" in result["reason"]


def test_the_section_holds_both_views() -> None:
    rng = random.Random(2)
    section = realism_section(POLITE, [casual(rng) for _ in range(40)], SETTINGS)
    assert {"statistics", "classifier"} == set(section)
    assert section["classifier"]["strongest"]

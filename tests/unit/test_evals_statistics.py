"""Statistics of hand-made dialogues, checked against values computed by hand."""

from __future__ import annotations

import pytest

from llm_roleplay.evals.bootstrap import BootstrapSettings
from llm_roleplay.evals.lexical import mtld
from llm_roleplay.evals.statistics import (
    by_attribute,
    estimates,
    features,
    filter_funnel,
    length_histogram,
    outcome_metrics,
    persona_distribution,
    termination_counts,
    turn_histogram,
    user_side_metrics,
)
from tests.unit.test_evals_fixtures import make_record

SETTINGS = BootstrapSettings(resamples=200, seed=1)

# Dialogue 1: 2 user messages, 3 + 4 = 7 words, 1 question.
# Dialogue 2: 1 user message, 2 words, 1 question.
# Dialogue 3: 3 user messages, 1 + 1 + 2 = 4 words, no question.
ONE = make_record(
    "d1",
    ["How do I start?", "Thanks, what flour works?"],
    attributes={"age": "young", "native": "yes"},
)
TWO = make_record(
    "d2",
    ["Any tips?"],
    attributes={"age": "old", "native": "yes"},
    termination="max_turns",
    keep=False,
    reasons=["too_few_turns"],
)
THREE = make_record(
    "d3",
    ["ok", "ok", "thanks bye"],
    attributes={"age": "young", "native": "no"},
    termination="inquirer_gave_up",
    keep=False,
    reasons=["duplicate_turn", "too_few_turns"],
)
RECORDS = [ONE, TWO, THREE]


def test_features_of_one_record() -> None:
    row = features(ONE)
    assert row.user_turns == 2
    assert row.lengths == (4, 4)  # "how do i start" / "thanks what flour works"
    assert row.questions == 2
    assert row.attributes == {"age": "young", "native": "yes"}
    assert row.kept is True and row.termination_reason == "goal_verified"


def test_user_side_metrics_by_hand() -> None:
    rows = [features(record) for record in RECORDS]
    values = {name: estimate.value for name, estimate in estimates(user_side_metrics(rows), SETTINGS).items()}
    # turns 2, 1, 3 -> mean 2
    assert values["turns_per_dialogue"] == pytest.approx(2.0)
    # words 4 + 4 | 2 | 1 + 1 + 2 = 14 words over 6 messages
    assert values["user_message_words"] == pytest.approx(14 / 6)
    # lengths 1 1 2 2 4 4 -> median (2 + 2) / 2
    assert values["user_message_words_median"] == pytest.approx(2.0)
    # questions: 2 + 1 + 0 of 6 messages
    assert values["question_share"] == pytest.approx(3 / 6)
    # unigram types: how do i start thanks what flour works any tips ok bye = 12 of 14 tokens
    assert values["distinct_1"] == pytest.approx(12 / 14)
    # bigrams: 3 + 3 | 1 | 0 + 0 + 1 = 8, all distinct
    assert values["distinct_2"] == pytest.approx(8 / 8)
    # MTLD pooled over the three user sides, each its own text:
    #   d1 (8 new words) and d2 (2 new words): TTR stays 1 -> 0 factors either way
    #   d3 forward: ok 1/1, ok 1/2 -> factor, thanks 1/1, bye 2/2 -> 1 factor
    #   d3 backward: bye thanks ok 3/3, ok 3/4 = 0.75 -> partial (1 - 0.75) / 0.28
    #   pooled: 14 tokens; (14 / 1 + 14 / (0.25 / 0.28)) / 2
    assert values["mtld"] == pytest.approx((14 / 1 + 14 / (0.25 / 0.28)) / 2)
    # ... which is not the MTLD of the three user sides run together as one text
    assert values["mtld"] != pytest.approx(mtld([t for row in rows for m in row.user_tokens for t in m]))


def test_every_estimate_has_n_and_an_interval() -> None:
    rows = [features(record) for record in RECORDS]
    for name, estimate in estimates(user_side_metrics(rows) + outcome_metrics(rows), SETTINGS).items():
        assert estimate.n > 0, name
        assert estimate.ci is not None, name
        assert estimate.ci[0] <= estimate.value <= estimate.ci[1], name  # type: ignore[operator]
    counts = {name: e.n for name, e in estimates(user_side_metrics(rows), SETTINGS).items()}
    assert (
        counts["turns_per_dialogue"] == 3 and counts["user_message_words"] == 6 and counts["distinct_1"] == 14
    )


def test_outcome_metrics_by_hand() -> None:
    rows = [features(record) for record in RECORDS]
    values = {name: e.value for name, e in estimates(outcome_metrics(rows), SETTINGS).items()}
    assert values["kept_share"] == pytest.approx(1 / 3)
    assert values["termination:goal_verified"] == pytest.approx(1 / 3)
    assert values["termination:inquirer_gave_up"] == pytest.approx(1 / 3)
    assert values["filter:too_few_turns"] == pytest.approx(2 / 3)
    assert values["filter:duplicate_turn"] == pytest.approx(1 / 3)
    assert values["near_duplicate_share"] == 0.0


def test_breakdown_by_persona_attribute() -> None:
    rows = [features(record) for record in RECORDS]
    groups = by_attribute(rows, lambda members: user_side_metrics(members, lexical=False), SETTINGS)
    assert set(groups) == {"age", "native"}
    assert {value: group["dialogues"] for value, group in groups["age"].items()} == {"old": 1, "young": 2}
    young = groups["age"]["young"]["metrics"]
    assert young["turns_per_dialogue"].value == pytest.approx(2.5)  # dialogues 1 and 3: 2 and 3 turns
    assert young["user_message_words"].value == pytest.approx((8 + 4) / 5)
    assert groups["native"]["no"]["metrics"]["question_share"].value == 0.0


def test_descriptive_tables() -> None:
    rows = [features(record) for record in RECORDS]
    assert turn_histogram(rows) == {0: 0, 1: 1, 2: 1, 3: 1}
    assert termination_counts(rows) == {"goal_verified": 1, "max_turns": 1, "inquirer_gave_up": 1}
    assert filter_funnel(rows) == {
        "finished": 3,
        "kept": 1,
        "kept_unique": 1,
        "dropped_by_reason": {"too_few_turns": 2, "duplicate_turn": 1},
    }
    assert persona_distribution(rows) == {"age": {"old": 1, "young": 2}, "native": {"no": 1, "yes": 2}}


def test_length_histogram_uses_shared_edges_and_an_open_last_bin() -> None:
    simulated = [features(make_record("s", ["one two", "one two three four five six seven eight nine ten"]))]
    real = [features(make_record("r", ["a", "a b c", "a b c d e"]))]
    histogram = length_histogram(simulated, real, bins=4)
    # pooled lengths 1 2 3 5 10; 95th percentile 5 -> width ceil((5 + 1 - 1) / 4) = 2, edges from 0
    assert histogram["edges"] == [0, 2, 4, 6, 8]
    assert histogram["simulated"] == [0.0, 0.5, 0.0, 0.5]  # 2 -> [2, 4); 10 -> open last bin
    assert histogram["reference"] == pytest.approx([1 / 3, 1 / 3, 1 / 3, 0.0])  # 1, 3, 5
    assert histogram["simulated_n"] == 2 and histogram["reference_n"] == 3
    assert length_histogram(simulated)["reference"] is None

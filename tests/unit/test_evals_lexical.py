"""Lexical measures against values worked out by hand (the steps are written out in each test)."""

from __future__ import annotations

import pytest

from llm_roleplay.evals.lexical import distinct_n, mtld, mtld_factors, ngram_counts, pooled_mtld, tokenize


def test_tokenize_keeps_inner_apostrophes_and_drops_punctuation() -> None:
    assert tokenize("Don't panic, it’s 5 PM!") == ["don't", "panic", "it's", "5", "pm"]
    assert tokenize("well... ok?? (fine)") == ["well", "ok", "fine"]
    assert tokenize("") == []


def test_distinct_n_by_hand() -> None:
    messages = [tokenize("the cat sat"), tokenize("the cat ran")]
    # unigrams: the cat sat the cat ran -> 6 tokens, 4 types {the, cat, sat, ran}
    assert distinct_n(messages, 1) == pytest.approx(4 / 6)
    # bigrams: (the cat) (cat sat) | (the cat) (cat ran) -> 4, 3 distinct; never (sat the) across messages
    assert distinct_n(messages, 2) == pytest.approx(3 / 4)
    assert ("sat", "the") not in ngram_counts(messages, 2)
    assert distinct_n([tokenize("hello")], 2) is None  # no bigram at all


def test_mtld_by_hand() -> None:
    tokens = tokenize("a b a b c d c e")
    # forward, threshold 0.72 (types / tokens of the current segment):
    #   a 1/1, b 2/2, a 2/3 = 0.667 <= 0.72 -> factor 1, restart
    #   b 1/1, c 2/2, d 3/3, c 3/4 = 0.75, e 4/5 = 0.8 -> end; partial (1 - 0.8) / 0.28 = 5/7
    #   factors 12/7, MTLD 8 / (12/7) = 14/3
    # backward (e c d c b a b a):
    #   e 1/1, c 2/2, d 3/3, c 3/4, b 4/5, a 5/6, b 5/7 = 0.714 -> factor 1, restart
    #   a 1/1 -> end; TTR 1, partial 0; factors 1, MTLD 8
    forward, backward = mtld_factors(tokens)
    assert forward == pytest.approx(12 / 7)
    assert backward == pytest.approx(1.0)
    assert mtld(tokens) == pytest.approx((14 / 3 + 8) / 2)  # 19/3


def test_mtld_threshold_is_inclusive_and_exact() -> None:
    words = [f"w{i}" for i in range(1, 19)]
    tokens = words + ["w1"] * 7  # 25 tokens, 18 types: TTR exactly 18/25 = 0.72 at the last token
    forward, backward = mtld_factors(tokens)
    assert forward == 1.0  # one full factor, nothing left over
    # backward: w1 w1 -> 1/2 factor (three times, six w1s), then w1 w18 ... w2 (18 of 18), then w1:
    # 18/19 left over, partial (1 - 18/19) / 0.28
    assert backward == pytest.approx(3 + (1 / 19) / 0.28)
    assert mtld(tokens) == pytest.approx((25 / forward + 25 / backward) / 2)


def test_mtld_is_undefined_without_any_factor() -> None:
    assert mtld([]) is None
    assert mtld(tokenize("every word here is new")) is None  # TTR stays 1: unbounded diversity


def test_pooled_mtld_is_mtld_for_one_text_and_a_ratio_of_sums_for_several() -> None:
    tokens = tokenize("a b a b c d c e")
    assert pooled_mtld([(len(tokens), *mtld_factors(tokens))]) == pytest.approx(mtld(tokens))
    other = tokenize("x y x y")  # x y x (2/3) -> factor, then y 1/1 -> partial 0: 1 factor each way
    assert mtld_factors(other) == (1.0, 1.0)
    # two texts: forward 12 tokens / (12/7 + 1) factors, backward 12 / (1 + 1)
    pooled = pooled_mtld([(8, *mtld_factors(tokens)), (4, *mtld_factors(other))])
    assert pooled == pytest.approx((12 / (12 / 7 + 1) + 12 / 2) / 2)
    assert pooled_mtld([]) is None

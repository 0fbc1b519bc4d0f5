"""Lexical measures of the user side: tokens, distinct-n and MTLD.

They answer "does the simulated user write with a human's variety of words?" without any model,
so they are cheap enough to bootstrap and to break down by persona attribute.

- Tokens are lower-cased runs of letters and digits, keeping inner apostrophes ("don't" is one
  token); punctuation is dropped. The same tokenizer is used for message lengths.
- distinct-n (Li et al., 2016) is pooled over a corpus: distinct n-grams / all n-grams, with
  n-grams never crossing a message boundary.
- MTLD (McCarthy and Jarvis, 2010) is the mean length of a run of tokens whose type-token ratio
  stays above 0.72, averaged over a forward and a backward pass. Unlike the type-token ratio it
  does not fall just because a text is longer, so two runs with different message lengths compare.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from fractions import Fraction

MTLD_THRESHOLD = 0.72
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens: ``"Don't panic, it's 5 PM!"`` -> ``["don't", "panic", "it's", "5", "pm"]``."""
    return [token.replace("’", "'") for token in _TOKEN.findall(text.lower())]


def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    """The n-grams of one message, in order (none when the message is shorter than n)."""
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def ngram_counts(messages: Iterable[Sequence[str]], n: int) -> Counter[tuple[str, ...]]:
    """n-gram counts over tokenized messages; n-grams do not cross message boundaries."""
    counts: Counter[tuple[str, ...]] = Counter()
    for tokens in messages:
        counts.update(ngrams(tokens, n))
    return counts


def distinct_n(messages: Iterable[Sequence[str]], n: int) -> float | None:
    """Distinct n-grams / all n-grams over tokenized messages; None when there is no n-gram."""
    counts = ngram_counts(messages, n)
    total = sum(counts.values())
    return len(counts) / total if total else None


def _mtld_pass(tokens: Sequence[str], threshold: Fraction) -> float:
    """Factor count of one direction: full factors plus the partial factor of the remainder.

    The TTR test ``types / count <= threshold`` is done in integers (``types * q <= p * count``
    for ``threshold = p / q``): exact at the boundary, and about twice as fast as dividing.
    """
    p, q = threshold.numerator, threshold.denominator
    factors = 0
    types: set[str] = set()
    add = types.add
    count = 0
    for token in tokens:
        add(token)
        count += 1
        if len(types) * q <= p * count:
            factors += 1
            types = set()
            add = types.add
            count = 0
    # The remainder counts as the part of a factor its TTR drop covers (0 when it is empty).
    ttr = Fraction(len(types), count) if count else Fraction(1)
    return factors + float((1 - ttr) / (1 - threshold))


def mtld_factors(tokens: Sequence[str], threshold: float = MTLD_THRESHOLD) -> tuple[float, float]:
    """Forward and backward factor counts of one text (see :func:`mtld`)."""
    exact = Fraction(str(threshold))  # 0.72 -> 18/25, not the nearest binary fraction
    return _mtld_pass(tokens, exact), _mtld_pass(tokens[::-1], exact)


def mtld(tokens: Sequence[str], threshold: float = MTLD_THRESHOLD) -> float | None:
    """Measure of Textual Lexical Diversity, the mean of a forward and a backward pass.

    Each pass walks the tokens, keeping the type-token ratio (TTR) of the current segment; when it
    falls to ``threshold`` or below, a factor is complete and the segment restarts. The remainder
    adds ``(1 - TTR) / (1 - threshold)`` of a factor. A pass scores ``len(tokens) / factors``.
    A pass with no factor at all (an empty text, or one whose every token is new) is undefined:
    then None is returned, as the diversity is unbounded rather than some number.
    """
    return pooled_mtld([(len(tokens), *mtld_factors(tokens, threshold))])


def pooled_mtld(texts: Iterable[tuple[int, float, float]]) -> float | None:
    """MTLD of several texts from their ``(tokens, forward factors, backward factors)``.

    Factors never cross from one text into the next (one dialogue's user side is one text): each
    direction scores Σ tokens / Σ factors, and MTLD is the mean of the two. For a single text this
    is :func:`mtld`. Being a ratio of sums, it is cheap to bootstrap over dialogues, and it keeps
    within-dialogue diversity (MTLD) apart from diversity across dialogues (distinct-n).
    """
    tokens = forward = backward = 0.0
    for count, ahead, behind in texts:
        tokens += count
        forward += ahead
        backward += behind
    if forward <= 0 or backward <= 0:
        return None
    return (tokens / forward + tokens / backward) / 2

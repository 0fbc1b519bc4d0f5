"""Near-duplicate dialogues across a dataset, judged on the simulated user's side only.

The assistant side is left out on purpose: the chatbot is what the dataset measures, while a
simulated user who says (almost) the same things twice adds no new situation to it. Two dialogues
are near-duplicates when the Jaccard similarity of their user sides' word n-gram sets (shingles)
is at least ``threshold``.

Comparing every pair is quadratic, so candidates come from MinHash signatures and LSH banding, and
each candidate is then confirmed with the *exact* Jaccard of the two shingle sets: the threshold is
honoured exactly, and a pair below it is never reported. LSH may miss a pair whose similarity is
right at the threshold: the bands are sized so that this is under 1 in 100 in theory (measured: 1
to 3 in 100 for user sides of a few dozen words, whose few shingles make signatures noisier; none
for longer ones), and the chance falls fast above the threshold.

To stay fast in pure Python, a signature is a *one-permutation* MinHash (each shingle is hashed
once and lands in one of ``NUM_HASHES`` bins, the minimum per bin is kept) with optimal
densification for the bins a short text leaves empty (Shrivastava, ICML 2017): two bins agree
with probability equal to the Jaccard similarity, as with ``NUM_HASHES`` independent permutations,
at the cost of one hash per shingle instead of ``NUM_HASHES``.

Every hash is derived from blake2b with fixed keys, never from Python's salted ``hash()``, so the
result is the same in every process and on every machine.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from array import array
from collections.abc import Collection, Iterable, Mapping
from functools import cache
from typing import Any

from llm_roleplay.blocks.errors import ConfigError

DEFAULT_THRESHOLD = 0.8
DEFAULT_NGRAM = 3
NUM_HASHES = 128  # bins of the one-permutation signature; a power of two
MIN_RECALL = 0.99  # LSH: least probability that a pair exactly at the threshold becomes a candidate

_MASK64 = (1 << 64) - 1
_BIN_SHIFT = 64 - (NUM_HASHES.bit_length() - 1)  # a shingle hash's top bits pick its bin
_WORD = re.compile(r"\w+")
_WORD_CACHE_LIMIT = 1_000_000

_word_hashes: dict[str, int] = {}


def _blake64(text: str, person: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8, person=person).digest(), "big")


def _probe_order(slot: int) -> tuple[int, ...]:
    """A fixed pseudo-random order of all bins, the one in which empty bin ``slot`` looks for a value."""
    return tuple(
        sorted(range(NUM_HASHES), key=lambda other: _blake64(f"probe:{slot}:{other}", b"llmrp-probe"))
    )


_PROBES = tuple(_probe_order(slot) for slot in range(NUM_HASHES))


@cache
def _position_keys(ngram: int) -> tuple[int, ...]:
    """One fixed odd 64-bit multiplier per word position of an n-gram."""
    return tuple(_blake64(f"position:{index}", b"llmrp-position") | 1 for index in range(ngram))


def _word_hash_list(tokens: list[str]) -> list[int]:
    """blake2b hashes of ``tokens``; a process-wide cache makes repeated words one dict lookup."""
    try:
        return list(map(_word_hashes.__getitem__, tokens))
    except KeyError:
        pass
    hashes = []
    for word in tokens:
        value = _word_hashes.get(word)
        if value is None:
            value = _blake64(word, b"llmrp-word")
            if len(_word_hashes) < _WORD_CACHE_LIMIT:  # bounded against endless distinct tokens
                _word_hashes[word] = value
        hashes.append(value)
    return hashes


def user_side(record: Mapping[str, Any]) -> str:
    """The simulated user's messages of a dialogue record, joined by newlines."""
    return "\n".join(
        str(message.get("content", ""))
        for message in record.get("messages") or []
        if isinstance(message, Mapping) and message.get("role") == "user"
    )


def words(text: str) -> list[str]:
    """Lowercase words, after Unicode compatibility normalisation (so "ﬁle" and "file" agree)."""
    if not text.isascii():  # NFKC leaves ASCII as it is; skip its cost for the common case
        text = unicodedata.normalize("NFKC", text)
    return _WORD.findall(text.lower())


def shingles(text: str, ngram: int = DEFAULT_NGRAM) -> set[int]:
    """64-bit hashes of the word ``ngram``-grams of ``text``.

    A text shorter than ``ngram`` words is one shingle of all its words, so short user sides (a
    single "thanks!") still compare; a text without words has no shingles.

    An n-gram's hash is ``sum(word_hash[i] * key[i]) mod 2**64``: the word hashes are uniform
    (blake2b) and the keys odd, which makes it a multiply-shift universal hash whose top bits are
    well mixed. That is a few integer operations per shingle, run inside comprehensions, because
    a per-shingle function call (or hashlib call) would dominate the run time.
    """
    hashes = _word_hash_list(words(text))
    if not hashes:
        return set()
    width = min(ngram, len(hashes))
    keys = _position_keys(width)
    if width == 3:  # the default, in one pass
        first, second, third = keys
        return {
            (a * first + b * second + c * third) & _MASK64
            for a, b, c in zip(hashes, hashes[1:], hashes[2:], strict=False)
        }
    combined = [value * keys[0] for value in hashes[: len(hashes) - width + 1]]
    for position in range(1, width):
        key = keys[position]
        combined = [total + value * key for total, value in zip(combined, hashes[position:], strict=False)]
    return {value & _MASK64 for value in combined}


def signature(shingle_set: set[int]) -> list[int]:
    """One-permutation MinHash with optimal densification; ``NUM_HASHES`` values.

    The top bits of a shingle hash pick its bin and the whole hash is its rank, so the minimum of
    a bin is its smallest hash. An empty bin borrows the minimum of the first non-empty bin along
    its own fixed probe order (Shrivastava, ICML 2017). Two texts then agree on a bin with
    probability equal to their Jaccard similarity, and, unlike borrowing from a neighbour, the
    borrowed values of a sparse text are spread over its bins instead of repeated side by side.
    """
    # Assigned in descending order, the smallest hash of each bin is written last and stays.
    minima = {value >> _BIN_SHIFT: value for value in sorted(shingle_set, reverse=True)}
    if len(minima) == NUM_HASHES:
        return [minima[slot] for slot in range(NUM_HASHES)]
    filled = minima.__contains__
    # filter() with a C predicate: the probing runs without a Python-level loop per probe.
    return [
        minima[slot] if slot in minima else minima[next(filter(filled, probes))]
        for slot, probes in enumerate(_PROBES)
    ]


def band_layout(threshold: float, num_hashes: int = NUM_HASHES) -> tuple[int, int]:
    """(bands, rows): the most rows per band that still finds a pair at ``threshold`` with
    probability >= ``MIN_RECALL``. More rows mean fewer chance candidates to confirm."""
    best = (num_hashes, 1)
    for rows in range(1, num_hashes + 1):
        bands = num_hashes // rows
        if 1 - (1 - threshold**rows) ** bands >= MIN_RECALL:
            best = (bands, rows)
    return best


def jaccard(first: set[int], second: Collection[int]) -> float:
    """Jaccard similarity of two shingle sets; ``second`` may be any collection of distinct values."""
    if not first and not second:
        return 0.0
    common = len(first.intersection(second))
    return common / (len(first) + len(second) - common)


def find_near_duplicates(
    records: Iterable[Mapping[str, Any]],
    threshold: float = DEFAULT_THRESHOLD,
    ngram: int = DEFAULT_NGRAM,
) -> dict[str, str]:
    """Map each near-duplicate dialogue's id to the id of its canonical dialogue.

    Records are taken in input order. A dialogue whose user side is at least ``threshold``
    similar to an earlier *canonical* dialogue is a duplicate of the earliest such one; otherwise
    it is canonical itself. Comparing only with canonical dialogues (rather than merging chains
    of pairs) guarantees that every duplicate is within the threshold of the dialogue it points
    to, so dropping all duplicates never drops a dialogue unlike every kept one.

    Dialogues whose user side has no words are never duplicates (there is nothing to compare);
    a repeated id counts once, at its first occurrence.
    """
    if not 0 < threshold <= 1:
        raise ConfigError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
    if ngram < 1:
        raise ConfigError(f"near-duplicate n-gram size must be at least 1, got {ngram}")
    bands, rows = band_layout(threshold)
    buckets: dict[tuple[int, ...], list[int]] = {}  # (band, *values) -> canonical indices
    # Shingles of canonical dialogues, as 8-byte arrays: a set of Python ints would take about ten
    # times the memory (700 MB for 10,000 long dialogues), and only candidates are ever read.
    canonical: list[tuple[str, array[int]]] = []
    seen: set[str] = set()
    duplicates: dict[str, str] = {}
    for position, record in enumerate(records):
        if "id" not in record:
            raise ConfigError(f"dialogue record {position + 1} has no id")
        ident = str(record["id"])
        if ident in seen:
            continue
        seen.add(ident)
        shingle_set = shingles(user_side(record), ngram)
        if not shingle_set:
            continue
        values = signature(shingle_set)
        keys = [(band, *values[band * rows : (band + 1) * rows]) for band in range(bands)]
        candidates = sorted({index for key in keys for index in buckets.get(key, ())})
        size = len(shingle_set)
        for index in candidates:
            other_id, other = canonical[index]
            # Jaccard <= smaller/larger: skip pairs whose sizes alone rule them out.
            if min(size, len(other)) >= threshold * max(size, len(other)) and (
                jaccard(shingle_set, other) >= threshold
            ):
                duplicates[ident] = other_id
                break
        else:
            index = len(canonical)
            canonical.append((ident, array("Q", shingle_set)))
            for key in keys:
                buckets.setdefault(key, []).append(index)
    return duplicates


def mark_near_duplicates(
    records: Iterable[Mapping[str, Any]], duplicates: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Copies of ``records`` with ``near_duplicate_of`` set: the canonical id, or None."""
    return [{**record, "near_duplicate_of": duplicates.get(str(record.get("id")))} for record in records]


def is_kept_unique(record: Mapping[str, Any]) -> bool:
    """What ``--kept-only`` (export, eval) selects: *kept* by the filters (``filter.keep``) and not a
    near-duplicate of another dialogue (``near_duplicate_of``, from :func:`mark_near_duplicates`)."""
    verdict = record.get("filter") or {}
    return verdict.get("keep", True) is not False and not record.get("near_duplicate_of")

"""Near-duplicate dialogues: planted copies are found, distinct dialogues are not, the threshold is
exact, and the result is the same in every process."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from llm_roleplay import near_duplicates
from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.near_duplicates import (
    _PROBES,
    NUM_HASHES,
    band_layout,
    find_near_duplicates,
    jaccard,
    mark_near_duplicates,
    shingles,
    signature,
    user_side,
)

ROOT = Path(__file__).resolve().parents[2]

# Six user sides for one goal (reviving a sourdough starter): same topic, shared words, different
# situations. None of them should be a near-duplicate of another.
SOURDOUGH = [
    [
        "My sourdough starter stopped bubbling after I moved it into the fridge for a week.",
        "I feed it once a day with rye flour and tap water, is the chlorine a problem?",
        "How long should I wait before I give up and start a new one?",
    ],
    [
        "I'm a beginner and my sourdough starter smells like nail polish remover, is it ruined?",
        "It has a grey liquid on top every morning, should I pour it off or stir it back in?",
        "Thanks, I'll try feeding it twice a day.",
    ],
    [
        "Can I dry my sourdough starter to take it on a three month trip abroad?",
        "What is the best way to wake it up again when I come back home?",
    ],
    [
        "My bread comes out dense and flat even though my starter doubles in four hours.",
        "I use eighty percent hydration and bake at two hundred and thirty degrees in a dutch oven.",
        "Should I shape it tighter or proof it longer in the fridge overnight?",
    ],
    [
        "There is pink mould on my starter jar, can I scrape it off and keep going?",
        "Okay, how do I sterilise the jar before starting over?",
    ],
    [
        "How do I convert a recipe that uses commercial yeast to use my sourdough starter instead?",
        "The recipe calls for seven grams of instant yeast and five hundred grams of flour.",
        "Would whole wheat flour change the amount of starter I need?",
    ],
]

LONG_USER_SIDE = [
    "I run a small bakery in a mountain village and my sourdough starter has become sluggish since the "
    "weather turned cold, it takes almost twelve hours to double now instead of the usual five.",
    "We keep the kitchen at about sixteen degrees overnight and I feed the starter with equal weights of "
    "white flour and water every evening before I close the shop.",
    "I would like a feeding schedule that gets it ready by six in the morning without buying a proofing "
    "box, and I wonder whether adding a spoon of rye flour or using warmer water would help.",
]


def record(ident: str, user: list[str], assistant: list[str] | None = None) -> dict[str, Any]:
    """A dialogue record with alternating user and assistant messages, user first."""
    assistant = assistant if assistant is not None else [f"Reply {index}." for index in range(len(user))]
    messages: list[dict[str, Any]] = []
    for turn, text in enumerate(user, start=1):
        messages.append({"role": "user", "content": text, "turn": turn})
        if turn <= len(assistant):
            messages.append({"role": "assistant", "content": assistant[turn - 1], "turn": turn})
    return {"id": ident, "goal": "Revive a sourdough starter.", "messages": messages}


def one_word_changed(user: list[str], message: int, word: int, replacement: str) -> list[str]:
    changed = list(user)
    words = changed[message].split()
    words[word] = replacement
    changed[message] = " ".join(words)
    return changed


def similarity(first: list[str], second: list[str]) -> float:
    return jaccard(shingles("\n".join(first)), shingles("\n".join(second)))


# ---------------------------------------------------------------- detection


def test_a_planted_near_copy_is_found_and_points_to_the_original() -> None:
    copy = one_word_changed(LONG_USER_SIDE, message=1, word=5, replacement="fifteen")
    assert copy != LONG_USER_SIDE
    records = [record(f"d{index}", user) for index, user in enumerate(SOURDOUGH)]
    records.insert(2, record("original", LONG_USER_SIDE))
    records.append(record("copy", copy, assistant=["A different answer.", "Another one.", "And a third."]))

    assert find_near_duplicates(records) == {"copy": "original"}


def test_distinct_dialogues_on_one_goal_are_not_flagged() -> None:
    records = [record(f"d{index}", user) for index, user in enumerate([*SOURDOUGH, LONG_USER_SIDE])]
    assert find_near_duplicates(records) == {}
    # ... even with a permissive threshold: they share topic words, not phrasing.
    assert find_near_duplicates(records, threshold=0.3) == {}


def test_only_the_user_side_counts() -> None:
    same_answers = ["Feed it twice a day.", "Use warm water.", "Wait three days."]
    different_users = [record("a", SOURDOUGH[0], same_answers), record("b", SOURDOUGH[3], same_answers)]
    assert find_near_duplicates(different_users) == {}

    same_users = [
        record("a", LONG_USER_SIDE, ["Feed it twice a day.", "Use warm water.", "Wait three days."]),
        record("b", LONG_USER_SIDE, ["Throw it away.", "Buy a proofing box.", "Move to a warmer town."]),
    ]
    assert find_near_duplicates(same_users) == {"b": "a"}
    assert user_side(same_users[0]) == "\n".join(LONG_USER_SIDE)


def test_words_are_compared_case_and_punctuation_insensitively() -> None:
    shouting = [text.upper().replace(",", " ;") for text in LONG_USER_SIDE]
    assert find_near_duplicates([record("a", LONG_USER_SIDE), record("b", shouting)]) == {"b": "a"}


def test_very_short_user_sides() -> None:
    records = [
        record("thanks", ["Thanks!"]),
        record("thanks-again", ["thanks"]),
        record("hello", ["Hello"]),
        record("two-words", ["Thank you"]),
        record("two-words-again", ["thank you!!"]),
        record("empty", [""]),
        record("empty-again", ["   "]),
        record("no-user", []),
    ]
    # Fewer words than the n-gram size still compare, as one shingle; a user side without words
    # has nothing to compare and is never a duplicate.
    assert find_near_duplicates(records) == {"thanks-again": "thanks", "two-words-again": "two-words"}


def test_every_duplicate_of_a_cluster_points_to_the_first_dialogue() -> None:
    copies = [
        one_word_changed(LONG_USER_SIDE, message=2, word=index, replacement="x") for index in (3, 9, 15)
    ]
    records = [
        record("first", LONG_USER_SIDE),
        record("other", SOURDOUGH[0]),
        *(record(f"copy{index}", copy) for index, copy in enumerate(copies)),
    ]
    assert find_near_duplicates(records) == {"copy0": "first", "copy1": "first", "copy2": "first"}


def test_a_duplicate_is_always_within_the_threshold_of_its_canonical_dialogue() -> None:
    """A chain a ~ b ~ c with a !~ c: c is compared with the canonical a only, so it stays."""
    words = " ".join(LONG_USER_SIDE).split()
    b_words = list(words)
    for index in range(2, 32, 10):  # three edits early on
        b_words[index] = "zz"
    c_words = list(b_words)
    for index in range(60, 90, 10):  # three more, elsewhere
        c_words[index] = "yy"
    a, b, c = [" ".join(words)], [" ".join(b_words)], [" ".join(c_words)]
    assert similarity(a, b) >= 0.8
    assert similarity(b, c) >= 0.8
    assert similarity(a, c) < 0.8

    assert find_near_duplicates([record("a", a), record("b", b), record("c", c)]) == {"b": "a"}


def test_a_repeated_id_counts_once() -> None:
    records = [record("a", LONG_USER_SIDE), record("a", LONG_USER_SIDE), record("b", LONG_USER_SIDE)]
    assert find_near_duplicates(records) == {"b": "a"}


# ---------------------------------------------------------------- threshold


def pair_with_edits(edits: int) -> tuple[list[str], list[str]]:
    words = " ".join(LONG_USER_SIDE).split()
    changed = list(words)
    for index in range(edits):
        changed[3 + index * 7] = f"edit{index}"
    return [" ".join(words)], [" ".join(changed)]


@pytest.mark.parametrize("edits", [1, 2, 3, 4, 6, 8])
def test_the_threshold_is_exact(edits: int) -> None:
    first, second = pair_with_edits(edits)
    exact = similarity(first, second)
    records = [record("a", first), record("b", second)]

    assert find_near_duplicates(records, threshold=exact) == {"b": "a"}
    assert find_near_duplicates(records, threshold=min(1.0, exact + 1e-9)) == {}
    assert find_near_duplicates(records) == ({"b": "a"} if exact >= 0.8 else {})


def test_edits_move_similarity_across_the_default_threshold() -> None:
    similarities = [similarity(*pair_with_edits(edits)) for edits in (1, 2, 3, 4, 6, 8)]
    assert similarities == sorted(similarities, reverse=True)
    assert similarities[0] > 0.8 > similarities[-1]  # the parametrized test covers both sides


def test_the_ngram_size_changes_what_is_similar() -> None:
    words = " ".join(LONG_USER_SIDE).split()
    every_fifth_changed = [" ".join("x" if index % 5 == 0 else word for index, word in enumerate(words))]
    original = [" ".join(words)]
    records = [record("a", original), record("b", every_fifth_changed)]
    # 80 % of the words are shared, but no 3-gram survives an edit every fifth word intact more
    # than twice in a row: unigrams call it a duplicate, trigrams do not.
    assert find_near_duplicates(records, threshold=0.7, ngram=1) == {"b": "a"}
    assert find_near_duplicates(records, threshold=0.7, ngram=3) == {}


@pytest.mark.parametrize(("threshold", "ngram"), [(0.0, 3), (1.5, 3), (-0.1, 3), (0.8, 0)])
def test_invalid_settings_are_config_errors(threshold: float, ngram: int) -> None:
    with pytest.raises(ConfigError):
        find_near_duplicates([record("a", ["hello there"])], threshold=threshold, ngram=ngram)


def test_a_record_without_id_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="record 2 has no id"):
        find_near_duplicates([record("a", ["hi"]), {"messages": []}])


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9, 1.0])
def test_band_layout_finds_a_pair_at_the_threshold_with_high_probability(threshold: float) -> None:
    bands, rows = band_layout(threshold)
    assert bands * rows <= NUM_HASHES
    assert 1 - (1 - threshold**rows) ** bands >= 0.99
    # and uses the most rows that allows it (fewer chance candidates)
    more = rows + 1
    assert more > NUM_HASHES or 1 - (1 - threshold**more) ** (NUM_HASHES // more) < 0.99


# ---------------------------------------------------------------- signatures


def reference_signature(shingle_set: set[int]) -> list[int]:
    """Optimal densification written the slow, obvious way."""
    shift = 64 - (NUM_HASHES.bit_length() - 1)
    bins: list[int | None] = [None] * NUM_HASHES
    for value in shingle_set:
        slot = value >> shift
        current = bins[slot]
        bins[slot] = value if current is None else min(current, value)
    result: list[int] = []
    for slot in range(NUM_HASHES):
        for probe in [slot, *_PROBES[slot]]:
            borrowed = bins[probe]
            if borrowed is not None:
                result.append(borrowed)
                break
    return result


def test_every_empty_bin_probes_all_bins_in_its_own_order() -> None:
    assert all(sorted(order) == list(range(NUM_HASHES)) for order in _PROBES)
    assert len(set(_PROBES)) == NUM_HASHES


@pytest.mark.parametrize("size", [1, 2, 5, 40, 127, 400, 2000])
def test_signature_matches_a_reference_implementation(size: int) -> None:
    rng = random.Random(size)
    shingle_set = {rng.getrandbits(64) for _ in range(size)}
    assert signature(shingle_set) == reference_signature(shingle_set)


def test_signature_agreement_estimates_jaccard() -> None:
    rng = random.Random(3)
    shared = {rng.getrandbits(64) for _ in range(600)}
    first = shared | {rng.getrandbits(64) for _ in range(200)}
    second = shared | {rng.getrandbits(64) for _ in range(200)}
    exact = jaccard(first, second)  # 600 / 1000
    agreement = sum(a == b for a, b in zip(signature(first), signature(second), strict=True)) / NUM_HASHES
    assert exact == pytest.approx(0.6)
    assert abs(agreement - exact) < 0.15


# ---------------------------------------------------------------- determinism and scale


PINNED_SHINGLE = 14981064251854539211  # the hash of the trigram "hello there friend"


def test_hashes_are_pinned() -> None:
    """blake2b-derived, so these values hold in every process, on every machine and Python."""
    assert shingles("Hello there, friend") == shingles("hello THERE friend!")
    assert len(shingles("one two three four")) == 2
    assert shingles("hello there friend") == {PINNED_SHINGLE}


SCRIPT = """
import json, random, sys
from llm_roleplay.near_duplicates import find_near_duplicates, shingles, signature
rng = random.Random(5)
vocab = [f"w{i}" for i in range(400)]
records = [{"id": f"d{i}", "messages": [{"role": "user", "content": " ".join(rng.choices(vocab, k=40))}]}
           for i in range(300)]
records += [{"id": f"c{i}", "messages": [{"role": "user",
             "content": records[i]["messages"][0]["content"] + " extra"}]} for i in range(0, 300, 30)]
print(json.dumps({"duplicates": find_near_duplicates(records),
                  "signature": signature(shingles(records[0]["messages"][0]["content"]))[:8],
                  "shingle": sorted(shingles("hello there friend"))}))
"""


def run_in_fresh_process(hash_seed: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout)


def test_results_are_the_same_in_every_process() -> None:
    first, second = run_in_fresh_process("1"), run_in_fresh_process("2")
    assert first == second
    assert first["duplicates"] == {f"c{i}": f"d{i}" for i in range(0, 300, 30)}
    # ... and the same as in this process (a third hash seed)
    assert first["shingle"] == sorted(shingles("hello there friend"))


def test_a_few_thousand_dialogues_with_planted_copies() -> None:
    rng = random.Random(11)
    vocab = [f"word{index}" for index in range(3000)]
    records = [
        record(
            f"d{index}",
            [" ".join(rng.choices(vocab, k=rng.randint(10, 40))) for _ in range(rng.randint(2, 6))],
        )
        for index in range(2000)
    ]
    planted = {}
    for number, source in enumerate(rng.sample(range(2000), 25)):
        user = [message["content"] for message in records[source]["messages"] if message["role"] == "user"]
        longest = max(range(len(user)), key=lambda index: len(user[index]))
        copy = one_word_changed(user, longest, word=0, replacement="changed")
        if similarity(user, copy) >= 0.8:
            planted[f"copy{number}"] = f"d{source}"
        records.append(record(f"copy{number}", copy))
    assert len(planted) >= 20

    found = find_near_duplicates(records)
    assert {ident: found[ident] for ident in planted} == planted
    assert set(found) <= {f"copy{number}" for number in range(25)}  # no random dialogue flagged
    assert find_near_duplicates(records) == found  # same result on a second run


def test_mark_near_duplicates_sets_the_field_on_copies() -> None:
    records = [record("a", LONG_USER_SIDE), record("b", LONG_USER_SIDE), record("c", SOURDOUGH[0])]
    marked = mark_near_duplicates(records, find_near_duplicates(records))
    assert [row["near_duplicate_of"] for row in marked] == [None, "a", None]
    assert "near_duplicate_of" not in records[1]  # the input is left alone


def test_shared_boilerplate_does_not_make_every_pair_a_candidate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Half of every user side is the same text (pairwise Jaccard about 1/3): LSH must still keep
    the exact confirmations to a small share of all pairs, or large datasets go quadratic."""
    rng = random.Random(2)
    vocab = [f"word{index}" for index in range(5000)]
    template = " ".join(rng.choices(vocab, k=60))
    records = [record(f"d{index}", [template, " ".join(rng.choices(vocab, k=60))]) for index in range(1500)]
    confirmations = 0

    def counting_jaccard(first: set[int], second: set[int]) -> float:
        nonlocal confirmations
        confirmations += 1
        return jaccard(first, second)

    monkeypatch.setattr(near_duplicates, "jaccard", counting_jaccard)
    assert find_near_duplicates(records) == {}
    pairs = len(records) * (len(records) - 1) // 2
    # Independent bands predict 2.7 % (1 - (1 - J**6) ** 21 at J = 1/3); correlated bands gave 20 %.
    assert confirmations < 0.06 * pairs

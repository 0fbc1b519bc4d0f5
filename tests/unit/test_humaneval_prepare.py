"""The mix: balanced, seeded, matched; sources read strictly; bad input is one clear line."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.evals.humaneval.blinding import Message
from llm_roleplay.evals.humaneval.prepare import PrepareOptions, prepare, select
from llm_roleplay.evals.humaneval.sources import Candidate, load_real
from tests.unit.test_humaneval_fixtures import (
    DROPPED_ID,
    DUPLICATE_ID,
    REAL,
    SIMULATED,
    make_study,
    write_real_jsonl,
    write_real_sharegpt,
    write_simulated,
)

FILES = ("items.json", "key.json", "form.html", "items.csv", "README.txt")


def _key(study: Path) -> dict:
    return json.loads((study / "key.json").read_text())


def _candidate(source: str, ident: str, turns: int, domain: str | None = None) -> Candidate:
    messages = tuple(Message(role, f"{ident} {n}") for n in range(turns) for role in ("user", "assistant"))
    return Candidate(source=source, original_id=ident, messages=messages, domain=domain)  # type: ignore[arg-type]


def test_the_mix_is_balanced_and_only_uses_kept_dialogues(tmp_path: Path) -> None:
    report = make_study(tmp_path, n=12)
    key = _key(tmp_path / "study")
    sources = Counter(entry["source"] for entry in key["items"].values())
    assert sources == {"simulated": 6, "real": 6}
    assert (report.n_simulated, report.n_real) == (6, 6)
    assert report.excluded == {"simulated": 2, "real": 0}  # the filtered one and the near-duplicate
    originals = {entry["original_id"] for entry in key["items"].values()}
    assert len(originals) == 12 and not originals & {DROPPED_ID, DUPLICATE_ID}
    assert originals <= {spec[0] for spec in SIMULATED} | {ident for ident, _, _ in REAL}


def test_same_seed_same_files_other_seed_other_order(tmp_path: Path) -> None:
    simulated, real = write_simulated(tmp_path / "sim"), write_real_jsonl(tmp_path / "real.jsonl")

    def run(name: str, seed: int) -> Path:
        prepare(PrepareOptions(simulated=simulated, real=real, n=12, out=tmp_path / name, seed=seed))
        return tmp_path / name

    first, again, other = run("a", 7), run("b", 7), run("c", 8)
    for name in FILES:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    order = [entry["original_id"] for entry in _key(first)["items"].values()]
    other_order = [entry["original_id"] for entry in _key(other)["items"].values()]
    assert order != other_order
    assert _key(first)["study_id"] != _key(other)["study_id"]


def test_length_matching_pairs_each_simulated_dialogue_with_the_nearest_real_one() -> None:
    simulated = [_candidate("simulated", f"s{turns}", turns) for turns in (1, 2, 3, 5)]
    # Real dialogues of every length, many long ones: a random draw would mostly take long ones.
    real = [_candidate("real", f"r{turns}-{copy}", turns) for turns in (1, 2, 3, 4, 5) for copy in range(2)]
    real += [_candidate("real", f"long{copy}", 12) for copy in range(20)]
    for seed in range(5):
        chosen_simulated, chosen_real = select(simulated, real, 8, "length", random.Random(seed))
        assert sorted(c.user_turns for c in chosen_real) == sorted(c.user_turns for c in chosen_simulated)
    _, unmatched = select(simulated, real, 8, "none", random.Random(0))
    assert sorted(c.user_turns for c in unmatched) != [1, 2, 3, 5]


def test_length_matching_takes_the_nearest_when_no_length_is_equal() -> None:
    simulated = [_candidate("simulated", "s4", 4)]
    real = [_candidate("real", "r1", 1), _candidate("real", "r6", 6), _candidate("real", "r3", 3)]
    _, chosen = select(simulated, real, 2, "length", random.Random(0))
    assert [c.original_id for c in chosen] == ["r3"]


def test_domain_matching_pairs_same_domains_and_says_when_it_cannot(tmp_path: Path) -> None:
    make_study(tmp_path, n=16, match="domain")
    key = _key(tmp_path / "study")
    domains = Counter((entry["source"], entry["domain"]) for entry in key["items"].values())
    for (source, domain), count in domains.items():
        other = "real" if source == "simulated" else "simulated"
        assert domains[(other, domain)] == count
    simulated = [_candidate("simulated", "s1", 1, "coding"), _candidate("simulated", "s2", 1, "maths")]
    real = [_candidate("real", "r1", 1, "Coding"), _candidate("real", "r2", 1, "travel")]
    with pytest.raises(ConfigError, match="only 1 simulated dialogues have a real one of the same domain"):
        select(simulated, real, 4, "domain", random.Random(0))
    sharegpt = write_real_sharegpt(tmp_path / "real.json")  # no domains at all
    with pytest.raises(ConfigError, match="no real dialogue has a domain"):
        prepare(PrepareOptions(write_simulated(tmp_path / "s2"), sharegpt, 4, tmp_path / "x", match="domain"))


def test_sharegpt_input_and_ids_for_entries_without_one(tmp_path: Path) -> None:
    loaded = load_real(write_real_sharegpt(tmp_path / "real.json"))
    assert [c.original_id for c in loaded.candidates[:2]] == ["real.json#1", "real.json#2"]
    assert loaded.candidates[2].messages[0] == Message("user", "cheapest way berlin to prague?")
    jsonl = load_real(write_real_jsonl(tmp_path / "real.jsonl"))
    assert [c.original_id for c in jsonl.candidates[:2]] == ["wc-1001", "wc-1002"]
    assert jsonl.candidates[0].domain == "cooking"
    # The trailing unanswered "one more thing" of entry 2 is gone; its two turns remain.
    assert jsonl.candidates[1].user_turns == 1


def test_a_rerun_is_allowed_but_another_study_is_never_written_over(tmp_path: Path) -> None:
    make_study(tmp_path, n=8, seed=1)
    make_study(tmp_path, n=8, seed=1)  # the same study: nothing lost
    with pytest.raises(ConfigError, match="already holds study study-"):
        make_study(tmp_path, n=8, seed=2)


@pytest.mark.parametrize(
    ("n", "message"),
    [
        (7, "--n 7: must be an even number of at least 2"),
        (0, "--n 0: must be an even number"),
        (40, r"--n 40 needs 20 simulated dialogues; .*sim has 8 usable \(2 skipped"),
    ],
)
def test_wrong_n_is_one_line(tmp_path: Path, n: int, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as error:
        make_study(tmp_path, n=n)
    assert "\n" not in str(error.value)


def test_not_enough_real_dialogues(tmp_path: Path) -> None:
    real = write_real_jsonl(tmp_path / "real.jsonl", REAL[:2])
    with pytest.raises(ConfigError, match=r"--n 8 needs 4 real dialogues; .*real.jsonl has 2 usable"):
        prepare(PrepareOptions(write_simulated(tmp_path / "sim"), real, 8, tmp_path / "study"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"messages": []}\n{"messages": [}\n', r"real.jsonl:2: invalid JSON"),
        (
            '{"messages": [{"role": "narrator", "content": "x"}]}\n',
            r"real.jsonl:1: message 1: unknown role 'narrator'",
        ),
        (
            '{"messages": [{"role": "user", "content": 5}]}\n',
            r"real.jsonl:1: message 1: 'content' must be text",
        ),
        (
            '{"text": "hello"}\n',
            r'real.jsonl:1: expected a "messages" list \(OpenAI\) or a "conversations" list',
        ),
        (
            '[{"conversations": []}, "oops"]',
            r"real.jsonl, dialogue 2: expected a JSON object per dialogue, got str",
        ),
        ('[{"conversations": [}]', r"real.jsonl:1: invalid JSON"),
        ("", r"--real .*real.jsonl: empty file"),
    ],
)
def test_bad_real_files_are_one_line_naming_file_and_place(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "real.jsonl"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as error:
        load_real(path)
    assert "\n" not in str(error.value)


def test_missing_inputs(tmp_path: Path) -> None:
    real = write_real_jsonl(tmp_path / "real.jsonl")
    with pytest.raises(ConfigError, match=r"--simulated .*nowhere: no dialogues.jsonl"):
        prepare(PrepareOptions(tmp_path / "nowhere", real, 4, tmp_path / "study"))
    with pytest.raises(ConfigError, match=r"--real .*missing.jsonl: cannot read"):
        load_real(tmp_path / "missing.jsonl")
    with pytest.raises(ConfigError, match="--match best: choose from length, domain, none"):
        prepare(PrepareOptions(tmp_path, real, 4, tmp_path / "study", match="best"))


def test_key_holds_what_scoring_and_the_study_lead_need(tmp_path: Path) -> None:
    make_study(tmp_path, n=16)
    key = _key(tmp_path / "study")
    simulated = next(entry for entry in key["items"].values() if entry["source"] == "simulated")
    real = next(entry for entry in key["items"].values() if entry["source"] == "real")
    spec = next(spec for spec in SIMULATED if spec[0] == simulated["original_id"])
    assert simulated["persona"] == {"attributes": spec[3], "description": spec[4]}
    assert simulated["domain"] == spec[1] and simulated["user_turns"] == len(spec[7])
    assert simulated["termination_reason"] == spec[6] and simulated["settings"]["max_turns"] == 12
    assert real["position"].startswith("line ") and real["domain"] is not None
    assert (key["seed"], key["match"], key["n"]) == (0, "length", 16)
    csv_bytes = (tmp_path / "study" / "items.csv").read_bytes()
    assert csv_bytes.startswith(
        b"\xef\xbb\xbfitem_id,dialogue,answer,confidence,comment\r\n"
    )  # BOM: for Excel
    assert b'\r\nitem-01,"User: ' in csv_bytes  # every dialogue cell starts with a label, never a formula

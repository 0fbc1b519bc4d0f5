"""Wrong input to ``roleplay generate``: exit 2, one line naming what and where, nothing touched.

Every case runs against an existing dataset directory (``--out``), whose files must be byte for byte
the same afterwards: a typo in a re-run must never damage finished work.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reliability.harness import one_error_line, roleplay, roleplay_many, snapshot, write_goals

MODELS = ["--inquirer", "fake", "--chatbot", "fake", "--judge", "none", "--max-turns", "2"]

# file name -> content of the input files the cases name
FILES = {
    "bad_json.jsonl": '{"id": "a", "goal": "You want help with a soup recipe."}\n{"id": "b", "goal": oops}\n',
    "no_goal.jsonl": '{"id": "a", "goal": "You want help with a soup recipe."}\n{"id": "b", "domain": "x"}\n',
    "wrong_type.jsonl": '{"id": "a", "goal": "You want help with a soup recipe."}\n{"id": "b", "goal": 42}\n',
    "wrong_header.csv": "name,text\na,You want help with a soup recipe.\n",
    "empty.jsonl": "",
    "bad_persona.jsonl": '{"attributes": {"gender": "robot"}}\n',
    "bad_persona_json.jsonl": '{"description": "A baker."}\n{"attributes": \n',
    "in_the_way": "a regular file where --out wants a directory\n",
}

# extra arguments -> what the one stderr line must name ("{tmp}" is the case's folder)
CASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("--goals", "{tmp}/bad_json.jsonl"): ("bad_json.jsonl line 2", "invalid JSON"),
    ("--goals", "{tmp}/no_goal.jsonl"): ("no_goal.jsonl line 2", "'goal'"),
    ("--goals", "{tmp}/wrong_type.jsonl"): ("wrong_type.jsonl line 2", "'goal'"),
    ("--goals", "{tmp}/wrong_header.csv"): ("wrong_header.csv", "header", "goal"),
    ("--goals", "{tmp}/empty.jsonl"): ("empty.jsonl", "no goals"),
    ("--goals", "{tmp}/missing.jsonl"): ("missing.jsonl", "not found"),
    ("--personas", "{tmp}/bad_persona.jsonl"): ("bad_persona.jsonl line 1", "'gender'", "robot"),
    ("--personas", "{tmp}/bad_persona_json.jsonl"): ("bad_persona_json.jsonl line 2", "JSON"),
    ("--chatbot", "gpt4"): ("chatbot model", "unknown spec 'gpt4'"),
    ("--chatbot", "openai:gpt-4o-mini", "--chatbot-api-key-env", "RELIABILITY_NO_SUCH_VAR"): (
        "--chatbot-api-key-env",
        "RELIABILITY_NO_SUCH_VAR",
    ),
    ("--judge", "openai:gpt-4o-mini", "--judge-api-key-file", "{tmp}/no_key.txt"): (
        "--judge-api-key-file",
        "no_key.txt",
        "no such file",
    ),
    ("--max-turns", "0"): ("--max-turns",),
    ("--concurrency", "0"): ("--concurrency",),
    ("--max-tokens", "-5"): ("--max-tokens",),
    ("--trials", "0"): ("--trials",),
    ("--request-retries", "-1"): ("--request-retries",),
    ("--request-timeout", "0"): ("--request-timeout",),
    ("--out", "{tmp}/in_the_way/dataset"): ("--out", "in_the_way/dataset", "is a file, not a folder"),
    ("--personas", "-3"): ("--personas", "at least 1"),
    ("--maxturns", "3"): ("unknown option --maxturns", "did you mean --max-turns?"),
    ("--max-turn", "3"): ("unknown option --max-turn", "did you mean --max-turns?"),  # no prefixes
    ("--filters", "leakage,typo"): ("--filters", "unknown filter", "typo"),
}


@pytest.fixture(scope="module")
def existing_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished dataset directory, the target of every bad invocation."""
    root = tmp_path_factory.mktemp("bad_input")
    for name, content in FILES.items():
        (root / name).write_text(content, encoding="utf-8")
    goals = write_goals(root / "goals.jsonl", 2)
    first = roleplay("generate", "--goals", str(goals), "--out", str(root / "dataset"), *MODELS, "--quiet")
    assert first.returncode == 0, first.stderr
    assert json.loads((root / "dataset" / "manifest.json").read_text())["counts"]["finished"] == 10
    return root / "dataset"


def invocation(dataset: Path, extra: tuple[str, ...]) -> list[str]:
    """``generate`` on the good inputs, then ``extra``: argparse keeps an option's last value."""
    tmp = str(dataset.parent)
    good = ["--goals", f"{tmp}/goals.jsonl", "--out", str(dataset), "--personas", "5", *MODELS]
    return ["generate", *good, *(arg.replace("{tmp}", tmp) for arg in extra), "--quiet"]


def test_each_bad_input_is_one_line_exit_2_and_leaves_the_dataset_untouched(existing_dataset: Path) -> None:
    before = snapshot(existing_dataset)
    cases = list(CASES.items())
    results = roleplay_many([invocation(existing_dataset, extra) for extra, _ in cases])
    for (extra, expected), result in zip(cases, results, strict=True):
        assert result.returncode == 2, (extra, result.returncode, result.stderr)
        line = one_error_line(result)
        for part in expected:
            assert part in line, (extra, line)
        assert snapshot(existing_dataset) == before, f"{extra} changed the dataset"
    assert not (existing_dataset.parent / "in_the_way").is_dir()

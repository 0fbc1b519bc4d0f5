"""Reference sets: both formats read into records; every bad file is one line naming file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.evals.reference import load_reference


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_openai_jsonl(tmp_path: Path) -> None:
    lines = [
        {
            "messages": [
                {"role": "system", "content": "You are helpful."},
                {"role": "user", "content": "hi there"},
                {"role": "assistant", "content": "Hello!"},
                {
                    "role": "user",
                    "content": [{"type": "text", "text": "and"}, {"type": "text", "text": "more"}],
                },
            ]
        },
        {"messages": [{"role": "assistant", "content": "nobody asked"}]},  # no user message: skipped
    ]
    path = _write(tmp_path, "ref.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n\n")
    reference = load_reference(path)
    assert reference.format == "openai"
    assert reference.skipped_without_user == 1
    [record] = reference.records
    assert record["messages"] == [
        {"role": "user", "content": "hi there", "turn": 1},
        {"role": "assistant", "content": "Hello!", "turn": 1},
        {"role": "user", "content": "and\nmore", "turn": 2},
    ]
    assert record["source_line"] == 1


def test_sharegpt_json_list_with_line_numbers_and_unique_ids(tmp_path: Path) -> None:
    data = [
        {"id": "a", "conversations": [{"from": "human", "value": "q1"}, {"from": "gpt", "value": "a1"}]},
        {"conversations": [{"from": "system", "value": "s"}, {"from": "user", "value": "q2"}]},
    ]
    pretty = _write(tmp_path, "share.json", json.dumps(data, indent=2))
    reference = load_reference(pretty)
    assert reference.format == "sharegpt"
    assert [r["messages"][0]["content"] for r in reference.records] == ["q1", "q2"]
    assert reference.records[0]["source_line"] == 2  # "[" is line 1; the first object starts on line 2
    assert reference.records[1]["source_line"] > reference.records[0]["source_line"]
    one_line = load_reference(_write(tmp_path, "one.json", json.dumps(data)))
    assert len({record["id"] for record in one_line.records}) == 2  # same line, distinct ids


def test_sharegpt_objects_one_per_line(tmp_path: Path) -> None:
    line = {"conversations": [{"from": "human", "value": "hello"}, {"from": "chatgpt", "value": "hi"}]}
    reference = load_reference(_write(tmp_path, "share.jsonl", json.dumps(line) + "\n" + json.dumps(line)))
    assert reference.format == "sharegpt" and len(reference.records) == 2
    assert reference.records[1]["messages"][1] == {"role": "assistant", "content": "hi", "turn": 1}


@pytest.mark.parametrize(
    ("name", "text", "line", "fragment"),
    [
        ("bad.jsonl", '{"messages": []}\n{"messages": [\n', 2, "invalid JSON"),
        (
            "role.jsonl",
            '{"messages": [{"role": "user", "content": "a"}]}\n\n{"messages": [{"role": "robot", '
            '"content": "x"}]}',
            3,
            "unknown role 'robot'",
        ),
        ("content.jsonl", '{"messages": [{"role": "user", "content": 5}]}', 1, "'content' must be text"),
        ("shape.jsonl", '{"text": "hello"}', 1, 'expected a "messages" list'),
        ("scalar.jsonl", '"just a string"', 1, "expected a JSON object"),
        ("open.json", '[\n{"conversations": []},\n', 3, "not closed"),
        (
            "comma.json",
            '[\n{"conversations": [{"from": "human", "value": "a"}]}\n{"conversations": []}]',
            3,
            "expected ',' or ']'",
        ),
        ("trailing.json", '[{"conversations": [{"from": "human", "value": "a"}]}]\nextra', 1, "text after"),
        ("value.json", '[\n {"conversations": [{"from": "human", "value": ["x", 1]}]}\n]', 2, "must be text"),
        ("empty.jsonl", "  \n", 1, "empty reference file"),
        (
            "nouser.jsonl",
            '{"messages": [{"role": "assistant", "content": "hi"}]}',
            1,
            "no dialogue with a user",
        ),
    ],
)
def test_bad_files_name_file_and_line(tmp_path: Path, name: str, text: str, line: int, fragment: str) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(ConfigError) as raised:
        load_reference(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert fragment in message
    assert "\n" not in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_reference(tmp_path / "absent.jsonl")

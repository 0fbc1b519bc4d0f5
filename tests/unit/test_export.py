"""Export formats, each read back by its own reader; kept-only filtering; atomic writes."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datasets
import pyarrow.parquet as pq
import pytest

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.export import FORMATS, TABLE_COLUMNS, export_records


def record(
    ident: str, *, keep: bool = True, near_duplicate_of: str | None = None, turns: int = 2
) -> dict[str, Any]:
    messages = []
    for turn in range(1, turns + 1):
        messages.append({"role": "user", "content": f"{ident} question {turn}: café «ok»?", "turn": turn})
        messages.append(
            {"role": "assistant", "content": f"{ident} answer {turn}\nwith a newline", "turn": turn}
        )
    result: dict[str, Any] = {
        "schema_version": 1,
        "id": ident,
        "goal": f"Goal of {ident}",
        "persona": {
            "attributes": {"age": 34, "occupation": "baker", "traits": ["curious", "terse"]},
            "description": f"A curious baker ({ident}).",
            "source": "sampled:7",
        },
        "messages": messages,
        "termination_reason": "goal_verified" if keep else "max_turns",
        "error": None,
        "filter": {"keep": keep, "reasons": [] if keep else ["goal_not_verified", "too_few_turns"]},
        "goal_check": {"verified": keep, "checks": []},
        "usage": {"inquirer": {"calls": 3, "input_tokens": 10, "output_tokens": 5}},
        "settings": {"max_turns": 12},
        "versions": {"llm_roleplay": "0.1.0"},
        "goal_id": f"g-{ident}",
        "goal_domain": "cooking",
        "trial": 0,
    }
    if near_duplicate_of is not None:
        result["near_duplicate_of"] = near_duplicate_of
    return result


RECORDS = [
    record("kept", turns=3),
    record("dropped", keep=False, turns=1),
    record("copy", near_duplicate_of="kept"),
    record("kept2"),
]
TARGETS = {"openai": "train.jsonl", "sharegpt": "train.json", "parquet": "train.parquet", "hf": "train_hf"}


def read_back(fmt: str, path: Path) -> list[dict[str, Any]]:
    """Each format through its own reader."""
    if fmt == "openai":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "sharegpt":
        return json.loads(path.read_text(encoding="utf-8"))
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    return list(datasets.load_from_disk(str(path)))


def exported_ids(fmt: str, rows: list[dict[str, Any]]) -> list[str]:
    if fmt == "openai":  # the format has no id field: recognise dialogues by their first message
        return [row["messages"][0]["content"].split()[0] for row in rows]
    return [row["id"] for row in rows]


def leftovers(directory: Path) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.endswith(".tmp"))


# ---------------------------------------------------------------- formats


def test_openai_jsonl(tmp_path: Path) -> None:
    target = tmp_path / "out" / "train.jsonl"  # parent directories are created
    assert export_records(RECORDS, "openai", target) == 4

    rows = read_back("openai", target)
    assert len(rows) == 4
    assert set(rows[0]) == {"messages"}
    first = RECORDS[0]["messages"]
    assert rows[0]["messages"] == [{"role": m["role"], "content": m["content"]} for m in first]
    assert [m["role"] for m in rows[0]["messages"]] == ["user", "assistant"] * 3
    assert all(m["role"] != "system" for row in rows for m in row["messages"])  # none by default
    assert "café «ok»" in target.read_text(encoding="utf-8")  # UTF-8, not \\u escapes


def test_openai_with_a_system_prompt(tmp_path: Path) -> None:
    target = tmp_path / "train.jsonl"
    export_records(RECORDS[:2], "openai", target, system_prompt="You are a helpful assistant.")
    rows = read_back("openai", target)
    assert [row["messages"][0] for row in rows] == [
        {"role": "system", "content": "You are a helpful assistant."}
    ] * 2
    assert rows[1]["messages"][1:] == [
        {"role": "user", "content": "dropped question 1: café «ok»?"},
        {"role": "assistant", "content": "dropped answer 1\nwith a newline"},
    ]


def test_system_prompt_is_refused_for_other_formats(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="only written by --format openai"):
        export_records(RECORDS, "sharegpt", tmp_path / "x.json", system_prompt="Hi")


def test_sharegpt_json(tmp_path: Path) -> None:
    target = tmp_path / "train.json"
    assert export_records(RECORDS, "sharegpt", target) == 4

    rows = read_back("sharegpt", target)
    assert isinstance(rows, list)
    assert [row["id"] for row in rows] == ["kept", "dropped", "copy", "kept2"]
    assert set(rows[0]) == {"id", "conversations"}
    assert rows[1]["conversations"] == [
        {"from": "human", "value": "dropped question 1: café «ok»?"},
        {"from": "gpt", "value": "dropped answer 1\nwith a newline"},
    ]
    assert [turn["from"] for turn in rows[0]["conversations"]] == ["human", "gpt"] * 3


def test_sharegpt_with_no_dialogues_is_an_empty_list(tmp_path: Path) -> None:
    target = tmp_path / "empty.json"
    assert export_records([], "sharegpt", target) == 0
    assert read_back("sharegpt", target) == []


def check_table_rows(rows: list[dict[str, Any]]) -> None:
    """Content checks shared by parquet and hf: both hold TABLE_COLUMNS."""
    assert [row["id"] for row in rows] == ["kept", "dropped", "copy", "kept2"]
    kept, dropped, copy, _ = rows
    assert list(kept) == list(TABLE_COLUMNS)
    assert kept["goal"] == "Goal of kept"
    assert kept["goal_id"] == "g-kept" and kept["goal_domain"] == "cooking" and kept["trial"] == 0
    assert kept["persona_description"] == "A curious baker (kept)."
    assert json.loads(kept["persona_attributes"]) == RECORDS[0]["persona"]["attributes"]
    assert kept["persona_source"] == "sampled:7"
    assert kept["messages"] == RECORDS[0]["messages"]  # role, content and turn, in order
    assert kept["n_turns"] == 3 and dropped["n_turns"] == 1
    assert kept["termination_reason"] == "goal_verified" and dropped["termination_reason"] == "max_turns"
    assert (kept["keep"], kept["filter_reasons"]) == (True, [])
    assert (dropped["keep"], dropped["filter_reasons"]) == (False, ["goal_not_verified", "too_few_turns"])
    assert kept["near_duplicate_of"] is None and copy["near_duplicate_of"] == "kept"


def test_parquet(tmp_path: Path) -> None:
    target = tmp_path / "train.parquet"
    assert export_records(RECORDS, "parquet", target) == 4

    table = pq.read_table(target)
    assert table.column_names == list(TABLE_COLUMNS)
    assert (
        str(table.schema.field("messages").type)
        == "list<element: struct<role: string, content: string, turn: int64>>"
    )
    check_table_rows(table.to_pylist())


def test_parquet_with_no_dialogues_keeps_the_schema(tmp_path: Path) -> None:
    target = tmp_path / "empty.parquet"
    assert export_records([], "parquet", target) == 0
    table = pq.read_table(target)
    assert table.num_rows == 0 and table.column_names == list(TABLE_COLUMNS)


def test_parquet_handles_more_rows_than_one_row_group(tmp_path: Path) -> None:
    many = [record(f"d{index}", turns=1) for index in range(2500)]
    target = tmp_path / "many.parquet"
    assert export_records(many, "parquet", target) == 2500
    table = pq.read_table(target, columns=["id", "n_turns"])
    assert table.column("id").to_pylist() == [f"d{index}" for index in range(2500)]
    assert set(table.column("n_turns").to_pylist()) == {1}


def test_missing_optional_fields_become_nulls(tmp_path: Path) -> None:
    minimal = {"id": "m", "messages": [{"role": "user", "content": "hi", "turn": 1}]}
    target = tmp_path / "minimal.parquet"
    export_records([minimal], "parquet", target)
    (row,) = pq.read_table(target).to_pylist()
    assert row["goal"] is None and row["keep"] is None and row["trial"] is None
    assert row["persona_attributes"] == "{}" and row["filter_reasons"] == [] and row["n_turns"] == 1


def test_hf_dataset(tmp_path: Path) -> None:
    target = tmp_path / "train_hf"
    assert export_records(RECORDS, "hf", target) == 4

    dataset = datasets.load_from_disk(str(target))
    assert isinstance(dataset, datasets.Dataset)
    assert dataset.column_names == list(TABLE_COLUMNS)
    assert dataset.num_rows == 4
    check_table_rows(list(dataset))


def test_hf_replaces_an_earlier_export(tmp_path: Path) -> None:
    target = tmp_path / "train_hf"
    export_records(RECORDS, "hf", target)
    assert export_records(RECORDS[:1], "hf", target) == 1
    assert datasets.load_from_disk(str(target))["id"] == ["kept"]
    assert sorted(os.listdir(tmp_path)) == ["train_hf"]  # the old copy is gone, no temp left


def test_hf_refuses_to_replace_a_directory_that_is_not_a_dataset(tmp_path: Path) -> None:
    target = tmp_path / "home"
    target.mkdir()
    (target / "notes.txt").write_text("precious")
    with pytest.raises(ConfigError, match="not a saved dataset"):
        export_records(RECORDS, "hf", target)
    assert (target / "notes.txt").read_text() == "precious"


# ---------------------------------------------------------------- kept only


@pytest.mark.parametrize("fmt", FORMATS)
def test_kept_only_drops_filtered_and_near_duplicate_dialogues(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / TARGETS[fmt]
    assert export_records(RECORDS, fmt, target, kept_only=True) == 2
    assert exported_ids(fmt, read_back(fmt, target)) == ["kept", "kept2"]

    everything = tmp_path / f"all-{TARGETS[fmt]}"
    assert export_records(RECORDS, fmt, everything) == 4
    assert exported_ids(fmt, read_back(fmt, everything)) == ["kept", "dropped", "copy", "kept2"]


def test_kept_only_keeps_records_without_a_verdict(tmp_path: Path) -> None:
    unjudged = {"id": "u", "messages": [{"role": "user", "content": "hi", "turn": 1}]}
    null_duplicate = record("n", near_duplicate_of=None) | {"near_duplicate_of": None}
    assert export_records([unjudged, null_duplicate], "sharegpt", tmp_path / "x.json", kept_only=True) == 2


# ---------------------------------------------------------------- atomicity and errors


def fails_midway(fmt: str) -> list[dict[str, Any]]:
    """Two good records, then one the format cannot write."""
    bad = record("bad")
    if fmt in ("parquet", "hf"):
        bad["persona"]["attributes"] = {"tools": {"a set", "is not JSON"}}
    else:
        bad["messages"][1]["content"] = object()
    return [record("a"), record("b"), bad, record("c")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failure_midway_leaves_the_previous_export(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / TARGETS[fmt]
    export_records(RECORDS[:1], fmt, target)
    before = read_back(fmt, target)

    with pytest.raises(ConfigError, match="dialogue bad"):
        export_records(fails_midway(fmt), fmt, target)

    assert read_back(fmt, target) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failure_midway_leaves_no_file(fmt: str, tmp_path: Path) -> None:
    def records() -> Iterator[dict[str, Any]]:
        yield record("a")
        yield record("b")
        raise RuntimeError("reader crashed")

    target = tmp_path / TARGETS[fmt]
    with pytest.raises(RuntimeError, match="reader crashed"):
        export_records(records(), fmt, target)
    assert os.listdir(tmp_path) == []


def test_a_failure_while_saving_a_dataset_leaves_no_partial_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "train_hf"
    export_records(RECORDS[:1], "hf", target)

    def save_half(self: datasets.Dataset, path: str, **kwargs: Any) -> None:
        Path(path).mkdir()
        (Path(path) / "data-00000-of-00002.arrow").write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(datasets.Dataset, "save_to_disk", save_half)
    with pytest.raises(OSError, match="No space left"):
        export_records(RECORDS, "hf", target)
    monkeypatch.undo()

    assert datasets.load_from_disk(str(target))["id"] == ["kept"]
    assert os.listdir(tmp_path) == ["train_hf"]


def test_written_files_get_normal_permissions(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        export_records(RECORDS, "openai", tmp_path / "train.jsonl")
    finally:
        os.umask(previous)
    assert (tmp_path / "train.jsonl").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    ("fmt", "module", "package"), [("parquet", "pyarrow", "pyarrow"), ("hf", "datasets", "datasets")]
)
def test_a_missing_optional_dependency_is_one_clear_line(
    fmt: str, module: str, package: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    with pytest.raises(ConfigError) as caught:
        export_records(RECORDS, fmt, tmp_path / TARGETS[fmt])
    assert str(caught.value) == f"export --format {fmt} needs {package}: pip install -e '.[export]'"
    assert os.listdir(tmp_path) == []


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown format \(choose from openai, sharegpt, parquet, hf\)"):
        export_records(RECORDS, "csv", tmp_path / "x.csv")


@pytest.mark.parametrize("fmt", ["openai", "sharegpt", "parquet"])
def test_a_file_format_refuses_a_directory_target(fmt: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        export_records(RECORDS, fmt, tmp_path)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"messages": []}, "record 1 is not a dialogue record"),
        ({"id": "x", "messages": "hello"}, "dialogue x: messages must be a list"),
        (
            {"id": "x", "messages": [{"role": "system", "content": "hi"}]},
            "message 1 needs role user|assistant",
        ),
        ({"id": "x", "messages": [{"role": "user", "content": None}]}, "message 1 needs role user|assistant"),
    ],
)
def test_malformed_records_are_config_errors(bad: dict[str, Any], message: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=message):
        export_records([bad], "openai", tmp_path / "x.jsonl")
    assert os.listdir(tmp_path) == []


def test_a_wrongly_typed_field_names_its_dialogue(tmp_path: Path) -> None:
    bad = record("bad") | {"trial": "first"}
    with pytest.raises(ConfigError, match="dialogue bad: a field has the wrong type"):
        export_records([record("a"), bad], "parquet", tmp_path / "x.parquet")
    assert os.listdir(tmp_path) == []

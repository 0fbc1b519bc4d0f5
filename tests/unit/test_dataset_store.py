"""The dataset directory's records file: atomic appends, torn-line detection and repair."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.dataset_store import DatasetDir, read_records


def test_append_then_read_back(tmp_path: Path) -> None:
    store = DatasetDir(tmp_path / "out")
    store.prepare()
    for index in range(3):
        store.append({"id": f"d{index}", "text": "naïve ✓"})
    assert [record["id"] for record in store.records()] == ["d0", "d1", "d2"]
    assert store.finished_ids() == {"d0", "d1", "d2"}
    assert store.records_path.read_text(encoding="utf-8").count("\n") == 3


def test_torn_last_line_is_reported_skipped_and_repaired(tmp_path: Path) -> None:
    store = DatasetDir(tmp_path)
    store.append({"id": "a"})
    store.append({"id": "b"})
    with store.records_path.open("ab") as handle:  # a write cut off by a kill
        handle.write(b'{"id": "c", "mess')
    result = read_records(store.records_path)
    assert [record["id"] for record in result.records] == ["a", "b"]
    assert result.torn_tail and result.bad_lines == [3]

    assert store.repair() == len(b'{"id": "c", "mess')
    store.append({"id": "c"})
    result = read_records(store.records_path)
    assert [record["id"] for record in result.records] == ["a", "b", "c"]
    assert not result.torn_tail and not result.bad_lines


def test_a_complete_but_unterminated_json_line_is_still_treated_as_torn(tmp_path: Path) -> None:
    path = tmp_path / "dialogues.jsonl"
    path.write_bytes(json.dumps({"id": "a"}).encode() + b"\n" + json.dumps({"id": "b"}).encode())
    result = read_records(path)
    assert [record["id"] for record in result.records] == ["a"] and result.torn_tail


def test_unwritable_directory_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError, match=r"--out .*file/out: not writable"):
        DatasetDir(blocker / "out").prepare()


def test_records_stream_the_good_lines_of_a_damaged_file(tmp_path: Path) -> None:
    store = DatasetDir(tmp_path)
    store.append({"id": "a"})
    with store.records_path.open("ab") as handle:  # a foreign edit, a blank line, then a torn write
        handle.write(b"not json\n\n[1, 2]\n")
    store.append({"id": "b"})
    with store.records_path.open("ab") as handle:
        handle.write(b'{"id": "c"}')
    streamed = store.records()
    assert next(streamed)["id"] == "a"  # one record at a time, not the whole file
    assert [record["id"] for record in streamed] == ["b"]
    assert read_records(store.records_path).bad_lines == [2, 4, 6]
    assert store.finished_ids() == {"a", "b"}


def test_repair_finds_the_last_newline_far_from_the_end(tmp_path: Path) -> None:
    store = DatasetDir(tmp_path)
    store.append({"id": "a", "text": "x" * 10})
    torn = b'{"id": "b", "text": "' + b"y" * 200_000  # longer than the block read from the end
    with store.records_path.open("ab") as handle:
        handle.write(torn)
    assert store.repair() == len(torn)
    assert store.repair() == 0
    assert [record["id"] for record in store.records()] == ["a"]
    torn_only = tmp_path / "other"
    torn_only.mkdir()
    lone = DatasetDir(torn_only)
    lone.records_path.write_bytes(b'{"id": "c"')  # no newline at all: everything goes
    assert lone.repair() == len(b'{"id": "c"') and lone.records_path.read_bytes() == b""

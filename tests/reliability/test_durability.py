"""The records file under concurrent writers and a full disk; a batch whose store stops accepting."""

from __future__ import annotations

import asyncio
import errno
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from llm_roleplay import dataset_store
from llm_roleplay.batch import run_batch
from llm_roleplay.checkpoints import open_checkpointer
from llm_roleplay.dataset_store import DatasetDir, read_records
from llm_roleplay.generate import GenerateOptions, plan
from llm_roleplay.nodes.context import Context
from tests.reliability.harness import write_goals

THREADS, PER_THREAD = 8, 200
BLOB = "x" * 12_000  # lines well over PIPE_BUF (4 KiB), where unsynchronised appends could interleave


def test_concurrent_appends_give_whole_lines_exactly_once(tmp_path: Path) -> None:
    store = DatasetDir(tmp_path)
    store.prepare()

    def writer(thread: int) -> None:
        for index in range(PER_THREAD):
            store.append({"id": f"{thread}-{index}", "text": f"{BLOB}{thread}-{index}"})

    threads = [threading.Thread(target=writer, args=(thread,)) for thread in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = read_records(store.records_path)
    assert result.bad_lines == [] and not result.torn_tail
    assert Counter(record["id"] for record in result.records) == Counter(
        f"{thread}-{index}" for thread in range(THREADS) for index in range(PER_THREAD)
    )
    assert all(record["text"] == BLOB + record["id"] for record in result.records)


def test_a_short_write_leaves_no_partial_line_and_raises_enospc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DatasetDir(tmp_path)
    store.append({"id": "before", "text": "kept"})
    before = store.records_path.read_bytes()
    real_write = os.write

    def disk_full(fd: int, data: bytes) -> int:  # the kernel's answer when space runs out mid-write
        if b'"id":"victim"' not in data:
            return real_write(fd, data)
        return real_write(fd, data[: len(data) // 2])

    monkeypatch.setattr(dataset_store.os, "write", disk_full)
    with pytest.raises(OSError) as raised:
        store.append({"id": "victim", "text": BLOB})
    monkeypatch.undo()
    assert raised.value.errno == errno.ENOSPC
    assert store.records_path.read_bytes() == before
    store.append({"id": "after", "text": "written once space is back"})
    assert [record["id"] for record in store.records()] == ["before", "after"]


class ChatbotCalls:
    """A target chatbot that counts its calls (to show which dialogues ran again)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        self.calls += 1
        return f"Here is answer number {self.calls}, with a few concrete steps."


def test_a_failing_append_stops_the_batch_and_the_next_run_writes_the_dialogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chatbot = ChatbotCalls()
    context = Context(inquirer_model="fake", chatbot_model=chatbot, judge_model="none", max_turns=1)
    goals = write_goals(tmp_path / "goals.jsonl", 2)
    out = tmp_path / "dataset"
    cells = plan(GenerateOptions(goals=str(goals), out=out, personas=3, context=context)).cells
    store = DatasetDir(out)
    store.prepare()
    real_append = DatasetDir.append
    appends: list[str] = []

    def full_disk_once(self: DatasetDir, record: dict[str, Any]) -> None:
        appends.append(record["id"])
        if len(appends) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.records_path))
        real_append(self, record)

    monkeypatch.setattr(DatasetDir, "append", full_disk_once)
    report = asyncio.run(run_batch(cells, store, concurrency=1))
    monkeypatch.undo()
    unwritten = appends[1]
    assert (
        report.stopped
        and "No space left on device" in report.stopped
        and "run the same command" in report.stopped
    )
    assert report.finished == 1 and report.not_started == len(cells) - 1
    assert [record["id"] for record in store.records()] == [appends[0]]
    with open_checkpointer(store.checkpoint_path) as saver:  # the finished dialogue waits in its checkpoint
        assert saver.get_tuple({"configurable": {"thread_id": unwritten, "checkpoint_ns": ""}}) is not None

    calls_before = chatbot.calls
    rerun = asyncio.run(run_batch(cells, store, concurrency=1))
    assert rerun.stopped is None and rerun.finished == len(cells) - 1
    ids = Counter(record["id"] for record in store.records())
    assert set(ids) == {cell.dialogue_id for cell in cells} and set(ids.values()) == {1}
    assert chatbot.calls - calls_before == len(cells) - 2, "the checkpointed dialogue was not run again"

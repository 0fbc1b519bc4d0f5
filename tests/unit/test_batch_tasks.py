"""The batch runner keeps only running dialogues in memory, and still raises a setting's error."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

import pytest

from llm_roleplay.batch import BatchListener, run_batch
from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.cells import Cell
from llm_roleplay.dataset_store import DatasetDir
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.ids import dialogue_id

FAKE = Context(inquirer_model="fake", chatbot_model="fake", judge_model="fake")


def fake_cells(count: int, goal: str = "You want help with task {}.") -> list[Cell]:
    persona = {"attributes": {"occupation": "student"}, "source": "given"}
    cells = []
    for index in range(count):
        context = FAKE.model_copy(update={"seed": index})
        text = goal.format(index)
        cells.append(Cell(dialogue_id(text, persona, context), text, persona, context))
    return cells


class FinishedTasks(BatchListener):
    """Counts the finished asyncio tasks still alive when the last dialogue is recorded."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.alive_when_last_done = total, 0, -1

    def finished(self, record: dict[str, Any]) -> None:
        self.done += 1
        if self.done == self.total:
            gc.collect()
            tasks = [o for o in gc.get_objects() if isinstance(o, asyncio.Task) and o.done()]
            self.alive_when_last_done = len(tasks)


def test_finished_dialogues_leave_no_task_behind(tmp_path: Path) -> None:
    store = DatasetDir(tmp_path)
    store.prepare()
    listener = FinishedTasks(12)
    report = asyncio.run(run_batch(fake_cells(12), store, concurrency=2, listener=listener))
    assert report.finished == 12
    # Kept for the whole run, the 11 tasks finished before would still be there.
    assert 0 <= listener.alive_when_last_done <= 4  # the running ones, and one settling


def test_a_setting_that_fails_inside_a_dialogue_is_raised(tmp_path: Path) -> None:
    store = DatasetDir(tmp_path)
    store.prepare()
    cells = [*fake_cells(3), *fake_cells(1, goal="  ")]  # an empty goal is the user's error to fix
    with pytest.raises(ConfigError, match="goal"):
        asyncio.run(run_batch(cells, store, concurrency=2))

"""The batch loop around the circuit breaker: it trips on a streak, never on scattered errors, never
deadlocks, and its budget and cancellation paths still work."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from llm_roleplay.batch import run_batch
from llm_roleplay.cells import Cell
from llm_roleplay.dataset_store import DatasetDir
from llm_roleplay.generate import GenerateOptions, plan
from llm_roleplay.nodes.context import Context
from tests.reliability.harness import write_goals

GUARD_S = 30.0  # a deadlocked loop fails the test instead of hanging it


class Chatbot:
    """A target chatbot whose calls numbered in ``failing`` fail (all if None; it never sees the goal,
    so calls are told apart by number), and that tracks how many calls run at once."""

    def __init__(self, failing: set[int] | None = None, delay_s: float = 0.0) -> None:
        self.failing, self.delay_s = failing, delay_s
        self.calls = self.running = self.max_running = 0
        self.lock = threading.Lock()

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        with self.lock:
            self.calls += 1
            number = self.calls
            self.running += 1
            self.max_running = max(self.max_running, self.running)
        try:
            time.sleep(self.delay_s)
            if self.failing is None or number in self.failing:
                raise RuntimeError("provider is down")
            return "Here are a few concrete steps to try."
        finally:
            with self.lock:
                self.running -= 1


def cells_for(
    tmp_path: Path, chatbot: Chatbot, goals: int, personas: int = 2
) -> tuple[list[Cell], DatasetDir]:
    context = Context(inquirer_model="fake", chatbot_model=chatbot, judge_model="none", max_turns=1)
    path = write_goals(tmp_path / "goals.jsonl", goals)
    cells = plan(
        GenerateOptions(goals=str(path), out=tmp_path / "ds", personas=personas, context=context)
    ).cells
    store = DatasetDir(tmp_path / "ds")
    store.prepare()
    return cells, store


def batch(cells: list[Cell], store: DatasetDir, **options: Any) -> Any:
    return asyncio.run(asyncio.wait_for(run_batch(cells, store, **options), GUARD_S))


def test_errors_that_never_reach_the_threshold_are_recorded_without_deadlock(tmp_path: Path) -> None:
    cells, store = cells_for(tmp_path, Chatbot(failing=None), goals=3)
    report = batch(cells, store, concurrency=3, breaker_threshold=len(cells) + 1)
    assert report.stopped is None
    assert report.ended_by_error == {"chatbot_error": len(cells)}
    assert [record["termination_reason"] for record in store.records()] == ["chatbot_error"] * len(cells)


def test_scattered_errors_are_recorded_and_do_not_trip_the_breaker(tmp_path: Path) -> None:
    # one dialogue at a time, one call each: the 2nd and 5th dialogues fail, never two in a row
    cells, store = cells_for(tmp_path, Chatbot(failing={2, 5}), goals=6, personas=1)
    report = batch(cells, store, concurrency=1, breaker_threshold=2)
    assert report.stopped is None and report.finished == len(cells)
    endings = Counter(record["termination_reason"] for record in store.records())
    assert endings == {"chatbot_error": 2, "max_turns": 4}


def test_a_streak_trips_and_costs_no_more_than_the_running_wave(tmp_path: Path) -> None:
    chatbot = Chatbot(failing=None, delay_s=0.05)
    cells, store = cells_for(tmp_path, chatbot, goals=10)
    report = batch(cells, store, concurrency=4, breaker_threshold=3)
    assert report.stopped and "3 dialogues in a row ended with chatbot_error" in report.stopped
    assert list(store.records()) == []  # the outage leaves no error records
    assert report.not_started == len(cells) and report.finished == 0
    assert chatbot.calls <= 4, "after the first error, no new dialogue starts while others run"


def test_after_an_error_one_dialogue_at_a_time_probes_the_provider(tmp_path: Path) -> None:
    chatbot = Chatbot(failing=None, delay_s=0.05)
    cells, store = cells_for(tmp_path, chatbot, goals=5)
    report = batch(cells, store, concurrency=2, breaker_threshold=5)
    assert report.stopped and chatbot.calls == 5
    assert chatbot.max_running == 2  # the first wave; then probes, one at a time


def test_the_token_budget_still_stops_launching(tmp_path: Path) -> None:
    cells, store = cells_for(tmp_path, Chatbot(failing=set()), goals=3)
    report = batch(cells, store, concurrency=1, max_tokens=1)
    assert report.budget_reached and report.finished == 1 and report.not_started == len(cells) - 1
    rest = batch(cells, store, concurrency=2)
    assert rest.finished == len(cells) - 1 and rest.already_done == 1


def test_a_cancelled_batch_stops_cleanly_and_a_rerun_completes_it(tmp_path: Path) -> None:
    chatbot = Chatbot(failing=set(), delay_s=0.2)
    cells, store = cells_for(tmp_path, chatbot, goals=6)

    async def interrupted() -> None:
        await asyncio.wait_for(run_batch(cells, store, concurrency=3), 0.5)  # as Ctrl-C cancels asyncio.run

    with pytest.raises(TimeoutError):
        asyncio.run(interrupted())
    done = len(list(store.records()))
    assert done < len(cells)
    report = batch(cells, store, concurrency=3)
    ids = Counter(record["id"] for record in store.records())
    assert report.already_done == done and set(ids.values()) == {1} and len(ids) == len(cells)

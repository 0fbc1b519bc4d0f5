"""The coordinator's rules, run as plain asyncio (the Ray actor runs the same class on one loop):
global slots, retried tasks, leases, the breaker, the budget and exactly-once delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest

from llm_roleplay import coordinator as coordinator_module
from llm_roleplay.cells import Cell
from llm_roleplay.coordinator import Coordinator
from llm_roleplay.nodes.context import Context

T = TypeVar("T")
CONTEXT = Context(inquirer_model="fake", chatbot_model="fake", judge_model="none")


def cell(number: int) -> Cell:
    return Cell(f"dlg-{number}", f"goal {number}", {}, CONTEXT)


def record(number: int, ending: str = "goal_claimed", error: str | None = None) -> dict[str, Any]:
    return {"id": f"dlg-{number}", "termination_reason": ending, "error": error}


def failing(number: int) -> dict[str, Any]:
    return record(number, "chatbot_error", "APIConnectionError: Connection error.")


def run(awaitable: Awaitable[T]) -> T:
    async def guarded() -> T:
        return await asyncio.wait_for(awaitable, 5)

    return asyncio.run(guarded())


async def pending(awaitable: Awaitable[Any]) -> asyncio.Task[Any]:
    """Start ``awaitable`` and let it run until it blocks."""
    task = asyncio.ensure_future(awaitable)
    await asyncio.sleep(0.01)
    return task


def test_slots_are_global_and_freed_when_a_dialogue_ends() -> None:
    async def scenario() -> None:
        hub = Coordinator(2, None, 5, {})
        assert [await hub.admit("dlg-1"), await hub.admit("dlg-2")] == ["run", "run"]
        third = await pending(hub.admit("dlg-3"))
        assert not third.done(), "a third dialogue waits while two run"
        await hub.finished(cell(1), record(1), resumed=False)
        assert await third == "run"
        drained = await hub.drain()
        assert [r["id"] for r in drained.records] == ["dlg-1"] and drained.max_in_flight == 2

    run(scenario())


def test_a_retried_task_takes_over_its_dialogues_and_finished_ones_are_skipped() -> None:
    async def scenario() -> None:
        hub = Coordinator(1, None, 5, {})
        assert await hub.admit("dlg-1") == "run"
        assert await hub.admit("dlg-1") == "run", "the rerun of a dead task takes over its slot"
        await hub.finished(cell(1), record(1), resumed=True)
        await hub.finished(cell(1), record(1), resumed=True)  # a task thought dead delivers too
        assert await hub.admit("dlg-1") == "skip"
        drained = await hub.drain()
        assert len(drained.records) == 1 and drained.resumed == 1 and drained.running == 0

    run(scenario())


def test_the_slot_of_a_dead_process_is_freed_when_its_lease_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coordinator_module, "LEASE_S", 0.05)

    async def scenario() -> None:
        hub = Coordinator(1, None, 5, {})
        assert await hub.admit("dlg-1") == "run"
        waiting = await pending(hub.admit("dlg-2"))
        hub.progress(["dlg-1"], [])
        await hub.drain()
        assert not waiting.done(), "a reported dialogue keeps its slot"
        await asyncio.sleep(0.1)  # no report: its process is gone
        await hub.drain()
        assert await waiting == "run"

    run(scenario())


def test_a_task_that_failed_for_good_reports_its_started_dialogues_failed() -> None:
    async def scenario() -> None:
        hub = Coordinator(2, None, 5, {})
        await hub.admit("dlg-1")
        await hub.admit("dlg-2")
        await hub.finished(cell(1), record(1), resumed=False)
        await hub.abandon(["dlg-1", "dlg-2", "dlg-3"], "NodeDiedError: gone")
        drained = await hub.drain()
        assert drained.failed == [("dlg-2", "NodeDiedError: gone")], "only the started, unsettled one"
        assert drained.refused == 1, "dlg-3 never started: left for the next run"
        assert drained.running == 0

    run(scenario())


def test_an_error_streak_trips_the_breaker_for_the_whole_cluster() -> None:
    async def scenario() -> None:
        hub = Coordinator(4, None, 2, {})
        for number in (1, 2):
            assert await hub.admit(f"dlg-{number}") == "run"
        await hub.finished(cell(1), failing(1), resumed=False)
        blocked = await pending(hub.admit("dlg-3"))
        assert not blocked.done(), "no new dialogue while an error streak is open and others run"
        await hub.finished(cell(2), failing(2), resumed=False)
        assert await blocked == "stop"
        assert await hub.admit("dlg-4") == "stop"
        drained = await hub.drain()
        assert drained.records == [] and drained.dropped == ["dlg-1", "dlg-2"]
        assert drained.stopped and "2 dialogues in a row ended with chatbot_error" in drained.stopped
        assert drained.refused == 2

    run(scenario())


def test_a_broken_streak_is_recorded_and_the_end_releases_a_held_one() -> None:
    async def scenario() -> None:
        hub = Coordinator(1, None, 3, {})
        for number, result in [(1, failing(1)), (2, record(2)), (3, failing(3))]:
            assert await hub.admit(f"dlg-{number}") == "run"
            await hub.finished(cell(number), result, resumed=False)
        assert [r["id"] for r in (await hub.drain()).records] == ["dlg-1", "dlg-2"]
        hub.end()
        assert [r["id"] for r in (await hub.drain()).records] == ["dlg-3"]

    run(scenario())


def test_the_token_budget_counts_the_progress_of_every_task() -> None:
    async def scenario() -> None:
        hub = Coordinator(4, 100, 5, {})
        assert await hub.admit("dlg-1") == "run"
        hub.progress(["dlg-1"], [({"chatbot": {"input_tokens": 60, "output_tokens": 50}}, True)])
        assert await hub.admit("dlg-2") == "stop"
        drained = await hub.drain()
        assert drained.budget_reached and drained.refused == 1
        assert drained.steps == [({"chatbot": {"input_tokens": 60, "output_tokens": 50}}, True)]

    run(scenario())


def test_the_driver_stops_the_cluster_when_it_cannot_write() -> None:
    async def scenario() -> None:
        hub = Coordinator(4, None, 5, {})
        hub.stop("cannot write out/dialogues.jsonl (No space left on device)")
        assert await hub.admit("dlg-1") == "stop"
        assert "No space left" in str((await hub.drain()).stopped)

    run(scenario())

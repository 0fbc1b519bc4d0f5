"""Run many dialogues concurrently into a dataset directory, crash-safe and resumable.

At most ``concurrency`` dialogues are in flight. Each one runs the roleplay graph with an async
SQLite checkpointer (thread id = dialogue id) and, when finished, is appended to
``dialogues.jsonl``. Re-running the same plan skips finished dialogues and continues the
unfinished ones from their last checkpoint. A token budget stops the launch of new dialogues;
those in flight finish, and a later run picks up the rest.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig

from graphs.roleplay import compile_graph
from llm_roleplay.checkpoints import open_checkpointer
from llm_roleplay.dataset_store import DatasetDir
from llm_roleplay.errors import ConfigError
from llm_roleplay.ids import dialogue_id
from llm_roleplay.persona_grid import GridPlan
from llm_roleplay.records import record_from_state
from nodes.context import Context
from nodes.llm import error_text
from nodes.state import InputState


@dataclass(frozen=True)
class Cell:
    """One dialogue of the grid: a persona, a goal, a trial and the settings to run it with."""

    dialogue_id: str
    goal: str
    persona: dict[str, Any]
    context: Context
    extra: dict[str, Any] = field(default_factory=dict)  # goal id, domain, trial: copied to the record

    def graph_input(self) -> InputState:
        return InputState(goal=self.goal, persona=self.persona)


def cells_from_grid(grid: GridPlan, base: Context) -> list[Cell]:
    """One cell per grid cell: the persona as given to the graph, and the cell's own seed."""
    cells = []
    for cell in grid.cells:
        persona = cell.persona.model_dump()
        context = base.model_copy(update={"seed": cell.seed})
        cells.append(
            Cell(
                dialogue_id=dialogue_id(cell.goal.goal, persona, context),
                goal=cell.goal.goal,
                persona=persona,
                context=context,
                extra={"goal_id": cell.goal.id, "goal_domain": cell.goal.domain, "trial": cell.trial},
            )
        )
    return cells


@dataclass
class BatchReport:
    planned: int = 0
    already_done: int = 0
    finished: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    not_started: int = 0  # left for a later run by the token budget or an interruption
    tokens: dict[str, dict[str, int]] = field(default_factory=dict)
    max_in_flight: int = 0
    wall_s: float = 0.0
    budget_reached: bool = False


class BatchListener:
    """Receives progress events; the CLI's progress bar implements it."""

    def started(self, total: int, already_done: int) -> None: ...
    def step(self, usage: dict[str, dict[str, int]], new_turn: bool) -> None: ...
    def finished(self, record: dict[str, Any]) -> None: ...
    def failed(self, dialogue_id: str, error: str) -> None: ...


async def run_batch(
    cells: Sequence[Cell],
    store: DatasetDir,
    *,
    concurrency: int,
    max_tokens: int | None = None,
    listener: BatchListener | None = None,
) -> BatchReport:
    if concurrency < 1:
        raise ConfigError(f"--concurrency must be at least 1 (got {concurrency})")
    if max_tokens is not None and max_tokens < 0:
        raise ConfigError(f"--max-tokens must not be negative (got {max_tokens})")
    listener = listener or BatchListener()
    started = time.monotonic()
    store.repair()
    done = store.finished_ids()
    pending = [cell for cell in cells if cell.dialogue_id not in done]
    report = BatchReport(planned=len(cells), already_done=len(cells) - len(pending))
    listener.started(len(cells), report.already_done)
    # Nodes are sync functions; LangGraph runs them in the loop's default executor, whose default
    # size (cores + 4) would cap concurrency far below C.
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=concurrency + 4, thread_name_prefix="dialogue"))
    in_flight = 0

    with open_checkpointer(store.checkpoint_path) as saver:
        graph = compile_graph(saver)

        async def run_one(cell: Cell) -> None:
            nonlocal in_flight
            in_flight += 1
            report.max_in_flight = max(report.max_in_flight, in_flight)
            try:
                record = await _run_cell(graph, cell, report, listener)
                store.append(record)
                # The record is durable: the checkpoints are no longer needed (a kill before this
                # line leaves a stale thread, which is harmless: the id is skipped as finished).
                await saver.adelete_thread(cell.dialogue_id)
                report.finished += 1
                listener.finished(record)
            except ConfigError:
                raise
            except Exception as error:  # one broken dialogue must not stop the batch
                report.failed.append((cell.dialogue_id, error_text(error)))
                listener.failed(cell.dialogue_id, error_text(error))
            finally:
                in_flight -= 1

        slots = asyncio.Semaphore(concurrency)
        tasks: list[asyncio.Task[None]] = []
        for index, cell in enumerate(pending):
            await slots.acquire()
            if max_tokens is not None and _total_tokens(report.tokens) >= max_tokens:
                slots.release()
                report.budget_reached = True
                report.not_started = len(pending) - index
                break
            task = asyncio.create_task(run_one(cell))
            task.add_done_callback(lambda _: slots.release())
            tasks.append(task)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
    report.wall_s = time.monotonic() - started
    return report


async def _run_cell(graph: Any, cell: Cell, report: BatchReport, listener: BatchListener) -> dict[str, Any]:
    config = RunnableConfig(
        configurable={"thread_id": cell.dialogue_id}, run_name=f"roleplay {cell.dialogue_id}"
    )
    snapshot = await graph.aget_state(config)
    final = snapshot.values
    if not (snapshot.values and not snapshot.next):  # not finished before a crash: run or continue
        resuming = bool(snapshot.values or snapshot.next)
        async for mode, chunk in graph.astream(
            None if resuming else cell.graph_input(),
            config,
            context=cell.context,
            stream_mode=["updates", "values"],
            durability="sync",
        ):
            if mode == "values":
                final = chunk  # the whole state after each step: the last one is the result
                continue
            for values in chunk.values():
                if isinstance(values, dict):
                    usage = values.get("usage") or {}
                    _add_usage(report.tokens, usage)
                    listener.step(usage, new_turn=bool(values.get("messages")))
    record = record_from_state(final, cell.context).model_dump(mode="json")
    record.update(cell.extra)
    return record


def _add_usage(total: dict[str, dict[str, int]], usage: dict[str, dict[str, int]]) -> None:
    for role, counts in usage.items():
        bucket = total.setdefault(role, {})
        for key, value in counts.items():
            bucket[key] = bucket.get(key, 0) + value


def _total_tokens(usage: dict[str, dict[str, int]]) -> int:
    return sum(counts.get("input_tokens", 0) + counts.get("output_tokens", 0) for counts in usage.values())

"""Run many dialogues concurrently into a dataset directory, crash-safe and resumable.

At most ``concurrency`` dialogues are in flight. Each one runs the roleplay graph on one event
loop with a SQLite checkpointer (``InlineSqliteSaver``; thread id = dialogue id) and, when finished,
is appended to
``dialogues.jsonl``. Re-running the same plan skips finished dialogues and continues the
unfinished ones from their last checkpoint. A token budget stops the launch of new dialogues;
those in flight finish, and a later run picks up the rest.

A dialogue that ends by a model error (after the model's own retries) is an ordinary outcome: it is
recorded with its reason and error and the batch goes on. But when ``breaker_threshold`` dialogues
in a row end with the same error (same role, same exception type) the provider is down or
misconfigured: a circuit breaker stops launching, the dialogues of that streak are not recorded
(their checkpoints are dropped, so the next run starts them afresh), and the report says why. The
same happens when ``dialogues.jsonl`` cannot be written (a full disk): finished dialogues stay in
their checkpoints and the next run writes them.
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
from llm_roleplay.models import ROLES, Role
from llm_roleplay.persona_grid import GridPlan
from llm_roleplay.records import record_from_state
from nodes.context import Context
from nodes.llm import error_text, role_model
from nodes.state import InputState, TerminationReason

# Dialogues in a row ending with the same model error that stop a batch: enough not to trip on a
# few unlucky dialogues, few enough that a dead provider costs seconds, not the whole grid.
BREAKER_THRESHOLD = 5
ERROR_ENDINGS = frozenset(
    {
        TerminationReason.INQUIRER_ERROR.value,
        TerminationReason.CHATBOT_ERROR.value,
        TerminationReason.JUDGE_ERROR.value,
    }
)


@dataclass(frozen=True)
class Cell:
    """One dialogue of the grid: a persona, a goal, a trial and the settings to run it with."""

    dialogue_id: str
    goal: str
    persona: dict[str, Any]
    context: Context
    extra: dict[str, Any] = field(default_factory=dict)  # goal id, domain, trial, expect: into the record

    goal_parts: tuple[str, ...] | None = None
    expected_outcome: str | None = None

    def graph_input(self) -> InputState:
        state = InputState(goal=self.goal, persona=self.persona)
        if self.goal_parts:
            state["goal_parts"] = list(self.goal_parts)
        if self.expected_outcome:
            state["expected_outcome"] = self.expected_outcome
        return state


def cells_from_grid(grid: GridPlan, base: Context) -> list[Cell]:
    """One cell per grid cell: the persona as given to the graph, and the cell's own seed."""
    cells = []
    for cell in grid.cells:
        persona = cell.persona.model_dump()
        context = base.model_copy(update={"seed": cell.seed})
        cells.append(
            Cell(
                dialogue_id=dialogue_id(
                    cell.goal.goal, persona, context, cell.goal.parts, cell.goal.expected_outcome
                ),
                goal=cell.goal.goal,
                persona=persona,
                context=context,
                extra={
                    "goal_id": cell.goal.id,
                    "goal_domain": cell.goal.domain,
                    "trial": cell.trial,
                    "expect": cell.goal.expect,
                },
                goal_parts=cell.goal.parts,
                expected_outcome=cell.goal.expected_outcome,
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
    ended_by_error: dict[str, int] = field(default_factory=dict)  # reason -> dialogues recorded this run
    stopped: str | None = None  # why the batch stopped launching early (circuit breaker, unwritable store)

    @property
    def error_endings(self) -> int:
        """Dialogues recorded in this run that a failing model cut short."""
        return sum(self.ended_by_error.values())


Held = tuple[Cell, dict[str, Any]]


def error_signature(record: dict[str, Any]) -> str | None:
    """``reason: ExceptionType`` for a dialogue ended by a model error, else None."""
    reason = record.get("termination_reason")
    if reason not in ERROR_ENDINGS:
        return None
    return f"{reason}: {str(record.get('error') or '').partition(':')[0]}"


@dataclass
class CircuitBreaker:
    """Opens after ``threshold`` dialogues in a row end with the same model error.

    Error-ended records are held back while such a streak lasts: a dialogue that ends otherwise (or
    with another error) releases them to be recorded. If the streak reaches the threshold they are
    dropped instead, as are later ones with the same error, so that an outage leaves no error
    records behind and the next run redoes those dialogues.
    """

    threshold: int = BREAKER_THRESHOLD
    signature: str | None = None  # of the current streak
    streak: list[Held] = field(default_factory=list)
    dropped: list[Held] = field(default_factory=list)
    tripped: Held | None = None  # the dialogue that opened the breaker

    @property
    def open(self) -> bool:
        return self.tripped is not None

    def observe(self, cell: Cell, record: dict[str, Any]) -> list[Held]:
        """Take one finished dialogue; returns the dialogues to record now."""
        held = (cell, record)
        signature = error_signature(record)
        if self.tripped is not None:
            if signature == self.signature:
                self.dropped.append(held)
                return []
            return [held]
        if signature is None:
            return [*self.release(), held]
        released = self.release() if signature != self.signature else []
        self.signature = signature
        self.streak.append(held)
        if len(self.streak) >= self.threshold:
            self.tripped = held
            self.dropped += self.streak
            self.streak = []
        return released

    def release(self) -> list[Held]:
        """The held streak, to be recorded (at the end of a batch, or when the streak is broken)."""
        held, self.streak = self.streak, []
        if self.tripped is None:
            self.signature = None
        return held

    def take_dropped(self) -> list[Held]:
        dropped, self.dropped = self.dropped, []
        return dropped

    def reason(self) -> str:
        """One line naming the role, its model and endpoint, and the error."""
        if self.tripped is None:
            return ""
        cell, record = self.tripped
        ending = str(record.get("termination_reason"))
        role = _ROLE_OF_ENDING[ending]
        return (
            f"{role} model {role_model(cell.context, role).describe()}: {self.threshold} dialogues in a "
            f"row ended with {ending} ({record.get('error')}); stopped starting new dialogues: fix it and "
            "run the same command again"
        )


_ROLE_OF_ENDING: dict[str, Role] = {f"{role}_error": role for role in ROLES}


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
    breaker_threshold: int = BREAKER_THRESHOLD,
) -> BatchReport:
    """Run the cells not yet in ``store``, at most ``concurrency`` at a time (see the module doc).

    Raises ConfigError for impossible options and for a setting that fails inside a dialogue; any
    other failure of one dialogue is reported in ``BatchReport.failed`` and the batch goes on.
    """
    check_batch_options(concurrency, max_tokens)
    if breaker_threshold < 1:
        raise ConfigError(f"breaker threshold must be at least 1 (got {breaker_threshold})")
    return await _run_batch(cells, store, concurrency, max_tokens, listener, breaker_threshold)


def check_batch_options(concurrency: int, max_tokens: int | None) -> None:
    """Refuse impossible batch options (ConfigError) before anything is written."""
    if concurrency < 1:
        raise ConfigError(f"--concurrency must be at least 1 (got {concurrency})")
    if max_tokens is not None and max_tokens < 0:
        raise ConfigError(f"--max-tokens must not be negative (got {max_tokens})")


async def _run_batch(
    cells: Sequence[Cell],
    store: DatasetDir,
    concurrency: int,
    max_tokens: int | None,
    listener: BatchListener | None,
    breaker_threshold: int,
) -> BatchReport:
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
    breaker = CircuitBreaker(threshold=breaker_threshold)
    write_error: str | None = None
    running = 0  # dialogues launched and not yet settled

    with open_checkpointer(store.checkpoint_path) as saver:
        graph = compile_graph(saver)

        async def keep(cell: Cell, record: dict[str, Any]) -> None:
            """Append a finished dialogue; if that fails, leave it in its checkpoint and stop."""
            nonlocal write_error
            if write_error is None:
                try:
                    store.append(record)
                except OSError as error:
                    write_error = f"cannot write {store.records_path} ({error.strerror or error})"
                    report.stopped = report.stopped or (
                        f"{write_error}; stopped starting new dialogues (finished ones are kept in "
                        "checkpoints: free space and run the same command again)"
                    )
            if write_error is not None:
                report.not_started += 1  # its checkpoint stays: the next run writes it
                return
            # The record is durable: the checkpoints are no longer needed (a kill before this
            # line leaves a stale thread, which is harmless: the id is skipped as finished).
            await saver.adelete_thread(cell.dialogue_id)
            report.finished += 1
            ending = str(record.get("termination_reason"))
            if ending in ERROR_ENDINGS:
                report.ended_by_error[ending] = report.ended_by_error.get(ending, 0) + 1
            listener.finished(record)

        async def settle(results: list[Held]) -> None:
            for cell, record in results:
                await keep(cell, record)
            for cell, _ in breaker.take_dropped():  # left for the next run, to start afresh
                await saver.adelete_thread(cell.dialogue_id)
                report.not_started += 1
            if breaker.open and report.stopped is None:
                report.stopped = breaker.reason()

        async def run_one(cell: Cell) -> None:
            nonlocal running
            try:
                result = await _run_cell(graph, cell, report, listener)
                await settle(breaker.observe(cell, result))
            except ConfigError:
                raise
            except Exception as error:  # one broken dialogue must not stop the batch
                report.failed.append((cell.dialogue_id, error_text(error)))
                listener.failed(cell.dialogue_id, error_text(error))
            finally:
                running -= 1
                async with changed:
                    changed.notify_all()

        def may_launch() -> bool:
            """A free slot, and no error streak open unless nothing runs. After an error ending,
            nothing new starts until a running dialogue ends well (which closes the streak) or none
            is left: then one dialogue at a time probes the provider. So a provider that went down
            costs the dialogues that were running, then one at a time until the breaker trips, not
            wave after wave. Never blocks for good: each settled dialogue notifies, and nothing
            running makes it True."""
            return running < concurrency and (not breaker.streak or running == 0)

        changed = asyncio.Condition()
        tasks: list[asyncio.Task[None]] = []
        for index, cell in enumerate(pending):
            async with changed:
                await changed.wait_for(may_launch)
            if report.stopped is not None:
                report.not_started += len(pending) - index
                break
            if max_tokens is not None and _total_tokens(report.tokens) >= max_tokens:
                report.budget_reached = True
                report.not_started += len(pending) - index
                break
            running += 1  # counted at launch, not when the task first runs: may_launch sees it at once
            report.max_in_flight = max(report.max_in_flight, running)
            tasks.append(asyncio.create_task(run_one(cell)))
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        await settle(breaker.release())
    report.wall_s = time.monotonic() - started
    return report


async def _run_cell(graph: Any, cell: Cell, report: BatchReport, listener: BatchListener) -> dict[str, Any]:
    config = RunnableConfig(
        configurable={"thread_id": cell.dialogue_id}, run_name=f"roleplay {cell.dialogue_id}"
    )
    # The saver's own lookup, not graph.aget_state: no snapshot to build for the (usual) new dialogue.
    saved = await graph.checkpointer.aget_tuple(config)
    final: dict[str, Any] = saved.checkpoint["channel_values"] if saved else {}
    if "filter" not in final:  # the filter is the last step: without it, run or continue
        resuming = saved is not None
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

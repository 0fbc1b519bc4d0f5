"""Run many dialogues concurrently into a dataset directory, crash-safe and resumable.

At most ``concurrency`` dialogues are in flight. Each one runs the roleplay graph on one event
loop with a checkpointer (the dataset's SQLite file through ``InlineSqliteSaver``, or Postgres;
thread id = dialogue id) and, when finished, is appended to ``dialogues.jsonl``. Re-running the
same plan skips finished dialogues and continues the unfinished ones from their last checkpoint.
A token budget stops the launch of new dialogues; those in flight finish, and a later run picks up
the rest.

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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.models import ROLES, Role
from llm_roleplay.cells import Cell
from llm_roleplay.checkpoints import CheckpointDB, open_async_checkpointer
from llm_roleplay.dataset_store import DatasetDir
from llm_roleplay.graphs.roleplay import compile_graph
from llm_roleplay.nodes.llm import error_text, role_model
from llm_roleplay.nodes.state import TerminationReason
from llm_roleplay.records import record_from_state

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
    resumed: int = 0  # dialogues continued mid-way from a checkpoint

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


@dataclass
class Admission:
    """When the next dialogue may start: the launch policy of a batch, wherever its dialogues run.

    At most ``concurrency`` dialogues run at once. After an error ending, nothing new starts while
    others run, until a running dialogue ends well (which closes the streak) or none is left: then
    one dialogue at a time probes the provider. So a provider that went down costs the dialogues
    that were running, then one at a time until the breaker trips, not wave after wave. Nothing
    starts once the batch has stopped (breaker tripped, store unwritable) or the token budget is
    used. One machine keeps one in its event loop; a Ray run keeps one in its coordinator actor
    (:mod:`llm_roleplay.coordinator`), so the same rules hold across the cluster.
    """

    concurrency: int
    max_tokens: int | None = None
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    running: int = 0  # admitted and not yet released
    max_in_flight: int = 0
    tokens: dict[str, dict[str, int]] = field(default_factory=dict)
    budget_reached: bool = False
    stopped: str | None = None  # why the batch stopped launching early
    _changed: asyncio.Condition | None = None  # made in the event loop that first waits

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    def _may_launch(self) -> bool:
        # Never blocks for good: each release notifies, and nothing running makes it True.
        return self.running < self.concurrency and (not self.breaker.streak or self.running == 0)

    async def admit(self) -> bool:
        """Wait for a slot; False when no more dialogues are to start in this run."""
        changed = self._condition()
        async with changed:
            await changed.wait_for(self._may_launch)
        if self.stopped is not None:
            return False
        if self.max_tokens is not None and _total_tokens(self.tokens) >= self.max_tokens:
            self.budget_reached = True
            return False
        self.running += 1  # counted at admission, not when the dialogue first runs
        self.max_in_flight = max(self.max_in_flight, self.running)
        return True

    async def release(self) -> None:
        """An admitted dialogue has settled (recorded, held, dropped or failed)."""
        self.running -= 1
        changed = self._condition()
        async with changed:
            changed.notify_all()

    def add_usage(self, usage: dict[str, dict[str, int]]) -> None:
        add_usage(self.tokens, usage)

    def observe(self, cell: Cell, record: dict[str, Any]) -> list[Held]:
        """A finished dialogue passes the breaker; returns the dialogues to record now (the
        breaker's dropped ones wait in ``breaker.take_dropped()``)."""
        released = self.breaker.observe(cell, record)
        if self.breaker.open and self.stopped is None:
            self.stopped = self.breaker.reason()
        return released

    def stop(self, reason: str) -> None:
        self.stopped = self.stopped or reason


class RecordKeeper:
    """Appends finished dialogues to the dataset (the run's only writer of it) and drops their
    checkpoints once the record is durable. A record whose id is already in the dataset is not
    written again, so the output holds every dialogue exactly once even if one is delivered twice."""

    def __init__(
        self, store: DatasetDir, saver: Any, report: BatchReport, listener: BatchListener, done: set[str]
    ) -> None:
        self.store, self.saver, self.report, self.listener = store, saver, report, listener
        self.done = done
        self.write_error: str | None = None

    async def keep(self, record: dict[str, Any]) -> str | None:
        """Append one record; returns why launching must stop if the store cannot be written (the
        dialogue then stays in its checkpoint and the next run writes it)."""
        identifier = str(record["id"])
        if identifier in self.done:
            return None
        if self.write_error is None:
            try:
                self.store.append(record)
            except OSError as error:
                self.write_error = f"cannot write {self.store.records_path} ({error.strerror or error})"
        if self.write_error is not None:
            self.report.not_started += 1  # its checkpoint stays: the next run writes it
            return (
                f"{self.write_error}; stopped starting new dialogues (finished ones are kept in "
                "checkpoints: free space and run the same command again)"
            )
        self.done.add(identifier)
        # The record is durable: the checkpoints are no longer needed (a kill before this line
        # leaves a stale thread, which is harmless: the id is skipped as finished).
        await self.saver.adelete_thread(identifier)
        self.report.finished += 1
        ending = str(record.get("termination_reason"))
        if ending in ERROR_ENDINGS:
            self.report.ended_by_error[ending] = self.report.ended_by_error.get(ending, 0) + 1
        self.listener.finished(record)
        return None

    async def drop(self, dialogue_id: str) -> None:
        """A dialogue of an outage streak: not recorded, its checkpoints dropped (the next run
        starts it afresh)."""
        await self.saver.adelete_thread(dialogue_id)
        self.report.not_started += 1


async def run_batch(
    cells: Sequence[Cell],
    store: DatasetDir,
    *,
    concurrency: int,
    max_tokens: int | None = None,
    listener: BatchListener | None = None,
    breaker_threshold: int = BREAKER_THRESHOLD,
    db: CheckpointDB | None = None,
) -> BatchReport:
    """Run the cells not yet in ``store``, at most ``concurrency`` at a time (see the module doc).

    Checkpoints go to ``db`` (default: the dataset's SQLite file). Raises ConfigError for impossible
    options and for a setting that fails inside a dialogue; any other failure of one dialogue is
    reported in ``BatchReport.failed`` and the batch goes on.
    """
    check_batch_options(concurrency, max_tokens)
    if breaker_threshold < 1:
        raise ConfigError(f"breaker threshold must be at least 1 (got {breaker_threshold})")
    return await _run_batch(
        cells, store, concurrency, max_tokens, listener or BatchListener(), breaker_threshold, db
    )


def check_batch_options(concurrency: int, max_tokens: int | None) -> None:
    """Refuse impossible batch options (ConfigError) before anything is written."""
    if concurrency < 1:
        raise ConfigError(f"--concurrency must be at least 1 (got {concurrency})")
    if max_tokens is not None and max_tokens < 0:
        raise ConfigError(f"--max-tokens must not be negative (got {max_tokens})")


def start_report(
    cells: Sequence[Cell], store: DatasetDir, listener: BatchListener
) -> tuple[BatchReport, list[Cell], set[str]]:
    """Repair the dataset, and split the cells into finished and pending ones."""
    store.repair()
    done = store.finished_ids()
    pending = [cell for cell in cells if cell.dialogue_id not in done]
    report = BatchReport(planned=len(cells), already_done=len(cells) - len(pending))
    listener.started(len(cells), report.already_done)
    return report, pending, done


def use_dialogue_threads(concurrency: int) -> None:
    """Nodes are async, but what may block runs in the loop's default executor: LangGraph agent
    targets, function models and the recorded-calls cache. Its default size (cores + 4) would cap
    such dialogues far below ``concurrency``."""
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=concurrency + 4, thread_name_prefix="dialogue")
    )


async def _run_batch(
    cells: Sequence[Cell],
    store: DatasetDir,
    concurrency: int,
    max_tokens: int | None,
    listener: BatchListener,
    breaker_threshold: int,
    db: CheckpointDB | None,
) -> BatchReport:
    started = time.monotonic()
    report, pending, done = start_report(cells, store, listener)
    use_dialogue_threads(concurrency)
    admission = Admission(concurrency, max_tokens, CircuitBreaker(threshold=breaker_threshold))
    report.tokens = admission.tokens

    def on_step(usage: dict[str, dict[str, int]], new_turn: bool) -> None:
        admission.add_usage(usage)
        listener.step(usage, new_turn)

    async with open_async_checkpointer(db or store.checkpoint_path, pool_size=min(concurrency, 8)) as saver:
        graph = compile_graph(saver)
        keeper = RecordKeeper(store, saver, report, listener, done)

        async def settle(results: list[Held]) -> None:
            for _, record in results:
                reason = await keeper.keep(record)
                if reason:
                    admission.stop(reason)
            for cell, _ in admission.breaker.take_dropped():  # left for the next run, to start afresh
                await keeper.drop(cell.dialogue_id)

        async def run_one(cell: Cell) -> None:
            try:
                result = await run_cell(graph, cell, on_step)
                report.resumed += result.resumed
                await settle(admission.observe(cell, result.record))
            except ConfigError:
                raise
            except Exception as error:  # one broken dialogue must not stop the batch
                report.failed.append((cell.dialogue_id, error_text(error)))
                listener.failed(cell.dialogue_id, error_text(error))
            finally:
                await admission.release()

        # Only running dialogues are referenced: a finished one leaves nothing behind (its task,
        # coroutine and context would otherwise be kept until the end of a run of any length).
        running: set[asyncio.Task[None]] = set()
        raised: list[BaseException] = []

        def settled(task: asyncio.Task[None]) -> None:
            running.discard(task)
            error = None if task.cancelled() else task.exception()
            if error is not None:
                raised.append(error)

        for index, cell in enumerate(pending):
            if not await admission.admit():
                report.not_started += len(pending) - index
                break
            task = asyncio.create_task(run_one(cell))
            running.add(task)
            task.add_done_callback(settled)
        await asyncio.gather(*running, return_exceptions=True)
        if raised:
            raise raised[0]
        await settle(admission.breaker.release())
    report.stopped, report.budget_reached = admission.stopped, admission.budget_reached
    report.max_in_flight = admission.max_in_flight
    report.wall_s = time.monotonic() - started
    return report


@dataclass(frozen=True)
class CellResult:
    record: dict[str, Any]
    resumed: bool  # continued from a checkpoint of an unfinished dialogue


StepCallback = Callable[[dict[str, dict[str, int]], bool], None]  # (usage of a step, a new turn?)


async def run_cell(graph: Any, cell: Cell, on_step: StepCallback) -> CellResult:
    """Run one dialogue on ``graph`` (compiled with a checkpointer), or continue it from its
    checkpoint, or (already finished there) just read it back; returns its record."""
    config = RunnableConfig(
        configurable={"thread_id": cell.dialogue_id}, run_name=f"roleplay {cell.dialogue_id}"
    )
    # The saver's own lookup, not graph.aget_state: no snapshot to build for the (usual) new dialogue.
    saved = await graph.checkpointer.aget_tuple(config)
    final: dict[str, Any] = saved.checkpoint["channel_values"] if saved else {}
    resumed = False
    if "filter" not in final:  # the filter is the last step: without it, run or continue
        resumed = saved is not None
        async for mode, chunk in graph.astream(
            None if resumed else cell.graph_input(),
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
                    on_step(values.get("usage") or {}, bool(values.get("messages")))
    record = record_from_state(final, cell.context).model_dump(mode="json")
    record.update(cell.extra)
    return CellResult(record, resumed)


def add_usage(total: dict[str, dict[str, int]], usage: dict[str, dict[str, int]]) -> None:
    for role, counts in usage.items():
        bucket = total.setdefault(role, {})
        for key, value in counts.items():
            bucket[key] = bucket.get(key, 0) + value


def _total_tokens(usage: dict[str, dict[str, int]]) -> int:
    return sum(counts.get("input_tokens", 0) + counts.get("output_tokens", 0) for counts in usage.values())

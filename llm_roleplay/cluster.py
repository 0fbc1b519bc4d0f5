"""``roleplay generate --ray ADDRESS``: one dataset run spread over a Ray cluster.

The driver (the process that runs the command) plans the grid as on one machine, skips the ids
already in ``dialogues.jsonl``, and sends the rest in chunks (``--chunk-size`` dialogues) to Ray
tasks (:mod:`llm_roleplay.cluster_worker`), which Ray runs again elsewhere when their node dies.
Every dialogue checkpoints to the shared Postgres (``--db postgresql://...``), so a task run again
continues its dialogues where they stopped. One coordinator actor (:mod:`llm_roleplay.coordinator`),
placed on the driver's node, keeps ``--concurrency``, ``--ROLE-rps``, the token budget and the
circuit breaker global. Finished records come back to the driver, which stays the only writer of
``dialogues.jsonl`` (each id at most once) and of the manifest, and deletes a dialogue's checkpoints
once its record is durable; a driver killed at any moment loses nothing that a re-run of the same
command does not finish.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

from llm_roleplay.batch import (
    BREAKER_THRESHOLD,
    BatchListener,
    BatchReport,
    Cell,
    RecordKeeper,
    add_usage,
    check_batch_options,
    start_report,
)
from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.models import ROLES
from llm_roleplay.checkpoints import CheckpointDB, open_async_checkpointer
from llm_roleplay.cluster_options import DEFAULT_CHUNK_SIZE
from llm_roleplay.cluster_worker import Chunk, run_chunk
from llm_roleplay.coordinator import Coordinator, Drained
from llm_roleplay.dataset_store import DatasetDir
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.llm import error_text, role_model
from llm_roleplay.records import package_versions

TASK_RETRIES = 5  # reruns of a task whose node or worker process died
POLL_S = 0.2  # how often the driver collects finished dialogues and progress
PROBE_TIMEOUT_S = 5.0
# Tests and `--ray local` keep every Ray process on 127.0.0.1 (Ray's single-machine mode).
LOOPBACK_ONLY = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


def check_options(address: str, db: CheckpointDB, context: Context, chunk_size: int) -> None:
    """Cheap checks of a cluster run, before anything is read or started (ConfigError)."""
    if chunk_size < 1:
        raise ConfigError(f"--chunk-size must be at least 1 (got {chunk_size})")
    if address != "local" and not isinstance(db, str):
        raise ConfigError(
            f"--ray {address}: needs --db postgresql://... (checkpoints that every machine reaches; "
            "a SQLite file is only for --ray local)"
        )
    for role in ROLES:
        if role_model(context, role).spec == "local":
            raise ConfigError(
                f"--ray: the {role} is the embedded local model, which lives inside one process; "
                f"serve a model (vLLM, llama.cpp, ...) and pass --{role} openai:MODEL --{role}-base-url URL"
            )
    try:
        import ray  # noqa: F401
    except ImportError:
        raise ConfigError("--ray: needs the ray extra (pip install 'llm-roleplay[ray]')") from None


def connect(address: str) -> None:
    """Join the cluster at ``address`` (``auto``, ``local`` or ``host:port``), or start a local one.

    A cluster that is not there fails in seconds with one line (``ray.init`` itself would retry
    for minutes).
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no phoning home
    if address == "local":
        os.environ.setdefault(LOOPBACK_ONLY, "0")
    import ray

    if address != "local":
        _probe(address, _resolve(address))
    options: dict[str, Any] = {"include_dashboard": False} if address == "local" else {}
    try:
        ray.init(
            address=address,
            logging_level=logging.ERROR,
            log_to_driver=False,
            ignore_reinit_error=True,
            **options,
        )
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise ConfigError(f"--ray {address}: {str(error).strip().splitlines()[0]}") from None


def _resolve(address: str) -> str:
    """``host:port`` of the cluster's GCS, as ``ray.init`` would find it."""
    from ray._private.services import canonicalize_bootstrap_address

    try:
        resolved = canonicalize_bootstrap_address(address)
    except ConnectionError:
        raise ConfigError(
            f"--ray {address}: no running Ray cluster found (start one with `ray start --head`, "
            "or name it: --ray HOST:PORT)"
        ) from None
    except ValueError:
        raise ConfigError(f"--ray {address}: not an address (use auto, local or HOST:PORT)") from None
    if resolved is None:
        raise ConfigError(f"--ray {address}: no running Ray cluster found")
    return resolved


def _probe(address: str, resolved: str) -> None:
    host, _, port = resolved.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=PROBE_TIMEOUT_S):
            pass
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise ConfigError(
            f"--ray {address}: cannot connect to the Ray cluster at {resolved} ({reason.lower()}); "
            "is `ray start --head` running there?"
        ) from None


async def run_on_cluster(
    cells: Sequence[Cell],
    store: DatasetDir,
    *,
    db: CheckpointDB,
    concurrency: int,
    max_tokens: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    listener: BatchListener | None = None,
    breaker_threshold: int = BREAKER_THRESHOLD,
) -> BatchReport:
    """Run the cells not yet in ``store`` on the connected cluster (see the module doc); returns the
    same :class:`BatchReport` as the one-machine runner."""
    check_batch_options(concurrency, max_tokens)
    driver = _Driver(store, db, concurrency, max_tokens, chunk_size, listener or BatchListener())
    return await driver.run(cells, breaker_threshold)


def _start_coordinator(
    concurrency: int, max_tokens: int | None, breaker_threshold: int, rates: dict[str, float]
) -> Any:
    """The coordinator actor, on the driver's node (it lives and dies with the driver), using no
    CPU that a task could use."""
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    return (
        ray.remote(Coordinator)
        .options(
            num_cpus=0,
            max_concurrency=100_000,  # waiting admissions and rate-limited calls are parked coroutines
            scheduling_strategy=NodeAffinitySchedulingStrategy(
                ray.get_runtime_context().get_node_id(), soft=False
            ),
        )
        .remote(concurrency, max_tokens, breaker_threshold, rates)
    )


class _Driver:
    def __init__(
        self,
        store: DatasetDir,
        db: CheckpointDB,
        concurrency: int,
        max_tokens: int | None,
        chunk_size: int,
        listener: BatchListener,
    ) -> None:
        self.store, self.db, self.listener = store, db, listener
        self.concurrency, self.max_tokens, self.chunk_size = concurrency, max_tokens, chunk_size
        self.report = BatchReport()
        self.last = Drained()
        self.coordinator: Any = None

    async def run(self, cells: Sequence[Cell], breaker_threshold: int) -> BatchReport:
        import ray

        started = time.monotonic()
        self.report, pending, done = start_report(cells, self.store, self.listener)
        rates: dict[str, float] = (
            {role: getattr(cells[0].context, f"{role}_requests_per_second") for role in ROLES}
            if cells
            else {}
        )
        self.coordinator = _start_coordinator(self.concurrency, self.max_tokens, breaker_threshold, rates)
        task = ray.remote(run_chunk).options(num_cpus=1, max_retries=TASK_RETRIES, retry_exceptions=False)
        versions = package_versions()
        queue = deque(
            Chunk(list(pending[start : start + self.chunk_size]), self.db, versions)
            for start in range(0, len(pending), self.chunk_size)
        )
        # Enough tasks to fill every slot, and as many again waiting, so that a slot freed at the end
        # of a chunk is taken at once (tasks beyond the cluster's CPUs wait in Ray's queue).
        window = max(2, 2 * math.ceil(self.concurrency / self.chunk_size))
        in_flight: dict[asyncio.Future[Any], tuple[Any, Chunk]] = {}
        try:
            async with open_async_checkpointer(
                self.db, setup=False, application_name="roleplay driver"
            ) as saver:
                self.keeper = RecordKeeper(self.store, saver, self.report, self.listener, done)
                while queue or in_flight:
                    while queue and len(in_flight) < window and not self._stopping():
                        chunk = queue.popleft()
                        ref = task.remote(chunk, self.coordinator)
                        in_flight[asyncio.ensure_future(ref)] = (ref, chunk)
                    if self._stopping():  # the rest would only be refused
                        self.report.not_started += sum(len(chunk.cells) for chunk in queue)
                        queue.clear()
                    if in_flight:
                        ended, _ = await asyncio.wait(
                            in_flight, timeout=POLL_S, return_when=asyncio.FIRST_COMPLETED
                        )
                        for future in ended:
                            await self._task_ended(future, in_flight.pop(future)[1])
                    await self._collect()
                await self.coordinator.end.remote()
                await self._collect()
        finally:
            for ref, _ in in_flight.values():
                ray.cancel(ref, force=True)
            ray.kill(self.coordinator)
        report = self.report
        report.stopped, report.budget_reached = self.last.stopped, self.last.budget_reached
        report.not_started += self.last.refused
        report.max_in_flight = self.last.max_in_flight
        report.wall_s = time.monotonic() - started
        return report

    def _stopping(self) -> bool:
        return self.last.stopped is not None or self.last.budget_reached

    async def _task_ended(self, future: asyncio.Future[Any], chunk: Chunk) -> None:
        """A task returned, or failed for good: a setting that fails on a worker stops the run (exit
        2); any other failure leaves its unfinished dialogues for the next run."""
        from ray.exceptions import RayError, RayTaskError

        try:
            future.result()
        except RayTaskError as error:
            cause = error.cause
            if isinstance(cause, ConfigError):
                raise ConfigError(str(cause)) from None
            await self._abandon(chunk, error_text(cause) if cause else error_text(error))
        except RayError as error:
            await self._abandon(chunk, error_text(error))

    async def _abandon(self, chunk: Chunk, error: str) -> None:
        await self.coordinator.abandon.remote([cell.dialogue_id for cell in chunk.cells], error)

    async def _collect(self) -> None:
        """Write what the coordinator collected: the driver is the dataset's only writer."""
        drained: Drained = await self.coordinator.drain.remote()
        self.last = drained
        for usage, new_turn in drained.steps:
            add_usage(self.report.tokens, usage)
            self.listener.step(usage, new_turn)
        for record in drained.records:
            reason = await self.keeper.keep(record)
            if reason:
                await self.coordinator.stop.remote(reason)
        for dialogue_id in drained.dropped:
            await self.keeper.drop(dialogue_id)
        for dialogue_id, error in drained.failed:
            self.report.failed.append((dialogue_id, error))
            self.listener.failed(dialogue_id, error)
        self.report.resumed += drained.resumed

"""One Ray task of a cluster run: a chunk of dialogues, run by the batch runner's own cell runner.

The task builds everything it needs in its own process, because none of it travels: the graph is
compiled here from the module's builder (a compiled graph that went through cloudpickle raises
``InvalidUpdateError`` when invoked), the models are built here (keys are read from this machine's
environment or files), and the checkpoint pool is opened in this task's event loop. Each dialogue
asks the coordinator before it starts, continues from its checkpoint if it has one (a task that Ray
runs again after its node died picks its dialogues up where they stopped), and hands its record to
the coordinator when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.rate_limiters import BaseRateLimiter

from llm_roleplay.batch import run_cell, use_dialogue_threads
from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.models import ROLES, build_chat_model, share_rate_limiters
from llm_roleplay.cells import Cell
from llm_roleplay.checkpoints import CheckpointDB, open_async_checkpointer
from llm_roleplay.coordinator import ClusterRateLimiter
from llm_roleplay.graphs.roleplay import compile_graph
from llm_roleplay.nodes.llm import error_text, role_model
from llm_roleplay.records import package_versions

REPORT_EVERY_S = 0.25  # progress and leases go to the coordinator this often
POOL_SIZE = 4  # Postgres connections per task: one checkpoint write takes a few ms
DEFINING_VERSIONS = ("llm_roleplay", "prompts", "persona_schema")  # what dialogue ids depend on


@dataclass(frozen=True)
class Chunk:
    cells: list[Cell]
    db: CheckpointDB
    versions: dict[str, Any]  # the driver's: a worker with other ones would write other dialogues


def run_chunk(chunk: Chunk, coordinator: Any) -> None:
    """The Ray task: runs the chunk on its own event loop."""
    try:
        asyncio.run(_run_chunk(chunk, coordinator))
    except ConfigError as error:
        raise ConfigError(f"on worker {socket.gethostname()}: {error}") from None


async def _run_chunk(chunk: Chunk, coordinator: Any) -> None:
    _check_versions(chunk.versions)
    limiters: dict[str, BaseRateLimiter] = {role: ClusterRateLimiter(coordinator, role) for role in ROLES}
    share_rate_limiters(limiters)
    for role in ROLES:  # a spec or key that does not work on this machine fails before any dialogue
        settings = role_model(chunk.cells[0].context, role)
        if not settings.disabled:
            build_chat_model(settings)
    use_dialogue_threads(len(chunk.cells))
    async with open_async_checkpointer(
        chunk.db, pool_size=POOL_SIZE, setup=False, application_name=f"roleplay worker {_node()}"
    ) as saver:
        graph = compile_graph(saver)
        reporter = _Reporter(coordinator)

        async def one(cell: Cell) -> None:
            if await coordinator.admit.remote(cell.dialogue_id) != "run":
                return
            reporter.running.add(cell.dialogue_id)
            try:
                result = await run_cell(graph, cell, reporter.step)
            except ConfigError:
                raise
            except Exception as error:  # one broken dialogue must not stop the others
                await reporter.flush()
                await coordinator.failed.remote(cell.dialogue_id, error_text(error))
                return
            finally:
                reporter.running.discard(cell.dialogue_id)
            await reporter.flush()  # its usage reaches the budget before its record does
            await coordinator.finished.remote(cell, result.record, result.resumed)

        async with reporter.reporting():
            await asyncio.gather(*(one(cell) for cell in chunk.cells))


def _node() -> str:
    """This Ray node's id, shortened (Postgres keeps 63 characters of an application name)."""
    import ray

    return str(ray.get_runtime_context().get_node_id())[:16]


def _check_versions(expected: dict[str, Any]) -> None:
    here = package_versions()
    different = [name for name in DEFINING_VERSIONS if here.get(name) != expected.get(name)]
    if different:
        name = different[0]
        raise ConfigError(
            f"{name} is {here.get(name)!r} here but {expected.get(name)!r} on the driver: "
            "install the same llm-roleplay on every machine of the cluster"
        )


@dataclass
class _Reporter:
    """Collects step events and sends them, with the running dialogues (their leases), a few times
    a second: one actor call per task, not one per step."""

    coordinator: Any
    running: set[str] = field(default_factory=set)
    events: list[tuple[dict[str, dict[str, int]], bool]] = field(default_factory=list)

    def step(self, usage: dict[str, dict[str, int]], new_turn: bool) -> None:
        self.events.append((usage, new_turn))

    async def flush(self) -> None:
        events, self.events = self.events, []
        await self.coordinator.progress.remote(sorted(self.running), events)

    @contextlib.asynccontextmanager
    async def reporting(self) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                await asyncio.sleep(REPORT_EVERY_S)
                await self.flush()

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.flush()

"""The checkpoint store: LangGraph's checkpoints plus what is needed to resume a dialogue.

LangGraph stores the graph state per thread (thread id = dialogue id). The run settings are not
part of that state, so the same store keeps a small ``roleplay_runs`` table with each dialogue's
input and settings, and where ``roleplay run`` writes its record: ``roleplay resume ID`` needs
nothing but the id. ``roleplay clean`` (:mod:`llm_roleplay.checkpoint_cleanup`) drops finished
dialogues from a SQLite file, which would otherwise only grow.

The store (``--db``) is a SQLite file (the default) or a Postgres database named by a
``postgresql://`` URL (:mod:`llm_roleplay.postgres`), which many processes and machines can share.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, closing, contextmanager
from pathlib import Path
from typing import Any, NamedTuple, TypeAlias

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.sqlite import SqliteSaver

from llm_roleplay import postgres
from llm_roleplay.blocks.errors import ConfigError

DEFAULT_DB = Path(".roleplay") / "checkpoints.sqlite"

# Where checkpoints go: a SQLite file, or a ``postgresql://`` URL (kept as a string).
CheckpointDB: TypeAlias = Path | str


def parse_db(value: str) -> CheckpointDB:
    """``--db``: a Postgres URL stays a string, anything else is a SQLite file path."""
    return value if postgres.is_postgres_url(value) else Path(value)


def db_label(db: CheckpointDB) -> str:
    """The store as shown in messages and the manifest (a URL without its password)."""
    return postgres.safe_url(db) if isinstance(db, str) else str(db)


class InlineSqliteSaver(SqliteSaver):
    """A SqliteSaver that also serves LangGraph's async API, by running each call inline.

    A checkpoint write on a local SQLite file in WAL mode takes a fraction of a millisecond;
    ``AsyncSqliteSaver`` hands every statement to a helper thread, and those hand-offs cost more
    than the statements (measured: ~1 ms per turn of the batch runner's ~5 ms). Blocking the event
    loop for that fraction of a millisecond is the cheaper trade.

    A step's writes are committed with the step's checkpoint, which LangGraph puts right after them:
    one commit per step instead of two (a commit costs ~45 us here, ~0.25 ms per turn in all). Writes
    that no checkpoint follows (a step that raised) are committed when the file is closed; a process
    killed between the two loses the step, which the next run does again.
    """

    _deferring = threading.local()  # set while ``aput_writes`` runs, in the thread that runs it

    @contextmanager
    def cursor(self, transaction: bool = True) -> Iterator[sqlite3.Cursor]:
        with super().cursor(transaction and not getattr(self._deferring, "on", False)) as cur:
            yield cur

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self.get_tuple(config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        for item in self.list(config, filter=filter, before=before, limit=limit):
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self.put(config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        self._deferring.on = True
        try:
            self.put_writes(config, writes, task_id, task_path)
        finally:
            self._deferring.on = False

    async def adelete_thread(self, thread_id: str) -> None:
        self.delete_thread(thread_id)


def check_db(db: CheckpointDB) -> None:
    """A Postgres store must answer (and gets its tables) before anything is written; a SQLite
    file is created when first used."""
    if isinstance(db, str):
        with postgres.open_postgres_saver(db):
            pass


@contextmanager
def open_checkpointer(db: CheckpointDB) -> Iterator[BaseCheckpointSaver]:
    """A saver on ``db``, tables created if missing; it serves the sync and the async API when
    used in one thread or loop (the batch runner opens :func:`open_async_checkpointer` instead)."""
    if isinstance(db, str):
        with postgres.open_postgres_saver(db) as saver:
            yield saver
    else:
        with open_sqlite_checkpointer(db) as sqlite_saver:
            yield sqlite_saver


@asynccontextmanager
async def open_async_checkpointer(
    db: CheckpointDB, *, pool_size: int = 4, setup: bool = True, application_name: str = "roleplay"
) -> AsyncIterator[BaseCheckpointSaver]:
    """A saver for the running event loop: inline SQLite, or Postgres on a pool of this loop (its
    connections named ``application_name`` in ``pg_stat_activity``)."""
    if isinstance(db, str):
        async with postgres.open_async_postgres_saver(
            db, pool_size=pool_size, setup=setup, application_name=application_name
        ) as saver:
            yield saver
    else:
        with open_sqlite_checkpointer(db) as sqlite_saver:
            yield sqlite_saver


@contextmanager
def open_sqlite_checkpointer(path: Path) -> Iterator[InlineSqliteSaver]:
    """A saver on the SQLite file ``path`` (created with its folder if missing).

    WAL with ``synchronous=NORMAL``: a commit survives a killed process (not a power cut) without
    an fsync per checkpoint, which would otherwise dominate the per-step cost.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path), check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(f"checkpoint file {path}: {error}") from None
    with closing(connection):
        connection.execute(postgres.RUNS_TABLE)  # the same SQL in both dialects
        columns = {row[1] for row in connection.execute("PRAGMA table_info(roleplay_runs)")}
        if "record_path" not in columns:  # a file written before the column existed
            connection.execute("ALTER TABLE roleplay_runs ADD COLUMN record_path TEXT")
        connection.commit()
        try:
            yield InlineSqliteSaver(connection)
        finally:
            connection.commit()  # writes of a step that raised (see InlineSqliteSaver)


class SavedRun(NamedTuple):
    goal: str
    persona: Any
    context: dict[str, Any]
    record_path: str | None = None  # where ``roleplay run`` writes the record


def save_run(
    saver: BaseCheckpointSaver,
    dialogue_id: str,
    goal: str,
    persona: Any,
    context: dict[str, Any],
    record_path: str | None = None,
) -> None:
    row = (dialogue_id, goal, json.dumps(persona), json.dumps(context), record_path)
    if not isinstance(saver, SqliteSaver):
        postgres.save_run_postgres(saver, row)  # type: ignore[arg-type]
        return
    with saver.lock:
        saver.conn.execute(
            "INSERT OR REPLACE INTO roleplay_runs (dialogue_id, goal, persona, context, record_path) "
            "VALUES (?, ?, ?, ?, ?)",
            row,
        )
        saver.conn.commit()


def load_run(saver: BaseCheckpointSaver, dialogue_id: str) -> SavedRun | None:
    if not isinstance(saver, SqliteSaver):
        found = postgres.load_run_postgres(saver, dialogue_id)  # type: ignore[arg-type]
    else:
        with saver.lock:
            found = saver.conn.execute(
                "SELECT goal, persona, context, record_path FROM roleplay_runs WHERE dialogue_id = ?",
                (dialogue_id,),
            ).fetchone()
    if found is None:
        return None
    goal, persona, context, record_path = found
    return SavedRun(goal, json.loads(persona), json.loads(context), record_path)

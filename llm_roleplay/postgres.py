"""Checkpoints in Postgres (``--db postgresql://...``): LangGraph's Postgres savers, opened safely.

psycopg connections belong to the process and event loop that opened them, so every process (the
``run`` command, the batch runner, each Ray task) opens its own: one connection for the sync saver,
an ``AsyncConnectionPool`` inside the running event loop for the async one. Both use
``autocommit=True`` (LangGraph's savers expect every statement to commit on its own),
``prepare_threshold=0`` (every statement prepared on its first use, as LangGraph's own
``from_conn_string`` does) and dict rows (what the savers read). Sessions commit with
``synchronous_commit = off``: a commit returns before its WAL record is flushed to disk, which saves
a disk flush per checkpoint write (several per turn). A killed client loses nothing by it (the
server has the commit); a crash of the server itself may lose its last fraction of a second of
checkpoints, whose steps are then redone: the same guarantee as the SQLite file's
``synchronous=NORMAL``. Records never depend on it: they are written to ``dialogues.jsonl`` first.

The savers' tables are created on first use (``setup()``, a no-op once they exist), along with the
small ``roleplay_runs`` table that ``roleplay resume ID`` reads the dialogue's settings from.
Needs the ``postgres`` extra (``pip install 'llm-roleplay[postgres]'``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from llm_roleplay.blocks.errors import ConfigError

if TYPE_CHECKING:
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

URL_SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT_S = 5
_SESSION = "SET synchronous_commit = off"

# Each dialogue's input and settings, for `roleplay resume ID` (also used for SQLite files).
RUNS_TABLE = """
CREATE TABLE IF NOT EXISTS roleplay_runs (
    dialogue_id TEXT PRIMARY KEY,
    goal TEXT NOT NULL,
    persona TEXT,
    context TEXT NOT NULL,
    record_path TEXT
)
"""
_SAVE_RUN = """
INSERT INTO roleplay_runs (dialogue_id, goal, persona, context, record_path) VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (dialogue_id) DO UPDATE SET goal = EXCLUDED.goal, persona = EXCLUDED.persona,
    context = EXCLUDED.context, record_path = EXCLUDED.record_path
"""


def is_postgres_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(URL_SCHEMES)


def safe_url(url: str) -> str:
    """The URL without its password, for messages and files."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _connection_options(application_name: str) -> dict[str, Any]:
    from psycopg.rows import dict_row

    return {
        "application_name": application_name,  # who holds a connection, in pg_stat_activity
        "autocommit": True,
        "prepare_threshold": 0,
        "row_factory": dict_row,
        "connect_timeout": CONNECT_TIMEOUT_S,
    }


def _unreachable(url: str, error: BaseException) -> ConfigError:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    detail = lines[-1] if lines else type(error).__name__
    return ConfigError(f"checkpoint database {safe_url(url)}: {detail.removeprefix('FATAL:  ').strip()}")


def _missing_extra(url: str) -> ConfigError:
    return ConfigError(
        f"--db {safe_url(url)}: Postgres checkpoints need the postgres extra "
        "(pip install 'llm-roleplay[postgres]')"
    )


@contextmanager
def open_postgres_saver(
    url: str, setup: bool = True, application_name: str = "roleplay"
) -> Iterator[PostgresSaver]:
    """A sync saver on one connection; ConfigError (one line) if the server cannot be reached."""
    try:
        import psycopg
        from langgraph.checkpoint.postgres import PostgresSaver
    except ImportError:
        raise _missing_extra(url) from None
    try:
        connection = psycopg.connect(url, **_connection_options(application_name))
        connection.execute(_SESSION)
    except psycopg.Error as error:
        raise _unreachable(url, error) from None
    with connection:
        saver = PostgresSaver(connection)
        if setup:
            try:
                _retry_once_on_race(saver.setup)
                connection.execute(RUNS_TABLE)
                # a database set up before the column existed
                connection.execute("ALTER TABLE roleplay_runs ADD COLUMN IF NOT EXISTS record_path TEXT")
            except psycopg.Error as error:
                raise _unreachable(url, error) from None
        yield saver


def _retry_once_on_race(setup: Callable[[], None]) -> None:
    """Two processes setting up a fresh database at once: the loser's migration row collides."""
    import psycopg

    try:
        setup()
    except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable, psycopg.errors.DuplicateObject):
        setup()


@asynccontextmanager
async def open_async_postgres_saver(
    url: str, pool_size: int = 4, setup: bool = True, application_name: str = "roleplay"
) -> AsyncIterator[AsyncPostgresSaver]:
    """An async saver on a connection pool opened in the running event loop.

    ``setup=False`` where the tables are known to exist (Ray tasks: the driver set them up), so
    that many processes starting at once do not all run LangGraph's migrations.
    """
    try:
        import psycopg
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg_pool import AsyncConnectionPool
    except ImportError:
        raise _missing_extra(url) from None
    options = _connection_options(application_name)

    async def configure(connection: psycopg.AsyncConnection[Any]) -> None:
        await connection.execute(_SESSION)

    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        url,
        kwargs=options,
        min_size=1,
        max_size=max(1, pool_size),
        open=False,
        timeout=30,
        configure=configure,
    )
    try:
        await pool.open(wait=True, timeout=CONNECT_TIMEOUT_S + 1)
    except Exception as error:  # PoolTimeout hides the cause: ask the server once for a clear one
        await pool.close()
        try:
            await (await psycopg.AsyncConnection.connect(url, **options)).close()
        except psycopg.Error as cause:
            raise _unreachable(url, cause) from None
        raise _unreachable(url, error) from None
    try:
        saver = AsyncPostgresSaver(pool)
        if setup:
            try:
                try:
                    await saver.setup()
                except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable):
                    await saver.setup()  # another process set up a fresh database at the same moment
            except psycopg.Error as error:
                raise _unreachable(url, error) from None
        yield saver
    finally:
        await pool.close()


def save_run_postgres(saver: PostgresSaver, row: tuple[str, str, str, str, str | None]) -> None:
    """Save ``(dialogue_id, goal, persona JSON, context JSON, record path)``."""
    with saver.lock, saver.conn.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(_SAVE_RUN, row)


def load_run_postgres(saver: PostgresSaver, dialogue_id: str) -> tuple[str, str, str, str | None] | None:
    """``(goal, persona JSON, context JSON, record path)`` of a saved dialogue, or None."""
    with saver.lock, saver.conn.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(
            "SELECT goal, persona, context, record_path FROM roleplay_runs WHERE dialogue_id = %s",
            (dialogue_id,),
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return row["goal"], row["persona"], row["context"], row["record_path"]

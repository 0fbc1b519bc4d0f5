"""The checkpoint file: LangGraph's SQLite checkpoints plus what is needed to resume a dialogue.

LangGraph stores the graph state per thread (thread id = dialogue id). The run settings are not
part of that state, so the same file keeps a small ``roleplay_runs`` table with each dialogue's
input and settings: ``roleplay resume ID`` needs nothing but the id.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from llm_roleplay.errors import ConfigError

DEFAULT_DB = Path(".roleplay") / "checkpoints.sqlite"

_RUNS_TABLE = """
CREATE TABLE IF NOT EXISTS roleplay_runs (
    dialogue_id TEXT PRIMARY KEY,
    goal TEXT NOT NULL,
    persona TEXT,
    context TEXT NOT NULL
)
"""


@contextmanager
def open_checkpointer(path: Path) -> Iterator[SqliteSaver]:
    """A SqliteSaver on ``path`` (created with its folder if missing)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path), check_same_thread=False)
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(f"checkpoint file {path}: {error}") from None
    with closing(connection):
        connection.execute(_RUNS_TABLE)
        connection.commit()
        yield SqliteSaver(connection)


def save_run(saver: SqliteSaver, dialogue_id: str, goal: str, persona: Any, context: dict[str, Any]) -> None:
    with saver.lock:
        saver.conn.execute(
            "INSERT OR REPLACE INTO roleplay_runs VALUES (?, ?, ?, ?)",
            (dialogue_id, goal, json.dumps(persona), json.dumps(context)),
        )
        saver.conn.commit()


def load_run(saver: SqliteSaver, dialogue_id: str) -> tuple[str, Any, dict[str, Any]] | None:
    with saver.lock:
        row = saver.conn.execute(
            "SELECT goal, persona, context FROM roleplay_runs WHERE dialogue_id = ?", (dialogue_id,)
        ).fetchone()
    if row is None:
        return None
    goal, persona, context = row
    return goal, json.loads(persona), json.loads(context)

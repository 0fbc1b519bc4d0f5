"""Export dialogue records to the formats training and analysis tools read.

- ``openai``: chat fine-tuning JSONL, one ``{"messages": [{"role", "content"}, ...]}`` per line
  (no system message unless ``system_prompt`` is given).
- ``sharegpt``: one JSON file, a list of ``{"id", "conversations": [{"from": "human" | "gpt", "value"}]}``.
- ``parquet``: one row per dialogue, columns ``TABLE_COLUMNS`` (needs pyarrow).
- ``hf``: a Hugging Face ``datasets.Dataset`` with the same columns, ``save_to_disk``-ed (needs
  datasets).

Every format is written to a temporary file or directory beside the target and renamed over it
only when complete, so a failure midway (a malformed record, a full disk, Ctrl-C) leaves the
previous export, or nothing, never a partial one. Replacing an existing ``hf`` directory takes
two renames (old one aside, new one in), so a crash between them can leave the target missing but
never torn.

``kept_only`` exports what the filters kept: records whose ``filter.keep`` is false are dropped,
and so are records that carry a non-null ``near_duplicate_of`` (set by
``llm_roleplay.near_duplicates.mark_near_duplicates``), whose canonical dialogue is exported instead.
Records without a ``near_duplicate_of`` field are not checked for duplicates here.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.near_duplicates import is_kept_unique

FORMATS = ("openai", "sharegpt", "parquet", "hf")
TABLE_COLUMNS = (
    "id",
    "goal",
    "goal_id",
    "goal_domain",
    "trial",
    "persona_description",
    "persona_attributes",  # JSON text: attribute sets differ between persona schemas
    "persona_source",
    "messages",  # list of {role, content, turn}
    "n_turns",
    "termination_reason",
    "keep",
    "filter_reasons",
    "near_duplicate_of",
)
_SHAREGPT_ROLES = {"user": "human", "assistant": "gpt"}
_ROW_GROUP = 1024  # dialogues per parquet row group: bounded memory for any dataset size


@dataclass(frozen=True)
class _Message:
    role: str
    content: str
    turn: int


@dataclass(frozen=True)
class _Dialogue:
    """A record checked once, so that every format sees the same validated fields."""

    id: str
    messages: list[_Message]
    record: Mapping[str, Any]

    def row(self) -> dict[str, Any]:
        record = self.record
        persona = record.get("persona") or {}
        verdict = record.get("filter") or {}
        try:
            attributes = json.dumps(persona.get("attributes") or {}, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError) as error:
            raise ConfigError(
                f"export: dialogue {self.id}: persona attributes are not JSON ({error})"
            ) from None
        keep = verdict.get("keep")
        return {
            "id": self.id,
            "goal": _optional_str(record.get("goal")),
            "goal_id": _optional_str(record.get("goal_id")),
            "goal_domain": _optional_str(record.get("goal_domain")),
            "trial": record.get("trial"),
            "persona_description": _optional_str(persona.get("description")),
            "persona_attributes": attributes,
            "persona_source": _optional_str(persona.get("source")),
            "messages": [{"role": m.role, "content": m.content, "turn": m.turn} for m in self.messages],
            "n_turns": max((m.turn for m in self.messages), default=0),
            "termination_reason": _optional_str(record.get("termination_reason")),
            "keep": None if keep is None else bool(keep),
            "filter_reasons": [str(reason) for reason in verdict.get("reasons") or []],
            "near_duplicate_of": _optional_str(record.get("near_duplicate_of")),
        }


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _dialogue(record: Mapping[str, Any], position: int) -> _Dialogue:
    if not isinstance(record, Mapping) or "id" not in record:
        raise ConfigError(f"export: record {position} is not a dialogue record (no id)")
    ident = str(record["id"])
    raw = record.get("messages")
    if not isinstance(raw, list):
        raise ConfigError(f"export: dialogue {ident}: messages must be a list")
    messages = []
    for index, message in enumerate(raw, start=1):
        role = message.get("role") if isinstance(message, Mapping) else None
        content = message.get("content") if isinstance(message, Mapping) else None
        if role not in _SHAREGPT_ROLES or not isinstance(content, str):
            raise ConfigError(
                f"export: dialogue {ident}: message {index} needs role user|assistant and text content"
            )
        turn = message.get("turn")
        messages.append(_Message(role=role, content=content, turn=turn if isinstance(turn, int) else 0))
    return _Dialogue(id=ident, messages=messages, record=record)


def _dialogues(records: Iterable[Mapping[str, Any]], kept_only: bool) -> Iterator[_Dialogue]:
    for position, record in enumerate(records, start=1):
        dialogue = _dialogue(record, position)
        if not kept_only or is_kept_unique(record):
            yield dialogue


def export_records(
    records: Iterable[Mapping[str, Any]],
    fmt: str,
    to: Path,
    kept_only: bool = False,
    *,
    system_prompt: str | None = None,
) -> int:
    """Write ``records`` to ``to`` in format ``fmt``; returns the number of dialogues written.

    ``system_prompt`` (``openai`` only) is prepended to every conversation as a system message.
    Raises ConfigError for an unknown format, a missing optional dependency, an unusable target
    or a malformed record; the target is then left as it was.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"export --format {fmt}: unknown format (choose from {', '.join(FORMATS)})")
    if system_prompt is not None and fmt != "openai":
        raise ConfigError(f"export --format {fmt}: a system prompt is only written by --format openai")
    to = Path(to)
    dialogues = _dialogues(records, kept_only)
    if fmt == "openai":
        return _write_file(to, lambda handle: _write_openai(dialogues, handle, system_prompt))
    if fmt == "sharegpt":
        return _write_file(to, lambda handle: _write_sharegpt(dialogues, handle))
    if fmt == "parquet":
        pa, pq = _import_pyarrow(fmt)
        return _write_file(to, lambda handle: _write_parquet(dialogues, handle, pa, pq), binary=True)
    return _write_hf(dialogues, to)


def _write_openai(dialogues: Iterable[_Dialogue], handle: IO[str], system_prompt: str | None) -> int:
    count = 0
    for dialogue in dialogues:
        messages = [{"role": "system", "content": system_prompt}] if system_prompt is not None else []
        messages += [{"role": m.role, "content": m.content} for m in dialogue.messages]
        handle.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_sharegpt(dialogues: Iterable[_Dialogue], handle: IO[str]) -> int:
    """Streamed item by item, so that a large dataset is never held as one JSON string."""
    count = 0
    handle.write("[")
    for dialogue in dialogues:
        item = {
            "id": dialogue.id,
            "conversations": [
                {"from": _SHAREGPT_ROLES[m.role], "value": m.content} for m in dialogue.messages
            ],
        }
        handle.write(("\n" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
        count += 1
    handle.write("\n]\n")
    return count


def _import_pyarrow(fmt: str) -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(f"export --format {fmt} needs pyarrow: pip install -e '.[export]'") from None
    return pa, pq


def _arrow_schema(pa: Any) -> Any:
    message = pa.struct([("role", pa.string()), ("content", pa.string()), ("turn", pa.int64())])
    types = {
        "id": pa.string(),
        "goal": pa.string(),
        "goal_id": pa.string(),
        "goal_domain": pa.string(),
        "trial": pa.int64(),
        "persona_description": pa.string(),
        "persona_attributes": pa.string(),
        "persona_source": pa.string(),
        "messages": pa.list_(message),
        "n_turns": pa.int64(),
        "termination_reason": pa.string(),
        "keep": pa.bool_(),
        "filter_reasons": pa.list_(pa.string()),
        "near_duplicate_of": pa.string(),
    }
    return pa.schema([(name, types[name]) for name in TABLE_COLUMNS])


def _table(rows: list[dict[str, Any]], pa: Any, schema: Any) -> Any:
    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        culprit = "a dialogue"
        for row in rows:  # name the culprit: only on this failure path, one row at a time
            try:
                pa.Table.from_pylist([row], schema=schema)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                culprit = f"dialogue {row['id']}"
                break
        raise ConfigError(f"export: {culprit}: a field has the wrong type ({error})") from None


def _batches(dialogues: Iterable[_Dialogue]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for dialogue in dialogues:
        batch.append(dialogue.row())
        if len(batch) == _ROW_GROUP:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_parquet(dialogues: Iterable[_Dialogue], handle: IO[bytes], pa: Any, pq: Any) -> int:
    schema = _arrow_schema(pa)
    count = 0
    with pq.ParquetWriter(handle, schema) as writer:
        for batch in _batches(dialogues):
            writer.write_table(_table(batch, pa, schema))
            count += len(batch)
        if count == 0:
            writer.write_table(schema.empty_table())
    return count


def _write_hf(dialogues: Iterable[_Dialogue], to: Path) -> int:
    try:
        from datasets import Dataset
        from datasets.table import InMemoryTable
    except ImportError:
        raise ConfigError("export --format hf needs datasets: pip install -e '.[export]'") from None
    pa, _ = _import_pyarrow("hf")
    if to.exists() and not to.is_dir():
        raise ConfigError(f"export --to {to}: exists and is not a directory (--format hf writes a directory)")
    if to.is_dir() and any(to.iterdir()) and not (to / "state.json").exists():
        # Replacing the target removes what was there: only ever an earlier saved dataset.
        raise ConfigError(f"export --to {to}: a non-empty directory that is not a saved dataset")
    schema = _arrow_schema(pa)
    tables = [_table(batch, pa, schema) for batch in _batches(dialogues)]
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    dataset = Dataset(InMemoryTable(table))  # the arrow table as is: no second conversion
    with _temporary_beside(to) as temp:
        dataset.save_to_disk(str(temp))
        if to.exists():
            old = _temporary_name(to)
            os.replace(to, old)
            os.replace(temp, to)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temp, to)
    return len(dataset)


def _temporary_name(to: Path) -> Path:
    return to.parent / f".{to.name}.{secrets.token_hex(6)}.tmp"


@contextmanager
def _temporary_beside(to: Path) -> Iterator[Path]:
    """A fresh temporary path beside ``to`` (same file system, so renames are atomic); whatever
    is left there at the end, because the write failed, is removed."""
    try:
        to.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"export --to {to}: cannot create {to.parent} ({error.strerror or error})"
        ) from None
    temp = _temporary_name(to)
    try:
        yield temp
    finally:
        if temp.is_dir():
            shutil.rmtree(temp, ignore_errors=True)
        elif temp.exists():
            temp.unlink()


def _write_file(to: Path, write: Callable[[Any], int], binary: bool = False) -> int:
    """Run ``write`` on a temporary file beside ``to``; rename it over ``to`` once complete."""
    if to.is_dir():
        raise ConfigError(f"export --to {to}: is a directory (this format writes one file)")
    with _temporary_beside(to) as temp:
        # O_EXCL: never reuse someone else's file; mode 0o666 lets the umask set permissions.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with open(fd, "wb") if binary else open(fd, "w", encoding="utf-8") as handle:
            count = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, to)
    return count

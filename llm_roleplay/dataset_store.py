"""A dataset directory: the unit of work of ``roleplay generate``.

    DIR/dialogues.jsonl     one finished dialogue record per line, appended atomically
    DIR/manifest.json       configuration, versions, counts, funnel, distributions (rewritten atomically)
    DIR/checkpoints.sqlite  LangGraph checkpoints of dialogues in flight (thread id = dialogue id)
    DIR/near_duplicates.json  duplicate id -> canonical id, over the whole set

A record line is written with a single ``write`` on an ``O_APPEND`` descriptor and fsynced, and
only after its dialogue finished; so after a crash every dialogue is either absent (and resumes
from its checkpoint) or present exactly once. The only damage a kill can do is a torn last line:
readers skip and report it, and :meth:`DatasetDir.repair` cuts it off before new lines are added.
"""

from __future__ import annotations

import errno
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.records import write_json_atomic

RECORDS_FILE = "dialogues.jsonl"
MANIFEST_FILE = "manifest.json"
CHECKPOINT_FILE = "checkpoints.sqlite"
NEAR_DUPLICATES_FILE = "near_duplicates.json"


@dataclass
class ReadResult:
    records: list[dict[str, Any]] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)  # 1-based line numbers that did not parse
    torn_tail: bool = False  # the last line has no newline: a write was cut off


def read_records(path: Path) -> ReadResult:
    """Every complete record in ``path``; unparseable lines are reported, never fatal.

    Whatever bytes are in the file (a torn write, a foreign edit, garbage), reading yields the good
    lines and the numbers of the bad ones; only a file that cannot be read at all is a ConfigError.
    """
    result = ReadResult()
    for number, line in _lines(path):
        if not line.endswith(b"\n"):  # the last line, cut off by a kill in mid-write
            result.torn_tail = True
            if line.strip():
                result.bad_lines.append(number)
        elif line.strip():
            record = _parse_line(line)
            if record is None:
                result.bad_lines.append(number)
            else:
                result.records.append(record)
    return result


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    """The good records of ``path`` (as :func:`read_records` finds them), one at a time: a pass over
    a dataset of any size holds one record in memory, not the whole file."""
    for _, line in _lines(path):
        if line.endswith(b"\n") and line.strip() and (record := _parse_line(line)) is not None:
            yield record


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based number, bytes with the newline) of each line; nothing for a missing file."""
    try:
        with path.open("rb") as handle:
            yield from enumerate(handle, start=1)
    except FileNotFoundError:
        return
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the records ({error.strerror or error})") from None


def _parse_line(line: bytes) -> dict[str, Any] | None:
    """One record line as written by :meth:`DatasetDir.append` (UTF-8 JSON object with an id)."""
    try:
        record = json.loads(line.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; deep nesting recurses
        return None
    return record if isinstance(record, dict) and "id" in record else None


class DatasetDir:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.records_path = root / RECORDS_FILE
        self.manifest_path = root / MANIFEST_FILE
        self.checkpoint_path = root / CHECKPOINT_FILE
        self.near_duplicates_path = root / NEAR_DUPLICATES_FILE
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Create the directory, or fail with one line if it cannot be written."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise ConfigError(f"--out {self.root}: not writable ({error.strerror or error})") from None

    def read_manifest(self) -> dict[str, Any] | None:
        if not self.manifest_path.exists():
            return None
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ConfigError(f"{self.manifest_path}: unreadable manifest ({error})") from None
        return manifest if isinstance(manifest, dict) else None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_json_atomic(self.manifest_path, manifest)

    def repair(self) -> int:
        """Cut a torn last line off the records file; returns the number of bytes removed."""
        if not self.records_path.exists():
            return 0
        try:
            with self.records_path.open("r+b") as handle:
                size = handle.seek(0, os.SEEK_END)
                keep = _after_last_newline(handle, size)
                if keep == size:
                    return 0
                handle.truncate(keep)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            raise ConfigError(f"{self.records_path}: cannot repair ({error.strerror or error})") from None
        return size - keep

    def finished_ids(self) -> set[str]:
        return {str(record["id"]) for record in iter_records(self.records_path)}

    def append(self, record: dict[str, Any]) -> None:
        """Append one record as one line, in one write, durable before returning."""
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            created = not self.records_path.exists()
            fd = os.open(self.records_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                written = os.write(fd, line)
                if written != len(line):  # a full disk: leave no partial line behind
                    os.ftruncate(fd, os.fstat(fd).st_size - written)
                    raise OSError(
                        errno.ENOSPC,
                        f"short write ({written} of {len(line)} bytes; disk full?)",
                        str(self.records_path),
                    )
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:  # the new file's directory entry must survive a crash too
                _fsync_directory(self.root)

    def records(self) -> Iterator[dict[str, Any]]:
        yield from iter_records(self.records_path)


def _after_last_newline(handle: BinaryIO, size: int, block: int = 1 << 16) -> int:
    """The offset just past the file's last newline (0 if none), reading backwards from the end:
    a torn tail is found without reading a records file of any size into memory."""
    end = size
    while end > 0:
        start = max(0, end - block)
        handle.seek(start)
        newline = handle.read(end - start).rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        end = start
    return 0


def _fsync_directory(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory descriptors
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)

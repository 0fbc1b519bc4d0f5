"""``roleplay clean``: drop the checkpoints of finished dialogues from a checkpoint file.

``roleplay run`` keeps every dialogue's checkpoints in ``.roleplay/checkpoints.sqlite`` (so that the
same command returns a finished dialogue without running it again); nothing else ever removes
them. A dialogue is finished when its last checkpoint holds the filter verdict, the graph's last
step: its record has been written from it. Unfinished dialogues stay resumable unless asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.runnables import RunnableConfig

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.checkpoints import open_sqlite_checkpointer
from llm_roleplay.console import plural


@dataclass
class CleanReport:
    finished: list[str] = field(default_factory=list)  # dropped
    unfinished: list[str] = field(default_factory=list)  # dropped with ``unfinished``, else kept
    dropped_unfinished: bool = False
    dry_run: bool = False
    bytes_before: int = 0
    bytes_after: int = 0

    def summary(self, path: Path) -> str:
        verb = "would drop" if self.dry_run else "dropped"
        dropped = len(self.finished) + (len(self.unfinished) if self.dropped_unfinished else 0)
        line = f"{path}: {verb} the checkpoints of {plural(dropped, 'dialogue')}"
        line += f" ({len(self.finished)} finished"
        line += f", {len(self.unfinished)} unfinished)" if self.dropped_unfinished else ")"
        if not self.dry_run:
            line += f"; {_size(self.bytes_before)} -> {_size(self.bytes_after)}"
        if self.unfinished and not self.dropped_unfinished:
            first = self.unfinished[0]
            line += (
                f"; kept {plural(len(self.unfinished), 'unfinished dialogue')} "
                f"(continue with roleplay resume {first}, or drop with --unfinished)"
            )
        return line


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 100_000 else f"{count / 1e3:.0f} kB"


def _file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def clean_checkpoints(path: Path, *, unfinished: bool = False, dry_run: bool = False) -> CleanReport:
    """Drop the checkpoints of finished dialogues (and with ``unfinished`` the others too), then
    compact the file. A dialogue is finished when its last checkpoint holds the filter verdict (the
    graph's last step); the record written from it no longer needs the checkpoint."""
    if not path.is_file():
        raise ConfigError(f"--db {path}: no such checkpoint file")
    report = CleanReport(dropped_unfinished=unfinished, dry_run=dry_run, bytes_before=_file_bytes(path))
    with open_sqlite_checkpointer(path) as saver:
        saver.setup()
        with saver.lock:
            threads = {row[0] for row in saver.conn.execute("SELECT DISTINCT thread_id FROM checkpoints")}
            threads |= {row[0] for row in saver.conn.execute("SELECT dialogue_id FROM roleplay_runs")}
        for thread in sorted(threads):
            saved = saver.get_tuple(RunnableConfig(configurable={"thread_id": thread}))
            done = saved is not None and "filter" in saved.checkpoint["channel_values"]
            (report.finished if done else report.unfinished).append(thread)
        if not dry_run:
            for thread in report.finished + (report.unfinished if unfinished else []):
                saver.delete_thread(thread)
                with saver.lock:
                    saver.conn.execute("DELETE FROM roleplay_runs WHERE dialogue_id = ?", (thread,))
                    saver.conn.commit()
            saver.conn.execute("VACUUM")
            saver.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report.bytes_after = _file_bytes(path) if not dry_run else report.bytes_before
    return report

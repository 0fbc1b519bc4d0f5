"""Progress of a long batch on stderr: done/failed, turns/s, tokens/s and ETA.

On a terminal one line is redrawn in place (at most 4 times a second); in a log (not a TTY) a
plain line is printed every ``log_every_s`` seconds, so CI logs and ``nohup`` files stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from llm_roleplay.batch import BatchListener
from llm_roleplay.console import plural


class ProgressBar(BatchListener):
    def __init__(self, stream: TextIO | None = None, log_every_s: float = 10.0, width: int = 24) -> None:
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.log_every_s = log_every_s
        self.width = width
        self.total = self.done = self.failed_count = self.turns = self.tokens = 0
        self._start = time.monotonic()
        self._new_done = 0
        self._last_draw = 0.0

    def started(self, total: int, already_done: int) -> None:
        self.total, self.done = total, already_done
        self._start = time.monotonic()
        if already_done:
            print(
                f"{already_done} of {plural(total, 'dialogue')} already in the output; continuing",
                file=self.stream,
            )
        self._draw(force=True)

    def step(self, usage: dict[str, dict[str, int]], new_turn: bool) -> None:
        self.tokens += sum(c.get("input_tokens", 0) + c.get("output_tokens", 0) for c in usage.values())
        self.turns += int(new_turn)
        self._draw()

    def finished(self, record: dict[str, Any]) -> None:
        self.done += 1
        self._new_done += 1
        self._draw()

    def failed(self, dialogue_id: str, error: str) -> None:
        self.failed_count += 1
        print(f"\ndialogue {dialogue_id} failed: {error}", file=self.stream)
        self._draw(force=True)

    def close(self) -> None:
        if not self.total:
            return  # never started (e.g. the settings were refused)
        self._draw(force=True)
        if self.interactive:
            print(file=self.stream)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self._start, 1e-6)
        finished = self.done + self.failed_count
        filled = int(self.width * finished / self.total) if self.total else self.width
        remaining = self.total - finished
        eta = remaining * elapsed / self._new_done if self._new_done else None
        return (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} done, "
            f"{self.failed_count} failed | {self.turns / elapsed:.2f} turns/s, "
            f"{self.tokens / elapsed:.0f} tok/s | ETA {_duration(eta)}"
        )

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        interval = 0.25 if self.interactive else self.log_every_s
        if not force and now - self._last_draw < interval:
            return
        self._last_draw = now
        if self.interactive:
            print("\r" + self.line(), end="", file=self.stream, flush=True)
        else:
            print(self.line(), file=self.stream, flush=True)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "--"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"

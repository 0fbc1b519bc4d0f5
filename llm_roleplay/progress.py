"""Progress of a long batch on stderr: done/failed, turns/s, tokens/s and ETA.

The batch runner's listener drawn with the project's one progress display
(:mod:`llm_roleplay.blocks.progress_display`): redrawn in place on a terminal, plain periodic lines
in a log.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

from llm_roleplay.batch import BatchListener
from llm_roleplay.blocks.progress_display import ProgressDisplay
from llm_roleplay.console import plural


class ProgressBar(BatchListener):
    def __init__(self, stream: TextIO | None = None, log_every_s: float = 10.0, width: int = 24) -> None:
        self.failed_count = self.turns = self.tokens = 0
        self._start = time.monotonic()
        self.display = ProgressDisplay(
            "dialogues",
            unit="finished",
            detail=self._rates,
            stream=stream,
            log_every_s=log_every_s,
            width=width,
        )

    def started(self, total: int, already_done: int) -> None:
        self._start = time.monotonic()
        if already_done:
            already = f"{already_done} of {plural(total, 'dialogue')} already in the output"
            self.display.note(f"{already}; continuing")
        self.display.start(total, already_done)

    def step(self, usage: dict[str, dict[str, int]], new_turn: bool) -> None:
        self.tokens += sum(c.get("input_tokens", 0) + c.get("output_tokens", 0) for c in usage.values())
        self.turns += int(new_turn)
        self.display.redraw()

    def finished(self, record: dict[str, Any]) -> None:
        self.display.advance()

    def failed(self, dialogue_id: str, error: str) -> None:
        self.failed_count += 1
        self.display.note(f"dialogue {dialogue_id} failed: {error}")
        self.display.advance()  # finished, if badly: the bar and the ETA count it

    def close(self) -> None:
        self.display.close()

    def _rates(self) -> str:
        elapsed = max(time.monotonic() - self._start, 1e-6)
        return (
            f"{self.failed_count} failed | {self.turns / elapsed:.2f} turns/s, "
            f"{self.tokens / elapsed:.0f} tok/s"
        )

"""One progress display for all long work: a batch of dialogues, the judges of ``roleplay eval``,
``roleplay humaneval judge`` and the first-use assembly of the embedded model.

On a terminal one line is redrawn in place (at most 4 times a second); in a log or a pipe (stderr
not a terminal) a plain line is printed when the work starts, every ``log_every_s`` seconds, and
when it ends, so CI logs and ``nohup`` files stay readable. ``--quiet`` (:func:`set_quiet`) turns
every display of the process off.

Our own small bar rather than a library such as rich or tqdm: rich's live display prints nothing
to a non-terminal until the work ends (no periodic lines in a log), and tqdm writes carriage
returns into logs; what we need is ~100 lines and no new dependency. Third-party bars are turned
off where they would appear (LangSmith's tqdm bar in ``roleplay eval``: ``TQDM_DISABLE``).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

_quiet = False
_line_owner: ProgressDisplay | None = None  # the display whose line the terminal's cursor ends
_draw_lock = threading.Lock()


def set_quiet(quiet: bool) -> None:
    """Turn every progress display of this process off (``--quiet``) or back on."""
    global _quiet
    _quiet = quiet


def interactive(stream: TextIO) -> bool:
    """Is ``stream`` a terminal (not a log file or a pipe)?"""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real file
        return False


class ProgressDisplay:
    """``LABEL [####....] 3/10 UNIT, DETAIL | ETA 1m20s`` on stderr; thread-safe.

    ``detail`` is called at every draw for the work's own figures (failures, rates). The ETA counts
    only the work done since :meth:`start`, so resumed work does not make it look faster.
    """

    def __init__(
        self,
        label: str,
        total: int = 0,
        *,
        unit: str = "",
        detail: Callable[[], str] | None = None,
        stream: TextIO | None = None,
        log_every_s: float = 10.0,
        width: int = 24,
        enabled: bool = True,
    ) -> None:
        self.label, self.total, self.unit, self.detail = label, total, unit, detail
        self.stream = stream or sys.stderr
        self.enabled = enabled and not _quiet
        self.interactive = interactive(self.stream)
        self.log_every_s = log_every_s
        self.width = width
        self.done = 0
        self._count_lock = threading.Lock()
        self._done_at_start = 0
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._started = self._closed = False

    def start(self, total: int | None = None, done: int = 0) -> ProgressDisplay:
        """Begin (or begin again) with ``done`` of ``total`` already finished; draws the first line."""
        if total is not None:
            self.total = total
        self.done = self._done_at_start = done
        self._start = time.monotonic()
        self._started = True
        self._draw(force=True)
        return self

    def advance(self, amount: int = 1) -> None:
        """``amount`` more units are finished (from any thread)."""
        with self._count_lock:
            self.done += amount
        self._draw()

    def update(self, done: int) -> None:
        """``done`` units are finished; redraws when the last draw is old enough."""
        self.done = done
        self._draw()

    def redraw(self) -> None:
        """Redraw if due (after the ``detail`` figures changed)."""
        self._draw()

    def note(self, text: str) -> None:
        """A line of its own (e.g. a failure), then the progress line again."""
        if not self.enabled:
            return
        with _draw_lock:
            self._end_line()
            print(text, file=self.stream, flush=True)
        self._draw(force=True)

    def close(self) -> None:
        """The final line; on a terminal, the cursor moves past it."""
        if not self._started or self._closed:
            return  # never started (e.g. the settings were refused)
        self._draw(force=True)
        self._closed = True
        with _draw_lock:
            if _line_owner is self:
                self._end_line()

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self._start, 1e-6)
        filled = int(self.width * min(self.done, self.total) / self.total) if self.total else self.width
        new = self.done - self._done_at_start
        eta = (self.total - self.done) * elapsed / new if new > 0 else None
        detail = self.detail() if self.detail else ""
        counts = f"{self.done}/{self.total}" + (f" {self.unit}" if self.unit else "")
        return (
            f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {counts}"
            f"{', ' + detail if detail else ''} | ETA {duration(eta)}"
        )

    def _end_line(self) -> None:
        """Move the cursor past a partly drawn line (caller holds ``_draw_lock``)."""
        global _line_owner
        if self.interactive and _line_owner is not None:
            print(file=self.stream, flush=True)
        _line_owner = None

    def _draw(self, force: bool = False) -> None:
        global _line_owner
        if not self.enabled or not self._started or self._closed:
            return
        with _draw_lock:
            now = time.monotonic()
            interval = 0.25 if self.interactive else self.log_every_s
            if not force and now - self._last_draw < interval:
                return
            self._last_draw = now
            if not self.interactive:
                print(self.line(), file=self.stream, flush=True)
                return
            if _line_owner is not None and _line_owner is not self:
                print(file=self.stream)  # another display's line stays; this one starts below it
            _line_owner = self
            print("\r" + self.line() + "\x1b[K", end="", file=self.stream, flush=True)  # K: erase the rest


def duration(seconds: float | None) -> str:
    """``1m05s``, ``2h03m``; ``--`` when unknown."""
    if seconds is None:
        return "--"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"

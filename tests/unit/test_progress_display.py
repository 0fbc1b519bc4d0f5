"""The one progress display: plain lines in a log, one redrawn line on a terminal, nothing when
quiet; the batch's bar and the first-use model assembly drawn with it."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from llm_roleplay.blocks import local_model
from llm_roleplay.blocks.progress_display import ProgressDisplay, set_quiet
from llm_roleplay.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def not_quiet() -> Iterator[None]:
    set_quiet(False)
    yield
    set_quiet(False)


def test_a_log_gets_a_first_and_a_last_plain_line_and_periodic_ones_between() -> None:
    log = io.StringIO()
    display = ProgressDisplay("work", unit="items", stream=log, log_every_s=3600)
    with display.start(4):
        for _ in range(4):
            display.advance()  # within the hour: no line of its own
    assert log.getvalue().splitlines() == [
        "work [........................] 0/4 items | ETA --",
        "work [########################] 4/4 items | ETA 0m00s",
    ]
    periodic = io.StringIO()
    with ProgressDisplay("work", stream=periodic, log_every_s=0).start(3) as every:
        every.advance()
        every.note("something failed")
    assert "\r" not in periodic.getvalue()
    shown = [line.split("] ")[-1].split(" |")[0] for line in periodic.getvalue().splitlines()]
    assert shown == ["0/3", "1/3", "something failed", "1/3", "1/3"]  # the note, then the bar again


def test_a_terminal_gets_one_line_redrawn_and_a_second_display_starts_below_the_first() -> None:
    terminal = Terminal()
    outer = ProgressDisplay("outer", stream=terminal).start(2)
    with ProgressDisplay("inner", stream=terminal).start(1) as inner:
        inner.advance()
    outer.advance()
    outer.close()
    text = terminal.getvalue()
    assert text.startswith("\router [") and "\n\rinner [" in text  # the outer line is kept
    assert text.endswith("\n\router [############............] 1/2 | ETA 0m00s\x1b[K\n")  # redrawn below
    assert text.count("\n") == 3


def test_quiet_shows_nothing() -> None:
    log = io.StringIO()
    set_quiet(True)
    with ProgressDisplay("work", stream=log, log_every_s=0).start(2) as display:
        display.advance()
        display.note("not shown either")
    assert ProgressDisplay("off", stream=log, enabled=False).start(1).enabled is False
    assert log.getvalue() == ""


def test_the_batch_bar_counts_failures_as_finished_and_shows_its_rates() -> None:
    log = io.StringIO()
    bar = ProgressBar(stream=log, log_every_s=3600)
    bar.started(total=3, already_done=1)
    bar.step({"chatbot": {"input_tokens": 10, "output_tokens": 5}}, new_turn=True)
    bar.finished({})
    bar.failed("dlg-x", "boom")
    bar.close()
    lines = log.getvalue().splitlines()
    assert lines[0] == "1 of 3 dialogues already in the output; continuing"
    assert "dialogue dlg-x failed: boom" in lines
    assert lines[-1].startswith("dialogues [########################] 3/3 finished, 1 failed | ")
    assert " turns/s, " in lines[-1] and " tok/s | ETA " in lines[-1]


def test_the_first_use_model_assembly_shows_its_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The join and checksum of the weights, on three small parts instead of the 1.1 GB ones."""
    parts = []
    for index in range(3):
        part = tmp_path / f"part{index}.bin"
        part.write_bytes(bytes([index]) * 1_500_000)
        parts.append(part)
    joined = b"".join(part.read_bytes() for part in parts)
    monkeypatch.setattr(local_model, "_part_paths", lambda: parts)
    monkeypatch.setattr(local_model, "MODEL_SIZE_BYTES", len(joined))
    monkeypatch.setattr(local_model, "MODEL_SHA256", hashlib.sha256(joined).hexdigest())
    monkeypatch.setenv("ROLEPLAY_CACHE_DIR", str(tmp_path / "cache"))
    path = local_model.ensure_weights()
    assert path.read_bytes() == joined
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("embedded model, first use: joining and checking [....")
    assert lines[-1].endswith("4/4 MB | ETA 0m00s")
    path.unlink()
    set_quiet(True)  # --quiet
    local_model.ensure_weights()
    assert capsys.readouterr().err == ""

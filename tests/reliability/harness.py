"""Shared helpers of the reliability tests: the CLI as a subprocess, goal files, byte snapshots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[2]
ROLEPLAY = Path(sys.executable).parent / "roleplay"
CLI_TIMEOUT_S = 120
T = TypeVar("T")

TOPICS = (
    "a budget for a bike", "a birthday poem", "a bug in a loop", "a train timetable", "a letter to a bank",
    "a packing list for a hike", "a soup recipe", "a plan for a garden", "a tip for a job interview",
    "a name for a cat", "a short story idea", "a workout for the week", "a gift for a friend",
    "a way to save on heating", "a reading list", "a pasta sauce", "a cover letter", "a weekend trip",
    "a spreadsheet formula", "a thank-you note",
)  # fmt: skip


def environment(**extra: str) -> dict[str, str]:
    """The user's environment, with the checkout importable and tracing off (no network)."""
    return {**os.environ, "PYTHONPATH": str(REPO), "LANGSMITH_TRACING": "false", **extra}


def roleplay(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = CLI_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    """``roleplay ARGS`` as a user runs it: the installed console script, in its own process."""
    return subprocess.run(
        [str(ROLEPLAY), *args],
        cwd=cwd,
        env=env or environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def roleplay_many(
    commands: Sequence[Sequence[str]], cwd: Path | None = None, env: dict[str, str] | None = None
) -> list[subprocess.CompletedProcess[str]]:
    """Several independent invocations, two at a time (each is mostly interpreter start-up)."""
    return in_parallel([partial(roleplay, *args, cwd=cwd, env=env) for args in commands])


def in_parallel(calls: Sequence[Callable[[], T]]) -> list[T]:
    """The results of ``calls``, in order, run two at a time (the test machine has two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda call: call(), calls))


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a refused invocation; fails unless there is exactly one, no traceback."""
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{result.stderr}"
    return lines[0]


def goal_rows(count: int) -> list[dict[str, str]]:
    """``count`` distinct everyday goals that fit any persona (no persona rule skips them)."""
    return [
        {
            "id": f"g{index}",
            "domain": "test",
            "goal": f"You want help with {TOPICS[index % len(TOPICS)]} ({index}).",
        }
        for index in range(count)
    ]


def write_goals(path: Path, count: int) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in goal_rows(count)), encoding="utf-8")
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes), to compare before and after a command."""
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def files_under(root: Path, exclude: Iterable[Path] = ()) -> list[Path]:
    skip = {path.resolve() for path in exclude}
    return [path for path in sorted(root.rglob("*")) if path.is_file() and path.resolve() not in skip]

"""Terminal output of ``roleplay run``: the turns as they happen, then a one-screen summary.

On a terminal the user's and the chatbot's turns are coloured differently; in a file or a pipe, or
with ``NO_COLOR`` set (https://no-color.org), the output is plain text.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from llm_roleplay.batch import BatchReport
from llm_roleplay.console import plural, wants_colour
from llm_roleplay.near_duplicates import is_kept_unique
from llm_roleplay.runner import DialogueOutcome

_COLOURS = {"user": "\033[36m", "assistant": "\033[32m"}  # cyan, green
_RESET = "\033[0m"


class TurnPrinter:
    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.quiet = quiet
        self.stream = stream or sys.stdout
        self.colour = wants_colour(self.stream)
        self.dialogue_id: str | None = None
        self._turn = 0

    def _print(self, text: str = "") -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def on_step(self, node: str, update: dict[str, Any]) -> None:
        if node == "generate_persona":
            self.dialogue_id = update.get("dialogue_id")
            self._print(f"dialogue {self.dialogue_id}")
            self._print(f"persona:  {update.get('persona', {}).get('description', '')}")
        for message in update.get("messages", []):
            if message.type == "human":
                self._turn += 1
            speaker = "user" if message.type == "human" else "assistant"
            text = _block(f"[{self._turn}] {speaker}: ", str(message.text))
            self._print(f"{_COLOURS[speaker]}{text}{_RESET}" if self.colour else text)
        for call in update.get("tool_calls", []):  # an agent target's tool steps of this turn
            result = " ".join(str(call.get("result")).split())
            self._print(f"    tool {call.get('name')}({call.get('args')}) -> {result[:100]}")
        for check in update.get("goal_checks", []):
            verdict = {True: "verified", False: "not verified", None: "accepted"}[check.get("goal_met")]
            self._print(f"    goal check: {verdict} ({check.get('rationale', '')})")
        if update.get("error"):
            self._print(f"    error: {update['error']}")

    def summary(self, outcome: DialogueOutcome, path: Path) -> None:
        record = outcome.record
        user_turns = sum(1 for message in record.messages if message.role == "user")
        verdict = "kept" if record.filter.keep else "dropped: " + ", ".join(record.filter.reasons)
        tokens = sum(
            counts.get("input_tokens", 0) + counts.get("output_tokens", 0) for counts in record.usage.values()
        )
        lines = [
            f"dialogue {record.id} ({outcome.status})",
            f"ended:    {record.termination_reason.value} after {plural(user_turns, 'user turn')}",
            f"filter:   {verdict}",
            f"tokens:   {tokens}",
            f"record:   {path}",
        ]
        print("\n" + "\n".join(lines), file=self.stream, flush=True)


def _block(prefix: str, text: str, width: int = 100) -> str:
    """``prefix`` then ``text`` wrapped to ``width``, keeping the text's own line breaks."""
    lines: list[str] = []
    for paragraph in text.strip().splitlines() or [""]:
        lines += textwrap.wrap(paragraph, width - len(prefix)) or [""]
    return prefix + ("\n" + " " * len(prefix)).join(lines)


def print_generate_summary(
    manifest: dict[str, Any], report: BatchReport, out: Path, stream: TextIO | None = None
) -> None:
    """The table printed at the end of ``roleplay generate``."""
    counts, funnel = manifest["counts"], manifest["filter_funnel"]
    unique = counts.get("kept_unique", counts["kept"])
    rows = [
        (
            "dialogues",
            f"{counts['finished']} of {counts['planned']} finished ({report.finished} in this run, "
            f"{report.already_done} before)",
        ),
        ("failed", str(len(report.failed))),
        ("model errors", _error_endings(report)),
        (
            "kept",
            f"{funnel['kept']} of {funnel['total']} by the filters (dropped {funnel['dropped']}: "
            + (", ".join(f"{k} {v}" for k, v in funnel["dropped_by_reason"].items()) or "none")
            + ")",
        ),
        (
            "near-duplicates",
            f"{counts['kept'] - unique} of the kept nearly copy another dialogue; "
            f"--kept-only (export, eval) leaves them out and keeps {unique}",
        ),
        (
            "ended by",
            ", ".join(f"{k} {v}" for k, v in sorted(manifest["termination_reasons"].items())) or "-",
        ),
        ("mean user turns", str(manifest["turns"]["mean_user_turns"])),
        (
            "tokens",
            ", ".join(
                f"{role} {c.get('input_tokens', 0) + c.get('output_tokens', 0)}"
                for role, c in manifest["usage"].items()
            )
            or "0",
        ),
        ("wall time", f"{report.wall_s:.1f} s"),
        ("output", f"{out}/dialogues.jsonl, {out}/manifest.json"),
    ]
    if report.stopped:
        left = plural(report.not_started, "dialogue")
        rows.append(("stopped", f"{report.stopped}; {left} left for the next run"))
    if report.budget_reached:
        left = plural(report.not_started, "dialogue")
        rows.append(("budget", f"token budget reached; {left} left for the next run"))
    width = max(len(name) for name, _ in rows)
    print("\n".join(f"{name.ljust(width)}  {value}" for name, value in rows), file=stream or sys.stdout)


def _error_endings(report: BatchReport) -> str:
    """Dialogues of this run that a failing model cut short, by reason (they set exit status 1)."""
    if not report.error_endings:
        return "0"
    reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(report.ended_by_error.items()))
    return f"{report.error_endings} ended by a model error ({reasons})"


def kept_line(records: Iterable[Mapping[str, Any]]) -> str:
    """What ``--kept-only`` selected: kept by the filters, minus near-duplicates of other dialogues."""
    rows = list(records)
    kept = [record for record in rows if (record.get("filter") or {}).get("keep", True) is not False]
    unique = sum(1 for record in rows if is_kept_unique(record))
    return (
        f"--kept-only: {len(kept)} of {plural(len(rows), 'dialogue')} kept by the filters, "
        f"{len(kept) - unique} of them near-duplicates of another dialogue (left out), {unique} written"
    )

"""Parsers for model outputs. Each takes arbitrary text and never raises."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

_WRAPPING_QUOTES = ('""', "“”", "''", "‘’", "``", "«»")
_LEADING_LABEL = re.compile(
    r"^\s*(?:\*\*)?(?:user|me|message|my message|next message|human|the user|you)(?:\*\*)?\s*:(?:\*\*)?\s*",
    re.IGNORECASE,
)
_TRAILING_CUE = re.compile(r"\s*\[(?:write|output)[^\]]*\]\s*$", re.IGNORECASE)


def clean_message(raw: str) -> str:
    """Strip what models wrap around a chat message: labels, quotes, echoed instructions."""
    text = _TRAILING_CUE.sub("", raw.strip())
    text = _LEADING_LABEL.sub("", text).strip()
    for _ in range(2):  # quotes can be nested in a label: "User: "..."
        if len(text) >= 2 and any(text[0] == q[0] and text[-1] == q[1] for q in _WRAPPING_QUOTES):
            text = text[1:-1].strip()
    return text


_QUOTATION_END = re.compile(r"[\"”](?=\s*\n|\s*$)")


def extract_message(raw: str, prefill: str = "") -> str:
    """The chat message in a model's answer to a prompt that was prefilled with ``prefill``.

    llama.cpp echoes the prefill and continues it; most APIs ignore it and answer anew, sometimes
    quoting the message (as the paper's reference code expects). Drop an echoed prefill; if the
    prefill opened a quotation, the message ends where that quotation closes (a quote at a line end
    with an even number of quotes before it: inner quotations stay); then clean as usual.
    """
    text = raw.strip()
    lead = prefill.strip()
    if lead and text.startswith(lead):
        text = text[len(lead) :]
    if lead.endswith(('"', "“")):
        body = _LEADING_LABEL.sub("", text.lstrip())
        body = body.removeprefix('"').removeprefix("“")
        for match in _QUOTATION_END.finditer(body):
            if _count_quotes(body[: match.start()]) % 2 == 0:
                body = body[: match.start()]
                break
        text = body
    return clean_message(text)


def _count_quotes(text: str) -> int:
    return sum(text.count(mark) for mark in ('"', "“", "”"))


class Decision(StrEnum):
    CONTINUE = "continue"
    GOAL_MET = "goal_met"
    GIVE_UP = "give_up"


_DECISION_WORDS = (
    (re.compile(r"\bgive\s*-?\s*up\b|\bgiveup\b", re.IGNORECASE), Decision.GIVE_UP),
    (re.compile(r"\bno\b", re.IGNORECASE), Decision.CONTINUE),
    (re.compile(r"\byes\b", re.IGNORECASE), Decision.GOAL_MET),
)


def parse_decision(text: str) -> Decision | None:
    """Read the inquirer's YES / NO / GIVEUP answer; the earliest keyword wins. None if absent."""
    best: tuple[int, Decision] | None = None
    for pattern, decision in _DECISION_WORDS:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), decision)
    return best[1] if best else None


@dataclass(frozen=True)
class Verdict:
    goal_met: bool
    rationale: str


_TRUE_WORDS = {"true", "yes", "met", "1"}
_FALSE_WORDS = {"false", "no", "not met", "0"}


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
        return value.strip().lower() in _TRUE_WORDS
    return None


def json_objects(text: str) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``text``, outermost first, nested braces included (prose around is fine)."""
    decoder = json.JSONDecoder()
    for start in (index for index, char in enumerate(text) if char == "{"):
        try:
            data, _ = decoder.raw_decode(text, start)
        except ValueError:
            continue
        if isinstance(data, dict):
            yield data


def parse_verdict(text: str) -> Verdict | None:
    """Read ``{"goal_met": bool, "rationale": str}`` from a judge's reply, tolerating prose around it."""
    for data in json_objects(text):
        if (goal_met := _as_bool(data.get("goal_met"))) is not None:
            rationale = data.get("rationale")
            return Verdict(goal_met, rationale.strip() if isinstance(rationale, str) else "")
    match = re.search(r'"?goal_met"?\s*[:=]\s*"?(true|false)"?', text, re.IGNORECASE)
    if match:
        return Verdict(match.group(1).lower() == "true", "")
    return None

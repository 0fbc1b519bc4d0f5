"""Tolerant parsers of the evaluation judges' JSON verdicts. Each takes any text and never raises.

Judges are asked for one JSON object, but models wrap it in prose or code fences, quote numbers,
write ``"Partially met"`` for ``"partially_met"`` or leave the JSON unclosed. A parser accepts
every spelling whose meaning is unambiguous and returns None otherwise: the caller then asks
again, and after a bounded number of attempts records the verdict as unparseable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from llm_roleplay.nodes.parsing import json_objects  # shared with the goal-check judge's parser

T = TypeVar("T")


@dataclass(frozen=True)
class Parsed:
    """A normalized verdict: ``label`` (e.g. ``"met"``), ``score``, a rationale and any extra fields."""

    label: str
    score: float
    rationale: str
    extra: dict[str, Any] = field(default_factory=dict)


def _key_value(text: str, key: str) -> str | None:
    """``"key": value`` found by a regex, for replies whose JSON does not parse (e.g. unclosed)."""
    match = re.search(rf'"?{key}"?\s*[:=]\s*("([^"]*)"|[\w./+-]+)', text, re.IGNORECASE)
    if not match:
        return None
    return match.group(2) if match.group(2) is not None else match.group(1)


def _rationale(data: dict[str, Any] | None, text: str) -> str:
    value = data.get("rationale") if data else None
    if value is None and data:
        value = data.get("reason") or data.get("explanation")
    if value is None:
        value = _key_value(text, "rationale")
    return " ".join(str(value).split()) if value else ""


def _parse(
    text: str, keys: tuple[str, ...], read: Callable[[Any], T | None]
) -> tuple[T, dict[str, Any] | None] | None:
    """The first object with one of ``keys`` whose value ``read`` accepts; else the regex fallback."""
    for data in json_objects(text):
        lowered = {str(name).lower(): value for name, value in data.items()}
        for key in keys:
            if key in lowered and (value := read(lowered[key])) is not None:
                return value, lowered
    for key in keys:
        raw = _key_value(text, key)
        if raw is not None and (value := read(raw)) is not None:
            return value, None
    return None


def _words(value: Any) -> str:
    return re.sub(r"[\s_-]+", " ", str(value).strip().lower()).strip(" .!\"'")


# goal completion -----------------------------------------------------------------------------

GOAL_SCORES = {"met": 1.0, "partially_met": 0.5, "not_met": 0.0}
_GOAL_WORDS = {
    "met": "met",
    "fully met": "met",
    "complete": "met",
    "completed": "met",
    "yes": "met",
    "true": "met",
    "partially met": "partially_met",
    "partially": "partially_met",
    "partial": "partially_met",
    "partly met": "partially_met",
    "partly": "partially_met",
    "not met": "not_met",
    "unmet": "not_met",
    "no": "not_met",
    "false": "not_met",
    "incomplete": "not_met",
}


def _goal_label(value: Any) -> str | None:
    if isinstance(value, bool):
        return "met" if value else "not_met"
    return _GOAL_WORDS.get(_words(value))


def parse_goal_completion(text: str) -> Parsed | None:
    """``{"verdict": "met" | "partially_met" | "not_met", "rationale"}``; ``goal_met: bool`` also read."""
    found = _parse(text, ("verdict", "goal_met", "goal_completion"), _goal_label)
    if found is None:
        return None
    label, data = found
    return Parsed(label=label, score=GOAL_SCORES[label], rationale=_rationale(data, text))


# persona fidelity ----------------------------------------------------------------------------


def _score_1_to_5(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.0+)?)\s*(?:/\s*5|out of 5)?\s*", str(value))
        if not match:
            return None
        number = float(match.group(1))
    return int(number) if number.is_integer() and 1 <= number <= 5 else None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    words = _words(value)
    if words in {"true", "yes", "1"}:
        return True
    if words in {"false", "no", "0"}:
        return False
    return None


def parse_persona_fidelity(text: str) -> Parsed | None:
    """``{"score": 1-5, "announces_attributes": bool, "rationale"}``; the flag may be missing."""
    found = _parse(text, ("score", "persona_fidelity", "rating"), _score_1_to_5)
    if found is None:
        return None
    score, data = found
    announced = _as_bool(data.get("announces_attributes")) if data else None
    if announced is None:
        raw = _key_value(text, "announces_attributes")
        announced = _as_bool(raw) if raw is not None else None
    return Parsed(
        label=str(score), score=float(score), rationale=_rationale(data, text), extra={"announced": announced}
    )


# human likeness ------------------------------------------------------------------------------

_AUTHOR_WORDS = {
    "human": "human",
    "person": "human",
    "real person": "human",
    "real human": "human",
    "model": "model",
    "ai": "model",
    "ai model": "model",
    "llm": "model",
    "language model": "model",
    "machine": "model",
    "bot": "model",
    "simulated": "model",
}


def _author(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    return _AUTHOR_WORDS.get(re.sub(r"^(?:a|an|the)\s+", "", _words(value)))


def parse_human_likeness(text: str) -> Parsed | None:
    """``{"author": "human" | "model", "rationale"}``; score 1 when judged human."""
    found = _parse(text, ("author", "user_is", "verdict", "answer"), _author)
    if found is None:
        return None
    label, data = found
    return Parsed(label=label, score=1.0 if label == "human" else 0.0, rationale=_rationale(data, text))


def _side(value: Any) -> str | None:
    words = _words(value)
    words = re.sub(r"^(dialogue|conversation|chat)\s+", "", words)
    return words.upper() if words in {"a", "b"} else None


def parse_paired(text: str) -> Parsed | None:
    """``{"human": "A" | "B", "rationale"}``: which user is the human (the caller sets the score)."""
    found = _parse(text, ("human", "answer", "verdict"), _side)
    if found is None:
        return None
    label, data = found
    return Parsed(label=label, score=0.0, rationale=_rationale(data, text))


# tool arguments ------------------------------------------------------------------------------


def parse_match(text: str) -> Parsed | None:
    """``{"matches": bool, "rationale"}``: do a tool call's arguments fit the expected ones?"""
    found = _parse(text, ("matches", "match", "verdict"), _as_bool)
    if found is None:
        return None
    matches, data = found
    label, score = ("match", 1.0) if matches else ("no_match", 0.0)
    return Parsed(label=label, score=score, rationale=_rationale(data, text))

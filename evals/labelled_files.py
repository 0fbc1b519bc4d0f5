"""What the project's labelled sets share: alternating dialogues, read one JSON object per line.

``data/stop_labels.jsonl`` and ``data/goal_labels.jsonl`` are written by hand; a bad entry must
stop the evaluation with one line naming the file and the line, never be skipped silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from llm_roleplay.blocks.errors import ConfigError

T = TypeVar("T")


def alternating_messages(data: Mapping[str, Any]) -> tuple[dict[str, str], ...]:
    """``data["messages"]``: user and assistant alternating, user first, assistant last."""
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError('"messages" must be a non-empty list')
    expected = "user"
    for index, message in enumerate(messages, start=1):
        if not isinstance(message, dict) or not isinstance(message.get("content"), str):
            raise ValueError(f"message {index}: needs a text 'content'")
        if message.get("role") != expected:
            raise ValueError(f"message {index}: expected role {expected!r} (user and assistant alternate)")
        expected = "assistant" if expected == "user" else "user"
    if messages[-1]["role"] != "assistant":
        raise ValueError("the dialogue must end with an assistant reply")
    return tuple({"role": m["role"], "content": m["content"]} for m in messages)


def text_list(data: Mapping[str, Any], field: str, *, required: bool) -> tuple[str, ...]:
    """``data[field]``: a list of non-empty texts (an empty list only when not required)."""
    value = data.get(field) or []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(f'"{field}" must be a list of non-empty texts')
    if required and not value:
        raise ValueError(f'"{field}" must be a non-empty list of texts')
    return tuple(value)


def load_labelled(path: Path, parse: Callable[[Mapping[str, Any], int], T], what: str) -> list[T]:
    """Every entry of a labelled JSONL file; a bad line is a one-line ``ConfigError`` (file:line)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror or error})") from None
    entries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entries.append(parse(json.loads(line), number))
        except (ValueError, TypeError) as error:
            raise ConfigError(f"{path}:{number}: {error}") from None
    if not entries:
        raise ConfigError(f"{path}: no {what}")
    return entries

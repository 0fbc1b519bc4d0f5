"""The two sources of a study, read into one shape: simulated dialogues and real ones.

Simulated: the kept dialogues of a ``roleplay generate`` directory (``filter.keep`` true and not a
near-duplicate), as ``roleplay export --kept-only`` would write them.

Real: OpenAI messages JSONL (one ``{"messages": [{"role", "content"}]}`` per line; ``content`` a
string or a list of ``{"type": "text", "text"}`` parts) or ShareGPT JSON (a list of
``{"conversations": [{"from": "human" | "gpt", "value"}]}``), told apart by content. An entry's
``id`` (or ``conversation_id``) and ``domain`` (or ``goal_domain``, ``category``) are kept when
present: the id goes into the key, the domain allows ``--match domain``.

This reader accepts what :func:`evals.reference.load_reference` accepts (the same role names and
content shapes) but is separate on purpose: that one keeps neither an entry's own id nor its
domain, and the study key and ``--match domain`` need both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.dataset_store import RECORDS_FILE, read_records
from llm_roleplay.evals.humaneval.blinding import Message, normalise_dialogue, user_turns
from llm_roleplay.evals.humaneval.study import mapping
from llm_roleplay.evals.reference import message_text
from llm_roleplay.near_duplicates import is_kept_unique, mark_near_duplicates

Source = Literal["simulated", "real"]

_USER = {"user", "human"}
_ASSISTANT = {"assistant", "gpt", "chatgpt", "bard", "bing", "model", "bot"}
_SKIPPED = {"system", "tool", "function", "developer"}
_ID_FIELDS = ("id", "conversation_id")
_DOMAIN_FIELDS = ("domain", "goal_domain", "category")


@dataclass(frozen=True)
class Candidate:
    """One dialogue that may enter the study: its blinded messages and what only the key holds."""

    source: Source
    original_id: str
    messages: tuple[Message, ...]
    domain: str | None = None
    key_fields: Mapping[str, Any] = field(default_factory=dict)  # persona, goal, settings, ...

    @property
    def user_turns(self) -> int:
        return user_turns(self.messages)


@dataclass
class Loaded:
    candidates: list[Candidate]
    excluded: int  # present but unusable: filtered, near-duplicate, no complete exchange
    bad_lines: list[int] = field(default_factory=list)


def load_simulated(directory: Path) -> Loaded:
    """The kept dialogues of a ``roleplay generate`` directory, with their key fields."""
    path = directory / RECORDS_FILE
    if not path.is_file():
        raise ConfigError(f"--simulated {directory}: no {RECORDS_FILE} (not a 'roleplay generate' directory)")
    result = read_records(path)
    duplicates_path = directory / "near_duplicates.json"
    duplicates: dict[str, str] = {}
    if duplicates_path.exists():
        try:
            duplicates = json.loads(duplicates_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ConfigError(f"{duplicates_path}: unreadable ({error})") from None
    candidates, excluded, seen = [], 0, set()
    for record in mark_near_duplicates(result.records, duplicates):
        ident = str(record["id"])
        messages = _record_messages(record, path) if is_kept_unique(record) and ident not in seen else []
        seen.add(ident)
        if user_turns(messages) == 0:
            excluded += 1
            continue
        persona, settings = mapping(record.get("persona")), mapping(record.get("settings"))
        candidates.append(
            Candidate(
                source="simulated",
                original_id=ident,
                messages=tuple(messages),
                domain=_optional_text(record.get("goal_domain")),
                key_fields={
                    "persona": {
                        "attributes": dict(mapping(persona.get("attributes"))),
                        "description": persona.get("description"),
                    },
                    "goal": record.get("goal"),
                    "goal_id": record.get("goal_id"),
                    "termination_reason": record.get("termination_reason"),
                    "inquirer_model": settings.get("inquirer_model"),
                    "chatbot_model": settings.get("chatbot_model"),
                    "settings": dict(settings),
                },
            )
        )
    return Loaded(candidates=candidates, excluded=excluded, bad_lines=result.bad_lines)


def _record_messages(record: Mapping[str, Any], path: Path) -> list[Message]:
    raw = record.get("messages")
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: dialogue {record['id']}: messages must be a list")
    pairs = []
    for index, message in enumerate(raw, start=1):
        role = message.get("role") if isinstance(message, Mapping) else None
        content = message.get("content") if isinstance(message, Mapping) else None
        if role not in ("user", "assistant") or not isinstance(content, str):
            raise ConfigError(
                f"{path}: dialogue {record['id']}: message {index} needs role user|assistant and text content"
            )
        pairs.append((role, content))
    return normalise_dialogue(pairs)


def load_real(path: Path) -> Loaded:
    """Real dialogues from OpenAI messages JSONL or ShareGPT JSON; any malformed entry is an error.

    An error names the file and the line (JSONL) or the entry number (JSON list): a reference set
    with silently dropped dialogues would no longer be the set the study lead chose.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"--real {path}: cannot read ({getattr(error, 'strerror', None) or error})"
        ) from None
    if not text.strip():
        raise ConfigError(f"--real {path}: empty file (expected OpenAI messages JSONL or ShareGPT JSON)")
    candidates, excluded = [], 0
    for number, (where, position, entry) in enumerate(_entries(path, text), start=1):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: expected a JSON object per dialogue, got {type(entry).__name__}")
        messages = normalise_dialogue(_entry_messages(entry, where))
        if user_turns(messages) == 0:
            excluded += 1
            continue
        ident = next((str(entry[name]) for name in _ID_FIELDS if entry.get(name) not in (None, "")), None)
        domain = next((_optional_text(entry[name]) for name in _DOMAIN_FIELDS if entry.get(name)), None)
        candidates.append(
            Candidate(
                source="real",
                original_id=ident or f"{path.name}#{number}",
                messages=tuple(messages),
                domain=domain,
                key_fields={"position": position},
            )
        )
    return Loaded(candidates=candidates, excluded=excluded)


def _entries(path: Path, text: str) -> Iterable[tuple[str, str, Any]]:
    """``(where, position, entry)``: ``FILE:LINE`` and ``line N`` for JSONL, ``FILE, dialogue N`` and
    ``dialogue N`` for a JSON list."""
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"{path}:{error.lineno}: invalid JSON ({error.msg} at column {error.colno})"
            ) from None
        return [
            (f"{path}, dialogue {index}", f"dialogue {index}", entry)
            for index, entry in enumerate(data, start=1)
        ]
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append((f"{path}:{number}", f"line {number}", json.loads(line)))
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"{path}:{number}: invalid JSON ({error.msg} at column {error.colno})"
            ) from None
    return entries


def _entry_messages(entry: Mapping[str, Any], where: str) -> list[tuple[str, str]]:
    if isinstance(entry.get("messages"), list):
        items, role_key, text_key = entry["messages"], "role", "content"
    elif isinstance(entry.get("conversations"), list):
        items, role_key, text_key = entry["conversations"], "from", "value"
    else:
        raise ConfigError(
            f'{where}: expected a "messages" list (OpenAI) or a "conversations" list (ShareGPT)'
        )
    pairs = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            raise ConfigError(f"{where}: message {index}: expected an object, got {type(item).__name__}")
        role = str(item.get(role_key, "")).strip().lower()
        if role in _SKIPPED:
            continue
        if role not in _USER | _ASSISTANT:
            raise ConfigError(f"{where}: message {index}: unknown {role_key} {item.get(role_key)!r}")
        content = message_text(item.get(text_key))
        if content is None:
            raise ConfigError(f"{where}: message {index}: {text_key!r} must be text")
        pairs.append(("user" if role in _USER else "assistant", content))
    return pairs


def _optional_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None

"""The files of a study directory, and reading them back for scoring.

``items.json`` is what annotators may see; ``key.json`` is what only the scorer may see. They
share the study id (so answers from another study are refused) and the opaque item ids.

    items.json  {"study_id", "question", "items": [{"item_id", "messages": [{"role", "content"}]}]}
    key.json    {"study_id", "seed", "match", "n", "simulated", "real",
                 "items": {item_id: {"source": "simulated" | "real", "original_id", "domain",
                                     "user_turns", ...}}}

A simulated item's key entry also holds its persona (attributes and description), goal, goal id,
termination reason, inquirer and chatbot model and all defining settings; a real one's holds its
position in the real file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.evals.humaneval.blinding import transcript

ITEMS_FILE = "items.json"
KEY_FILE = "key.json"
FORM_FILE = "form.html"
CSV_FILE = "items.csv"
README_FILE = "README.txt"
SCORE_FILE = "score.json"
AUTO_FILE = "auto.json"  # optional: automatic verdicts, read by ``score`` when present
QUESTION = "Was the USER in this conversation a human or a model?"
LABELS = ("human", "model")
TRUTH = {"real": "human", "simulated": "model"}  # the correct answer for each source


@dataclass(frozen=True)
class StudyItem:
    item_id: str
    source: str  # "simulated" | "real"
    original_id: str
    domain: str | None
    user_turns: int
    transcript: str  # as items.csv shows it, to recognise a spreadsheet of this study
    attributes: Mapping[str, str] = field(default_factory=dict)
    inquirer_model: str | None = None

    @property
    def truth(self) -> str:
        return TRUTH[self.source]


@dataclass(frozen=True)
class Study:
    root: Path
    study_id: str
    items: Mapping[str, StudyItem]  # in presentation order

    def by_original_id(self) -> dict[str, str]:
        """original id -> item id (an id that two items share maps to neither)."""
        mapping: dict[str, str | None] = {}
        for item in self.items.values():
            mapping[item.original_id] = None if item.original_id in mapping else item.item_id
        return {original: item for original, item in mapping.items() if item is not None}


def load_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file ({what})") from None
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{path}:{error.lineno}: invalid JSON ({error.msg} at column {error.colno})"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read ({getattr(error, 'strerror', None) or error})") from None


def load_study(root: Path) -> Study:
    """The items and the key of a study directory, checked against each other."""
    if not root.is_dir():
        raise ConfigError(f"{root}: not a study directory (run 'roleplay humaneval prepare' first)")
    items = load_json(root / ITEMS_FILE, "the blinded items")
    key = load_json(root / KEY_FILE, "the study key")
    if not isinstance(items, Mapping) or not isinstance(items.get("items"), list):
        raise ConfigError(f"{root / ITEMS_FILE}: not a study items file (no items list)")
    if not isinstance(key, Mapping) or not isinstance(key.get("items"), Mapping):
        raise ConfigError(f"{root / KEY_FILE}: not a study key (no items mapping)")
    if items.get("study_id") != key.get("study_id"):
        raise ConfigError(
            f"{root}: {ITEMS_FILE} is study {items.get('study_id')!r} "
            f"but {KEY_FILE} is {key.get('study_id')!r}"
        )
    study_items: dict[str, StudyItem] = {}
    for position, item in enumerate(items["items"], start=1):
        item = mapping(item)
        item_id = item.get("item_id")
        entry = mapping(key["items"].get(item_id)) if isinstance(item_id, str) else {}
        if not isinstance(item_id, str) or entry.get("source") not in TRUTH:
            raise ConfigError(
                f"{root / KEY_FILE}: no source for item {position} ({item_id!r}) of {ITEMS_FILE}"
            )
        attributes = mapping(mapping(entry.get("persona")).get("attributes"))
        study_items[item_id] = StudyItem(
            item_id=item_id,
            source=entry["source"],
            original_id=str(entry.get("original_id")),
            domain=entry.get("domain"),
            user_turns=int(entry.get("user_turns") or 0),
            transcript=transcript(item.get("messages") or []),
            attributes={
                str(name): attribute_text(value) for name, value in attributes.items() if value is not None
            },
            inquirer_model=entry.get("inquirer_model"),
        )
    return Study(root=root, study_id=str(items["study_id"]), items=study_items)


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def attribute_text(value: Any) -> str:
    """A persona attribute value as a group label: lists are joined, everything else is ``str``."""
    if isinstance(value, list | tuple):
        return ", ".join(str(part) for part in value)
    return str(value)

"""Reading the annotators' answers: the form's JSON export, or a filled-in items.csv.

Each file holds one annotator's answers. A JSON export names its study, and answers from another
study are refused; a spreadsheet does not, so its dialogue column (when kept) is compared with the
study's items instead — item ids alone ("item-07") are the same in every study. A spreadsheet's
annotator is its ``annotator`` column if filled in, else the file name (``alice.csv`` -> alice).

Unanswered items are allowed (an annotator may stop early); an unknown item, a label that is
neither human nor model, a confidence outside 1-5 or an item answered twice is an error that
names the file and the answer or spreadsheet row: a silently dropped answer would bias the score.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.evals.humaneval.study import Study

_HUMAN = {"human", "h", "person", "a human", "real", "human-written"}
_MODEL = {"model", "m", "ai", "a model", "bot", "machine", "llm", "simulated", "computer", "model-generated"}
_CSV_FIELD_LIMIT = 16 * 1024 * 1024  # a long dialogue is one cell; the csv module's default is 128 KiB


@dataclass(frozen=True)
class Judgement:
    item_id: str
    label: str  # "human" | "model"
    confidence: int | None
    comment: str


@dataclass(frozen=True)
class AnswerSheet:
    annotator: str
    path: Path
    judgements: Mapping[str, Judgement]  # item id -> judgement


def label_of(value: Any) -> str | None:
    """``"human"`` / ``"model"`` for the spellings annotators use; None when left empty.

    Raises ValueError for anything else.
    """
    if value is None:
        return None
    text = " ".join(str(value).split()).lower()
    if not text:
        return None
    if text in _HUMAN:
        return "human"
    if text in _MODEL:
        return "model"
    raise ValueError(f"label {value!r} is neither human nor model")


def confidence_of(value: Any) -> int | None:
    """An integer 1-5 (``4``, ``"4"``, ``4.0``); None when left empty. Raises ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"confidence {value!r} is not 1-5")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"confidence {value!r} is not 1-5") from None
    if not number.is_integer() or not 1 <= number <= 5:
        raise ValueError(f"confidence {value!r} is not 1-5")
    return int(number)


def read_answer_files(paths: Sequence[Path], study: Study) -> list[AnswerSheet]:
    """Every file's answers; two files of the same annotator are refused (they would count twice)."""
    sheets: list[AnswerSheet] = []
    seen: dict[str, Path] = {}
    for path in paths:
        sheet = read_answers(path, study)
        if sheet.annotator.casefold() in seen:
            raise ConfigError(
                f"{path}: annotator {sheet.annotator!r} also answered in {seen[sheet.annotator.casefold()]} "
                "(one file per annotator)"
            )
        seen[sheet.annotator.casefold()] = path
        sheets.append(sheet)
    return sheets


def read_answers(path: Path, study: Study) -> AnswerSheet:
    """One annotator's answers, from the form's JSON export or a filled-in spreadsheet (CSV/TSV)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text (in a spreadsheet, save it as 'CSV UTF-8')") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror or error})") from None
    if text.lstrip().startswith("{"):
        return _read_json(path, text, study)
    return _read_csv(path, text, study)


def _read_json(path: Path, text: str, study: Study) -> AnswerSheet:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{path}:{error.lineno}: invalid JSON ({error.msg} at column {error.colno})"
        ) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("answers"), list):
        raise ConfigError(
            f'{path}: not an answers file (expected {{"study_id", "annotator", "answers": [...]}})'
        )
    if data.get("study_id") != study.study_id:
        raise ConfigError(
            f"{path}: answers for study {data.get('study_id')!r}, "
            f"but {study.root} is study {study.study_id!r}"
        )
    annotator = str(data.get("annotator") or "").strip() or path.stem
    rows = []
    for index, answer in enumerate(data["answers"], start=1):
        if not isinstance(answer, Mapping):
            raise ConfigError(f"{path}: answer {index}: expected an object, got {type(answer).__name__}")
        rows.append((f"{path}: answer {index}", answer))
    return AnswerSheet(annotator=annotator, path=path, judgements=_judgements(rows, study))


def _read_csv(path: Path, text: str, study: Study) -> AnswerSheet:
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)  # spreadsheets in some locales write ';'
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise ConfigError(f"{path}: row {reader.line_num}: not readable as CSV ({error})") from None
    if not rows:
        raise ConfigError(f"{path}: empty file (expected the form's JSON export or a filled-in items.csv)")
    header = [name.strip().lower() for name in rows[0]]
    missing = [name for name in ("item_id", "answer") if name not in header]
    if missing:
        raise ConfigError(
            f"{path}: row 1: no {' or '.join(missing)} column "
            "(expected items.csv with its answer column filled in)"
        )
    records = []
    annotators = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        record = {name: (row[i] if i < len(row) else "") for i, name in enumerate(header)}
        where = f"{path}: row {number}"
        item = study.items.get(record["item_id"].strip())
        if (
            item is not None
            and record.get("dialogue", "").strip()
            and _squash(record["dialogue"]) != _squash(item.transcript)
        ):
            raise ConfigError(
                f"{where}: the dialogue of {item.item_id} is not the one in {study.root} "
                "(a sheet of another study?)"
            )
        if record.get("annotator", "").strip():
            annotators.add(record["annotator"].strip())
        records.append((where, {**record, "label": record["answer"], "item_id": record["item_id"].strip()}))
    if len(annotators) > 1:
        raise ConfigError(f"{path}: several annotators in one file ({', '.join(sorted(annotators))})")
    annotator = annotators.pop() if annotators else path.stem
    return AnswerSheet(annotator=annotator, path=path, judgements=_judgements(records, study))


def _squash(text: str) -> str:
    """Text with whitespace runs collapsed: spreadsheets may change line ends and trailing spaces."""
    return " ".join(text.split())


def _judgements(rows: Iterable[tuple[str, Mapping[str, Any]]], study: Study) -> dict[str, Judgement]:
    judgements: dict[str, Judgement] = {}
    for where, row in rows:
        item_id = row.get("item_id")
        if not isinstance(item_id, str) or item_id not in study.items:
            raise ConfigError(f"{where}: unknown item_id {item_id!r} (not in {study.root})")
        try:
            label = label_of(row.get("label"))
            confidence = confidence_of(row.get("confidence"))
        except ValueError as error:
            raise ConfigError(f"{where} ({item_id}): {error}") from None
        if label is None:
            continue  # not answered
        if item_id in judgements:
            raise ConfigError(f"{where}: {item_id} is answered twice")
        comment = row.get("comment")
        judgements[item_id] = Judgement(
            item_id=item_id, label=label, confidence=confidence, comment=str(comment or "").strip()
        )
    return judgements

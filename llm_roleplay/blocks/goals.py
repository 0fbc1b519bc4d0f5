"""Goal sets: what each simulated user wants from the chatbot, read from JSONL, YAML or CSV.

A goal file holds records with these fields (only ``goal`` is required):

- ``id``: a stable name for the goal; when missing it is derived from the goal text
  (``"g-"`` + the first 10 hex digits of its SHA-256), so re-reading a file gives the same ids.
- ``goal``: the instruction given to the simulated user, in the second person ("You want to ...").
- ``domain``: a free label such as ``math`` or ``customer_support``.
- ``expected_outcome``: what a successful dialogue should have produced; the goal check tells the
  judge, and the simulated user compares the chatbot's answers with it.
- ``parts``: the goal's plan, the requests the user makes one after the other (a list of texts;
  in CSV a JSON list or texts separated by ``|``). Without it the judge model derives the plan.
- ``persona_constraints``: attribute name -> allowed value keys of the persona schema, e.g.
  ``{"occupation": ["student"]}``; personas outside these values are not paired with the goal.
- ``expect``: checks on what an agent target did, evaluated by ``roleplay eval`` (see
  ``evals.agent_checks.checks_from_expect``), e.g. ``{"tools_called": ["refund_order"],
  "final_state": "my_tests.checks:refunded_once"}``; copied into each dialogue record.

Formats, chosen by the file extension:

- ``.jsonl``: one JSON object per line; blank lines are skipped.
- ``.yaml`` / ``.yml``: a list of mappings, or a mapping with a ``goals`` list.
- ``.csv``: a header row that contains ``goal`` and optionally ``id``, ``domain``,
  ``expected_outcome`` and ``persona_constraints`` (a JSON object in the cell).

The name ``example`` reads the packaged example set (``data/example_goals.jsonl``).

The LLM Roleplay paper's own goal file (records of ``goal_id``, ``instruction`` and optionally
``domain_note``) is read as is: ``instruction`` is the goal, ``goal_id`` its id, and the first word
of ``domain_note`` its domain.

Every problem raises :class:`ConfigError` with one line naming the file, the line (or YAML item)
and the field, e.g. ``goals.jsonl line 3: missing 'goal'``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.personas import AttributeSchema, default_schema

EXAMPLE = "example"
GOAL_FIELDS = ("id", "goal", "domain", "expected_outcome", "persona_constraints", "parts", "expect")
MAX_PARTS = 8
SUFFIXES = {".jsonl": "jsonl", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}


class Goal(BaseModel):
    """One goal of a goal set. ``persona_constraints`` use the persona schema's value keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    goal: str = Field(min_length=1)
    domain: str | None = None
    expected_outcome: str | None = None
    persona_constraints: dict[str, list[str]] | None = None
    parts: tuple[str, ...] | None = None
    expect: dict[str, Any] | None = None

    @classmethod
    def from_text(cls, text: str, **fields: Any) -> Goal:
        """A goal from its text alone (e.g. ``roleplay run --goal``), with the derived id."""
        return cls(id=fields.pop("id", None) or goal_id(text), goal=text.strip(), **fields)


def goal_id(text: str) -> str:
    """The id of a goal that has none: stable under changes of whitespace."""
    canonical = " ".join(text.split())
    return "g-" + hashlib.sha256(canonical.encode()).hexdigest()[:10]


def example_goals_text() -> tuple[str, str]:
    """The packaged example goal set: (a name for messages, its text)."""
    resource = files("llm_roleplay").joinpath("data/example_goals.jsonl")
    return str(resource), resource.read_text(encoding="utf-8")


def read_goals(path: Path | str, schema: AttributeSchema | None = None) -> list[Goal]:
    """Read and validate a goal file (see the module docstring); ``example`` is the packaged set."""
    schema = schema or default_schema()
    if str(path) == EXAMPLE:
        name, text = example_goals_text()
        return parse_goals(text, "jsonl", name, schema)
    path = Path(path)
    name = str(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        found = f"'{path.suffix}'" if path.suffix else "none"
        raise ConfigError(
            f"{name}: unknown goal file type (extension {found}; use .jsonl, .yaml, .yml or .csv, "
            f"or '{EXAMPLE}' for the example set)"
        )
    return parse_goals(read_input_text(path, "goal file"), kind, name, schema)


def parse_goals(text: str, kind: str, name: str, schema: AttributeSchema | None = None) -> list[Goal]:
    """Parse goal records from ``text`` in format ``kind`` ('jsonl', 'yaml' or 'csv')."""
    schema = schema or default_schema()
    if kind == "jsonl":
        records = _jsonl_records(text, name)
    elif kind == "yaml":
        records = _yaml_records(text, name)
    elif kind == "csv":
        records = _csv_records(text, name)
    else:
        raise ValueError(f"unknown goal format {kind!r}")
    goals: list[Goal] = []
    first_seen: dict[str, tuple[int, bool]] = {}
    unit = "item" if kind == "yaml" else "line"
    for number, where, raw in records:
        goal = parse_goal(raw, where, schema)
        derived = "id" not in raw or raw["id"] is None
        if goal.id in first_seen:
            earlier, earlier_derived = first_seen[goal.id]
            if derived and earlier_derived:
                raise ConfigError(
                    f"{name}: the same goal text appears twice ({unit}s {earlier} and {number})"
                )
            raise ConfigError(f"{name}: duplicate id '{goal.id}' ({unit}s {earlier} and {number})")
        first_seen[goal.id] = (number, derived)
        goals.append(goal)
    if not goals:
        raise ConfigError(f"{name}: no goals")
    return goals


def parse_goal(raw: Any, where: str, schema: AttributeSchema | None = None) -> Goal:
    """Validate one goal record; ``where`` (e.g. ``goals.jsonl line 3``) prefixes any error."""
    schema = schema or default_schema()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected an object with a 'goal', got {_type_name(raw)}")
    if "goal" not in raw and "instruction" in raw:
        raw = _from_paper_format(raw, where)
    for key in raw:
        if key not in GOAL_FIELDS:
            raise ConfigError(f"{where}: unknown field {_quote(key)} (known: {', '.join(GOAL_FIELDS)})")
    if "goal" not in raw:
        raise ConfigError(f"{where}: missing 'goal'")
    text = raw["goal"]
    if not isinstance(text, str):
        raise ConfigError(f"{where}: 'goal' must be text, got {_type_name(text)}")
    text = valid_unicode(text, f"{where}: 'goal'")
    if not text.strip():
        raise ConfigError(f"{where}: 'goal' is empty")
    return Goal(
        id=_id(raw.get("id"), text, where),
        goal=text.strip(),
        domain=_optional_text(raw, "domain", where),
        expected_outcome=_optional_text(raw, "expected_outcome", where),
        persona_constraints=_constraints(raw.get("persona_constraints"), where, schema),
        parts=_parts(raw.get("parts"), where),
        expect=_expect(raw.get("expect"), where),
    )


PAPER_FIELDS = ("goal_id", "instruction", "domain_note")


def _from_paper_format(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A record of the paper's goal file as a goal record."""
    for key in raw:
        if key not in PAPER_FIELDS:
            known = ", ".join(PAPER_FIELDS)
            raise ConfigError(f"{where}: unknown field {_quote(key)} in a paper-format goal (known: {known})")
    note = raw.get("domain_note")
    domain = note.split()[0] if isinstance(note, str) and note.split() else None
    return {"id": raw.get("goal_id"), "goal": raw["instruction"], "domain": domain}


def read_input_text(path: Path, what: str) -> str:
    """The UTF-8 text of an input file, or a one-line ConfigError saying why it cannot be read."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{name}: {what} not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{name}: is a directory, not a {what}") from None
    except OSError as error:
        raise ConfigError(f"{name}: cannot read the {what} ({error.strerror or error})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"{name} line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from None


# ----------------------------------------------------------------------------- fields


def valid_unicode(text: str, where: str) -> str:
    """``text`` as encodable Unicode: escaped surrogate pairs (``"\\ud83d\\ude00"``, as YAML leaves
    them) are joined; an unpaired surrogate is a ConfigError, since it could never be sent or saved."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: contains an unpaired surrogate escape (\\ud800-\\udfff)") from None


def _id(value: Any, text: str, where: str) -> str:
    if value is None:
        return goal_id(text)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: 'id' must be text, got {_type_name(value)}")
    value = valid_unicode(value, f"{where}: 'id'").strip()
    if not value:
        raise ConfigError(f"{where}: 'id' is empty")
    if not value.isprintable():
        raise ConfigError(f"{where}: 'id' must be one line of printable text")
    return value


def _optional_text(raw: Mapping[str, Any], field: str, where: str) -> str | None:
    value = raw.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: '{field}' must be text, got {_type_name(value)}")
    return valid_unicode(value, f"{where}: '{field}'").strip() or None


def _parts(value: Any, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):  # CSV: a JSON list, or texts separated by "|"
        stripped = value.strip()
        value = load_json(stripped, f"{where}: 'parts'") if stripped.startswith("[") else stripped.split("|")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: 'parts' must be a list of texts, got {_type_name(value)}")
    parts = [valid_unicode(item, f"{where}: 'parts'").strip() for item in value]
    if not parts or any(not part for part in parts):
        raise ConfigError(f"{where}: 'parts' must hold at least one part and no empty one")
    if len(parts) > MAX_PARTS:
        raise ConfigError(f"{where}: 'parts' has {len(parts)} parts; at most {MAX_PARTS}")
    return tuple(parts)


def _constraints(value: Any, where: str, schema: AttributeSchema) -> dict[str, list[str]] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{where}: 'persona_constraints' must map attribute names to lists of values, "
            f"got {_type_name(value)}"
        )
    constraints: dict[str, list[str]] = {}
    for name, allowed in value.items():
        if not isinstance(name, str) or name not in schema.attributes:
            known = ", ".join(schema.attributes)
            raise ConfigError(
                f"{where}: unknown attribute {_quote(name)} in persona_constraints (known: {known})"
            )
        values = [allowed] if isinstance(allowed, str) else allowed
        if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
            raise ConfigError(f"{where}: persona_constraints '{name}' must be a list of values")
        if not values:
            raise ConfigError(f"{where}: persona_constraints '{name}' allows no value")
        for item in values:
            if item not in schema.attributes[name]:
                known = ", ".join(schema.attributes[name])
                detail = f"unknown value {_quote(item)} for '{name}' in persona_constraints"
                raise ConfigError(f"{where}: {detail} (known: {known})")
        constraints[name] = list(dict.fromkeys(values))
    return constraints or None


def _expect(value: Any, where: str) -> dict[str, Any] | None:
    """The goal's declared agent checks, checked for shape now (predicates are imported at eval)."""
    if value is None:
        return None
    from llm_roleplay.evals.agent_checks import checks_from_expect  # evals imports this module: import late

    checks_from_expect(value, where)
    return dict(value)


# ----------------------------------------------------------------------------- formats

Record = tuple[int, str, Mapping[str, Any]]  # (line or item number, where, raw record)


def _jsonl_records(text: str, name: str) -> list[Record]:
    records: list[Record] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        raw = load_json(line, where)
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: expected an object with a 'goal', got {_type_name(raw)}")
        records.append((number, where, raw))
    return records


def load_json(text: str, where: str) -> Any:
    """``json.loads`` whose every failure is a one-line ConfigError prefixed by ``where``."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{where}: invalid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise ConfigError(f"{where}: invalid JSON (nested too deeply)") from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise ConfigError(f"{where}: invalid JSON ({_one_line(error)})") from None


def _yaml_records(text: str, name: str) -> list[Record]:
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = error.problem or error.context or "unreadable"
        raise ConfigError(f"{name}{line}: invalid YAML ({_one_line(problem)})") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{name}: invalid YAML ({_one_line(error)})") from None
    except RecursionError:
        raise ConfigError(f"{name}: invalid YAML (nested too deeply)") from None
    except Exception as error:  # PyYAML's scalar constructors raise assorted errors (bad dates, ...)
        raise ConfigError(f"{name}: invalid YAML ({_one_line(error) or type(error).__name__})") from None
    if isinstance(data, Mapping) and "goals" in data:
        data = data["goals"]
        if data is not None and not isinstance(data, list):
            raise ConfigError(f"{name}: 'goals' must be a list of goals, got {_type_name(data)}")
    elif data is not None and not isinstance(data, list):
        raise ConfigError(
            f"{name}: expected a list of goals or a mapping with a 'goals' list, got {_type_name(data)}"
        )
    lines = _yaml_item_lines(text)
    records: list[Record] = []
    for number, raw in enumerate(data or [], start=1):
        where = f"{name} item {number}"
        if lines is not None and number <= len(lines):
            where += f" (line {lines[number - 1]})"
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{where}: expected a mapping with a 'goal', got {_type_name(raw)}")
        records.append((number, where, raw))
    return records


def _yaml_item_lines(text: str) -> list[int] | None:
    """The line each goal item starts on, for messages; None when it cannot be told."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except Exception:  # safe_load succeeded already; line numbers are a courtesy
        return None
    if isinstance(node, yaml.MappingNode):
        goals = [
            value for key, value in node.value if isinstance(key, yaml.ScalarNode) and key.value == "goals"
        ]
        node = goals[-1] if goals else None  # the last one wins, as in safe_load
    if not isinstance(node, yaml.SequenceNode):
        return None
    return [item.start_mark.line + 1 for item in node.value]


def _csv_records(text: str, name: str) -> list[Record]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    records: list[Record] = []
    last_line = 0
    try:
        for row in reader:
            number, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = _csv_header(row, name)
                continue
            where = f"{name} line {number}"
            if len(row) > len(header):
                raise ConfigError(f"{where}: {len(row)} fields, but the header has {len(header)}")
            raw: dict[str, Any] = {}
            for column, cell in zip(header, row, strict=False):
                value = cell.strip()
                if not value:
                    continue
                if not column:
                    raise ConfigError(f"{where}: a value in a column without a header name")
                raw[column] = (
                    load_json(value, f"{where}: '{column}'")
                    if column in ("persona_constraints", "expect")
                    else value
                )
            records.append((number, where, raw))
    except csv.Error as error:
        raise ConfigError(f"{name} line {reader.line_num}: invalid CSV ({_one_line(error)})") from None
    return records


def _csv_header(row: list[str], name: str) -> list[str]:
    header = [cell.strip().lower() for cell in row]
    if "goal" not in header:
        found = ", ".join(_printable(cell) for cell in header if cell) or "nothing"
        hint = (
            " (columns must be separated by commas)"
            if len(row) == 1 and any(c in row[0] for c in ";\t")
            else ""
        )
        raise ConfigError(f"{name}: header must contain 'goal' (found: {found}){hint}")
    seen: set[str] = set()
    for column in header:
        if column and column not in GOAL_FIELDS:
            known = ", ".join(GOAL_FIELDS)
            raise ConfigError(f"{name}: header has unknown column {_quote(column)} (known: {known})")
        if column and column in seen:
            raise ConfigError(f"{name}: header repeats column {_quote(column)}")
        seen.add(column)
    return header


# ----------------------------------------------------------------------------- helpers


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _quote(value: Any) -> str:
    """A user-given key or value for a message: quoted, escaped to one line, shortened."""
    return f"'{_printable(value)}'" if isinstance(value, str) else _printable(repr(value))


def _printable(text: str, limit: int = 60) -> str:
    if not text.isprintable():
        text = "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())

"""A command-line flag for every run setting, generated from the pydantic ``Context``.

Nothing here lists settings by hand: each field of ``nodes/context.py`` becomes a flag named after
it (``max_turns`` -> ``--max-turns``), with its description, default and allowed range in
``--help``, so a field added to ``Context`` is on the command line, in ``roleplay config init``
and in the README's settings table (``python -m llm_roleplay.settings_flags --write README.md``)
without another edit. Only the flag *names* of a few older settings differ from their field names
(:data:`FLAG_ALIASES`). Values are handed to pydantic as typed (strings are coerced by pydantic's
own rules), so the command line, a ``--config`` file and the Python API validate alike.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.models import ROLES
from llm_roleplay.nodes.context import Context

# Settings whose flag is not their field name (short names users already type).
FLAG_ALIASES: dict[str, str] = {
    **{f"{role}_model": role for role in ROLES},
    **{f"{role}_requests_per_second": f"{role}-rps" for role in ROLES},
    "request_timeout_s": "request-timeout",
}
# Placeholders in --help, by the end of the field name; otherwise by type.
_METAVAR_BY_SUFFIX = {"_model": "SPEC", "_url": "URL", "_env": "VAR", "_file": "PATH"}

SETTINGS_TABLE_BEGIN = "<!-- settings-table:begin (generated from nodes/context.py: make docs) -->"
SETTINGS_TABLE_END = "<!-- settings-table:end -->"


def flag_of(name: str) -> str:
    """The command-line flag of the setting ``name``."""
    return "--" + FLAG_ALIASES.get(name, name.replace("_", "-"))


def setting_names() -> list[str]:
    return list(Context.model_fields)


def _value_type(annotation: Any) -> Any:
    """The type a command-line value is read as: Optional is unwrapped, model specs are strings."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if str in members:
            return str
        if len(members) == 1:
            return _value_type(members[0])
    return annotation


def _is_sequence(kind: Any) -> bool:
    return typing.get_origin(kind) in (tuple, list, set, frozenset)


def _is_structured(kind: Any) -> bool:
    """A mapping or a model: typed on the command line as JSON."""
    return (
        kind is dict
        or typing.get_origin(kind) is dict
        or (isinstance(kind, type) and issubclass(kind, BaseModel))
    )


def default_of(name: str) -> Any:
    """The setting's default (built by its factory if it has one)."""
    return Context.model_fields[name].get_default(call_default_factory=True)


def show_default(value: Any) -> str:
    """A default as a user types it."""
    if value is None:
        return "none"
    if isinstance(value, tuple | list):
        return ", ".join(map(str, value))
    return str(value)


def _bounds(info: FieldInfo) -> str:
    """``>= 1, <= 200``: the range the field's constraints allow ('' when unbounded)."""
    low = high = ""
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            low = f">= {item.ge}"
        elif isinstance(item, annotated_types.Gt):
            low = f"> {item.gt}"
        elif isinstance(item, annotated_types.Le):
            high = f"<= {item.le}"
        elif isinstance(item, annotated_types.Lt):
            high = f"< {item.lt}"
    return ", ".join(bound for bound in (low, high) if bound)


def describe(name: str) -> str:
    """The field's description, default and range in one sentence-like line."""
    info = Context.model_fields[name]
    kind = _value_type(info.annotation)
    parts = [f"default {show_default(default_of(name))}"]
    if typing.get_origin(kind) is Literal:
        parts.append("one of " + ", ".join(map(str, typing.get_args(kind))))
    elif _is_sequence(kind):
        parts.append("comma-separated")
    if bounds := _bounds(info):
        parts.append(bounds)
    text = (info.description or "").strip()
    return f"{text} ({'; '.join(parts)})" if text else f"({'; '.join(parts)})"


def add_settings_options(parser: argparse.ArgumentParser) -> None:
    """One flag per ``Context`` field, in two groups: the models of the three roles, the rest."""
    models = parser.add_argument_group("models (per role; settings of nodes/context.py)")
    dialogue = parser.add_argument_group("dialogue settings (nodes/context.py)")
    for name, info in Context.model_fields.items():
        group = models if name.startswith(tuple(f"{role}_" for role in ROLES)) else dialogue
        kind = _value_type(info.annotation)
        options: dict[str, Any] = {
            "dest": name,
            "default": None,  # None = not given: the --config file's value, else Context's default
            "help": describe(name).replace("%", "%%"),
        }
        if kind is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif typing.get_origin(kind) is Literal:
            options["choices"] = [str(choice) for choice in typing.get_args(kind)]
            options["metavar"] = "{" + ",".join(options["choices"]) + "}"
        else:
            options["metavar"] = next(
                (meta for suffix, meta in _METAVAR_BY_SUFFIX.items() if name.endswith(suffix)),
                {int: "N", float: "X"}.get(
                    kind, "A,B,..." if _is_sequence(kind) else "JSON" if _is_structured(kind) else "TEXT"
                ),
            )
        group.add_argument(flag_of(name), **options)


def _typed(name: str, value: Any) -> Any:
    """Text from the command line: comma-separated for lists, JSON for mappings and models;
    everything else goes to pydantic as it is (which coerces ``"3"`` to an int, and so on)."""
    if not isinstance(value, str):
        return value
    kind = _value_type(Context.model_fields[name].annotation)
    if _is_sequence(kind):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if _is_structured(kind):
        try:
            return json.loads(value)
        except ValueError:
            return value  # pydantic names the setting and says what it expected
    return value


def build_context(values: dict[str, Any], where: str | None = None) -> Context:
    """``Context`` from setting values; a bad one is a ConfigError naming it (flag, or ``where``)."""
    try:
        return Context(**{name: _typed(name, value) for name, value in values.items()})
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"])
        value = values.get(name, first.get("input"))
        label = (
            f"{where}: {name}"
            if where
            else f"setting {flag_of(name) if name in Context.model_fields else name}"
        )
        raise ConfigError(f"{label} {value!r}: {first['msg']}") from None


def context_from_args(args: argparse.Namespace) -> Context:
    """The run's ``Context`` from parsed flags (and ``--config`` values, merged in as defaults)."""
    given = {
        name: getattr(args, name) for name in Context.model_fields if getattr(args, name, None) is not None
    }
    return build_context(given)


def settings_table() -> str:
    """The README's settings table: every field with its flag, default and description."""
    rows = ["| setting | flag | default | meaning |", "|---|---|---|---|"]
    for name, info in Context.model_fields.items():
        kind = _value_type(info.annotation)
        extra = []
        if typing.get_origin(kind) is Literal:
            extra.append("one of " + ", ".join(f"`{choice}`" for choice in typing.get_args(kind)))
        if bounds := _bounds(info):
            extra.append(bounds)
        meaning = " ".join((info.description or "").split()).replace("|", "\\|")
        if extra:
            meaning += f" ({'; '.join(extra)})"
        rows.append(f"| `{name}` | `{flag_of(name)}` | `{show_default(default_of(name))}` | {meaning} |")
    return "\n".join(rows)


def replace_settings_table(text: str) -> str:
    """``text`` (the README) with the block between the settings-table markers regenerated."""
    pattern = re.compile(re.escape(SETTINGS_TABLE_BEGIN) + r".*?" + re.escape(SETTINGS_TABLE_END), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"no settings-table markers ({SETTINGS_TABLE_BEGIN} ... {SETTINGS_TABLE_END})")
    block = f"{SETTINGS_TABLE_BEGIN}\n{settings_table()}\n{SETTINGS_TABLE_END}"
    return pattern.sub(lambda _: block, text, count=1)


def main(argv: list[str] | None = None) -> int:
    """``python -m llm_roleplay.settings_flags [--write README.md]``: print or update the table."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--write"] and len(args) == 2:
        path = Path(args[1])
        path.write_text(replace_settings_table(path.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    print(settings_table())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

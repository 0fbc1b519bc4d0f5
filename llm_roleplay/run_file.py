"""``--config FILE``: a whole run written down as one YAML file, reviewed and repeated as one.

    settings:          # every setting of nodes/context.py, by field name (roleplay run, generate)
      max_turns: 6
    generate:          # the options of `roleplay generate`, by flag name with '_' for '-'
      goals: example
      trials: 2
    eval:              # the options of `roleplay eval`
      judge: openai:gpt-4o-mini

A flag on the command line beats the file, and the file beats the built-in default. Each command
reads ``settings`` (if it takes settings) and its own section and ignores the others, so one file
serves ``generate`` and ``eval`` alike. ``roleplay config init`` writes a file with every key set to
its default and described; it is generated from the parsers and from ``Context``, so it lists every
option and setting that exists. Unknown sections and keys are errors with the closest valid name.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.cli_parser import did_you_mean, subcommands
from llm_roleplay.nodes.context import Context
from llm_roleplay.settings_flags import build_context, default_of, describe, flag_of

SETTINGS = "settings"
_NOT_IN_FILE = frozenset({"help", "config", "version"})


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="YAML run file (write one with 'roleplay config init'); flags on the command line override it",
    )


def takes_settings(parser: argparse.ArgumentParser) -> bool:
    """Does the command take every ``Context`` setting as a flag (run, generate)?"""
    return set(Context.model_fields) <= {action.dest for action in parser._actions}


def file_options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The command's own options a run file may set (its flags, minus help, --config and settings)."""
    settings = set(Context.model_fields) if takes_settings(parser) else set()
    return [
        action
        for action in parser._actions
        if action.option_strings and action.dest not in _NOT_IN_FILE and action.dest not in settings
    ]


def _file_commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommands that take ``--config``, by name."""
    return {
        name: command
        for name, command in subcommands(parser).items()
        if any(action.dest == "config" for action in command._actions)
    }


def parse_with_run_file(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse ``argv``; with ``--config FILE``, the file's values become the command's defaults.

    Options that are required may then come from the file, so the first pass (which only finds the
    file) does not insist on them; the second pass does, for those the file does not give.
    """
    arguments = sys.argv[1:] if argv is None else argv
    if not any(arg == "--config" or arg.startswith("--config=") for arg in arguments):
        return parser.parse_args(arguments)
    commands = subcommands(parser)
    required = [a for p in commands.values() for a in p._actions if a.required and a.option_strings]
    for action in required:
        action.required = False
    first = parser.parse_args(arguments)
    provided: set[str] = set()
    if getattr(first, "config", None) is not None:
        sections = list(_file_commands(parser))
        provided = apply_run_file(commands[first.command], first.command, first.config, sections)
    for action in required:
        action.required = action.dest not in provided
    return parser.parse_args(arguments)


def read_run_file(path: Path, sections: list[str]) -> dict[str, dict[str, Any]]:
    """The file's sections (each a mapping); ConfigError names the file and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"--config {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"{path}: invalid YAML{where}: {getattr(error, 'problem', None) or error}"
        ) from None
    known = [SETTINGS, *sections]
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected sections ({', '.join(known)}), not a {type(data).__name__}")
    result: dict[str, dict[str, Any]] = {}
    for name, values in data.items():
        if name not in known:
            hint = did_you_mean(str(name), known)
            raise ConfigError(f"{path}: unknown section {name!r} (sections: {', '.join(known)}){hint}")
        if values is not None and not isinstance(values, dict):
            raise ConfigError(f"{path}: section {name!r} must be a mapping of keys to values")
        result[name] = dict(values or {})
    return result


def apply_run_file(
    parser: argparse.ArgumentParser, command: str, path: Path, sections: list[str]
) -> set[str]:
    """Make the file's values for ``command`` the parser's defaults; returns the keys it set."""
    data = read_run_file(path, sections)
    values: dict[str, Any] = {}
    if takes_settings(parser):
        settings = data.get(SETTINGS, {})
        for key in settings:
            if key not in Context.model_fields:
                hint = did_you_mean(str(key), list(Context.model_fields))
                raise ConfigError(f"{path}: settings.{key}: unknown setting{hint}")
        build_context(settings, where=f"{path}: settings")  # each value checked, the file named
        values.update(settings)
    options = {action.dest: action for action in file_options(parser)}
    for key, value in data.get(command, {}).items():
        if key not in options:
            hint = (
                " (a setting: put it under 'settings:')"
                if key in Context.model_fields and takes_settings(parser)
                else did_you_mean(str(key), list(options))
            )
            raise ConfigError(f"{path}: {command}.{key}: not an option of roleplay {command}{hint}")
        if value is not None:  # null: not set, the built-in default applies
            values[key] = _option_value(options[key], value, f"{path}: {command}.{key}")
    parser.set_defaults(**values)
    return set(values)


def _option_value(action: argparse.Action, value: Any, where: str) -> Any:
    """``value`` converted as the flag converts its text, with the flag's checks."""
    if action.nargs == 0:  # an on/off flag
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if isinstance(value, list | dict):
        raise ConfigError(f"{where}: expected one value, got a {type(value).__name__}")
    convert = action.type if callable(action.type) else str
    try:
        converted = convert(value if isinstance(value, str) else str(value))
    except (TypeError, ValueError, argparse.ArgumentTypeError) as error:
        raise ConfigError(f"{where}: invalid value {value!r} ({error})") from None
    if action.choices is not None and converted not in action.choices:
        choices = [str(choice) for choice in action.choices]
        hint = did_you_mean(str(value), choices)
        raise ConfigError(f"{where}: {value!r} is not one of {', '.join(choices)}{hint}")
    return converted


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def resolved_configuration(
    parser: argparse.ArgumentParser, command: str, args: argparse.Namespace, context: Context | None
) -> dict[str, Any]:
    """What the command runs with, after flags, file and defaults: the shape of a run file."""
    resolved: dict[str, Any] = {}
    if context is not None:
        resolved[SETTINGS] = context.model_dump(mode="json")
    resolved[command] = {
        action.dest: _jsonable(getattr(args, action.dest)) for action in file_options(parser)
    }
    if getattr(args, "config", None) is not None:
        resolved["config_file"] = str(args.config)
    return resolved


def _entry(key: str, value: Any, comment: str) -> list[str]:
    """``  # comment`` lines, then ``  key: value`` (lists in flow style, on one line)."""
    wrapped = textwrap.wrap(" ".join(comment.split()), 96, break_on_hyphens=False, break_long_words=False)
    dumped = yaml.safe_dump(value, default_flow_style=True, width=1_000_000).strip()
    return [*(f"  # {line}" for line in wrapped), f"  {key}: {dumped.removesuffix('...').strip()}"]


def render_run_file(parser: argparse.ArgumentParser, version: str) -> str:
    """A run file with every setting and option at its default, each with its description."""
    commands = _file_commands(parser)
    lines = [
        f"# roleplay run file (written by `roleplay config init`, llm-roleplay {version}).",
        "# Use: roleplay generate --config FILE (or run, eval). A flag on the command line beats the file,",
        "# the file beats the built-in default. Every key is set to its default: keep what you want to pin.",
        "",
        f"{SETTINGS}:  # the run settings (nodes/context.py), for roleplay "
        + ", ".join(name for name, command in commands.items() if takes_settings(command)),
    ]
    for name in Context.model_fields:
        lines += _entry(name, _jsonable(default_of(name)), f"{describe(name)} [{flag_of(name)}]")
    for name, command in commands.items():
        lines += ["", f"{name}:  # roleplay {name}: {command.description or ''}".rstrip()]
        for action in file_options(command):
            comment = (action.help or "").replace("%%", "%")
            if action.required:
                comment += " (required: here or on the command line)"
            lines += _entry(
                action.dest, _jsonable(action.default), f"{comment} [{action.option_strings[-1]}]"
            )
    return "\n".join(lines) + "\n"

"""The argument parser of ``roleplay``: exact flag names, one-line errors with a suggested fix.

Abbreviations are refused (``--max-turn 3`` is not silently taken for ``--max-turns``), and an
unknown flag or choice is reported by the subcommand it was given to, with the closest valid name:
``roleplay run: error: unknown option --maxturns; did you mean --max-turns?``.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn


def closest(word: str, candidates: Sequence[str]) -> str | None:
    """The candidate ``word`` most likely meant, if any is close enough."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Sequence[str]) -> str:
    """``; did you mean X?``, or an empty string."""
    match = closest(word, candidates)
    return f"; did you mean {match}?" if match else ""


class Parser(argparse.ArgumentParser):
    """``ArgumentParser`` without abbreviations, whose errors fit on one line (exit status 2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            chosen = chosen_parser(self, parsed)
            chosen.error(_unknown(chosen, extras))
        return parsed

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is not None and value not in action.choices:
            choices = [str(choice) for choice in action.choices]
            raise argparse.ArgumentError(
                action,
                f"invalid choice {value!r} (choose from {', '.join(choices)})"
                + did_you_mean(str(value), choices),
            )


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser's subcommand parsers by name (empty without subcommands)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def chosen_parser(parser: argparse.ArgumentParser, parsed: argparse.Namespace) -> argparse.ArgumentParser:
    """The innermost (sub)command parser that ``parsed`` went through."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            name = getattr(parsed, action.dest, None)
            if name in action.choices:
                return chosen_parser(action.choices[name], parsed)
    return parser


def option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [option for action in parser._actions for option in action.option_strings]


def _unknown(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    """One message for everything left over: unknown options first (a stray value usually
    belongs to one of them), else the unexpected positional arguments."""
    options = [extra.partition("=")[0] for extra in extras if extra.startswith("-") and extra != "-"]
    if options:
        known = option_strings(parser)
        return "; ".join(f"unknown option {option}{did_you_mean(option, known)}" for option in options)
    return "unexpected argument" + ("s " if len(extras) > 1 else " ") + " ".join(map(repr, extras))

"""Small helpers for what the command line prints: plurals, and whether a person is watching.

Colour and progress bars are for a terminal; a log file or a pipe gets plain lines. ``NO_COLOR``
(https://no-color.org) turns colour off on a terminal too.
"""

from __future__ import annotations

import os
from typing import TextIO


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``1 dialogue``, ``2 dialogues``."""
    return f"{count} {noun if count == 1 else plural_noun or noun + 's'}"


def interactive(stream: TextIO) -> bool:
    """Is ``stream`` a terminal (not a log file or a pipe)?"""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real file
        return False


def wants_colour(stream: TextIO) -> bool:
    return interactive(stream) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"

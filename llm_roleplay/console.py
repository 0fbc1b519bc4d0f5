"""Small helpers for what the command line prints: plurals, and whether a person is watching.

Colour and progress bars are for a terminal; a log file or a pipe gets plain lines. ``NO_COLOR``
(https://no-color.org) turns colour off on a terminal too.
"""

from __future__ import annotations

import os
from typing import TextIO

from llm_roleplay.blocks.progress_display import interactive  # the progress display decides the same way

__all__ = ["interactive", "plural", "wants_colour"]


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``1 dialogue``, ``2 dialogues``."""
    return f"{count} {noun if count == 1 else plural_noun or noun + 's'}"


def wants_colour(stream: TextIO) -> bool:
    return interactive(stream) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"

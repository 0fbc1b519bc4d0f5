"""Checks of output paths, made before any model is called: a run must not stream a whole dialogue
and then fail to write it. Each failure is one line naming the flag, the path and the fix."""

from __future__ import annotations

import os
from pathlib import Path

from llm_roleplay.blocks.errors import ConfigError


def _writable_folder(path: Path, flag: str, shown: Path) -> None:
    """``path``'s nearest existing ancestor is a folder this process may write in."""
    for ancestor in (path, *path.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise ConfigError(f"{flag} {shown}: {ancestor} is a file, not a folder")
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise ConfigError(f"{flag} {shown}: cannot write in {ancestor} (permission denied)")
            return


def check_output_file(path: Path, flag: str, example: str = "record.json") -> None:
    """``path`` can be written as a file: not a folder, and inside a folder that can be created."""
    if path.is_dir():
        raise ConfigError(f"{flag} {path}: is a folder; name a file in it, e.g. {path / example}")
    _writable_folder(path.parent, flag, path)


def check_output_dir(path: Path, flag: str) -> None:
    """``path`` is, or can be created as, a writable folder."""
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{flag} {path}: is a file, not a folder")
    _writable_folder(path, flag, path)

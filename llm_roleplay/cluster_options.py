"""The command-line options of ``roleplay generate`` for shared checkpoints and Ray (one place, so
that the CLI module only calls :func:`add_generate_options` and :func:`generate_options`)."""

from __future__ import annotations

import argparse
from typing import Any

from llm_roleplay.checkpoints import parse_db

DEFAULT_CHUNK_SIZE = 16  # dialogues per Ray task


def add_generate_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("checkpoints and scaling out")
    group.add_argument(
        "--db",
        type=parse_db,
        metavar="PATH|URL",
        help="checkpoints: a SQLite file (default DIR/checkpoints.sqlite) or a postgresql:// URL",
    )
    group.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run the grid on a Ray cluster: auto, local or HOST:PORT (needs --db postgresql://... "
        "unless local)",
    )
    group.add_argument(
        "--chunk-size",
        type=int,
        default=DEFAULT_CHUNK_SIZE,
        metavar="N",
        help=f"dialogues per Ray task (default {DEFAULT_CHUNK_SIZE})",
    )


def generate_options(args: argparse.Namespace) -> dict[str, Any]:
    """The GenerateOptions fields these options set."""
    return {"db": args.db, "ray": args.ray, "chunk_size": args.chunk_size}

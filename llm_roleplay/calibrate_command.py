"""``roleplay calibrate REFERENCE --out style.json``: fit a style profile on real users' messages.

REFERENCE is a log of real conversations with a chatbot, OpenAI messages JSONL or ShareGPT JSON
(as ``roleplay eval --reference`` reads them), or ``sharegpt`` for the public set the default
profile was fitted on. ``roleplay generate --style style.json`` then makes the simulated users type
like those users. Exit status: 0 written, 2 wrong input (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.records import write_json_atomic


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "calibrate",
        help="fit a style profile (how users type) on real conversations",
        description="Fit a style profile on real users' messages; use it with --style FILE.",
    )
    parser.add_argument("reference", help="OpenAI messages JSONL, ShareGPT JSON, or 'sharegpt'")
    parser.add_argument("--out", type=Path, required=True, help="profile file to write (JSON)")
    parser.add_argument(
        "--all-languages", action="store_true", help="keep non-English messages (default: English only)"
    )


def run(args: argparse.Namespace) -> int:
    from llm_roleplay.blocks.style import sharegpt
    from llm_roleplay.blocks.style.fit import Conversation, fit_profile
    from llm_roleplay.blocks.style.profile import Source
    from llm_roleplay.evals.reference import SHAREGPT, load_reference

    try:
        if args.out.is_dir():
            raise ConfigError(f"--out {args.out}: is a directory; name the profile file to write")
        if args.reference == SHAREGPT:
            conversations = sharegpt.conversations()
            source = Source(name=sharegpt.NAME, description=sharegpt.DESCRIPTION, licence=sharegpt.LICENCE)
        else:
            reference = load_reference(Path(args.reference))
            conversations = [
                Conversation(tuple(m["content"] for m in record["messages"] if m["role"] == "user"))
                for record in reference.records
            ]
            source = Source(name=Path(args.reference).name, description=f"{reference.format} log")
        profile = fit_profile(conversations, source, english_only=not args.all_languages)
        write_json_atomic(args.out, profile.model_dump(mode="json"))
    except ConfigError as error:
        print(f"roleplay: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"roleplay: error: --out {args.out}: {error.strerror or error}", file=sys.stderr)
        return 2
    first, later = profile.reference["first"], profile.reference["later"]
    print(
        f"fitted on {profile.source.first_messages} opening and {profile.source.later_messages} later "
        f"messages of {profile.source.conversations} conversations: median words {first['median_words']:.0f} "
        f"/ {later['median_words']:.0f}, lowercase start {first['lowercase_start']:.0%} / "
        f"{later['lowercase_start']:.0%}, no closing punctuation {first['no_closing_punct']:.0%} / "
        f"{later['no_closing_punct']:.0%} (opening / later)"
    )
    print(f"wrote {args.out}; use it with --style {args.out}")
    return 0

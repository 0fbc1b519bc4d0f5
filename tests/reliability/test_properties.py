"""Properties on arbitrary input of the readers and scrubbers that untrusted bytes reach.

The parsers of model output (``parse_decision``, ``parse_verdict``, ``extract_message``) and the
goal and persona readers already have such properties in ``tests/unit``; these cover the rest.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_roleplay.blocks import keys
from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.keys import REDACTED, read_api_key, redact, remember_secret
from llm_roleplay.dataset_store import read_records

PROPERTY = settings(max_examples=150, deadline=None)

RECORD = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=12), "text": st.text(max_size=40)},
)


def read_bytes(data: bytes) -> tuple[list[dict[str, object]], list[int], bool]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dialogues.jsonl"
        path.write_bytes(data)
        result = read_records(path)
    return result.records, result.bad_lines, result.torn_tail


@PROPERTY
@given(st.binary(max_size=2000))
def test_read_records_never_raises_on_any_bytes(data: bytes) -> None:
    records, bad_lines, _ = read_bytes(data)
    assert all(isinstance(record, dict) and "id" in record for record in records)
    lines = data.split(b"\n")
    assert len(records) + len(bad_lines) == sum(1 for line in lines if line.strip())


# Lines no writer produces: "#" makes them invalid JSON whatever follows.
GARBAGE = st.binary(max_size=30).map(lambda raw: b"#" + raw.replace(b"\n", b""))


@PROPERTY
@given(st.lists(st.one_of(RECORD, GARBAGE), max_size=12), st.booleans())
def test_read_records_keeps_every_good_line_among_garbage(
    items: list[dict[str, str] | bytes], torn: bool
) -> None:
    """Complete record lines survive whatever is around them; a torn last line is never a record."""
    lines = [
        item if isinstance(item, bytes) else json.dumps(item, ensure_ascii=False).encode() for item in items
    ]
    data = b"".join(line + b"\n" for line in lines)
    if torn:
        data += json.dumps({"id": "torn", "text": "complete JSON, but no newline"}).encode()
    records, bad_lines, torn_tail = read_bytes(data)
    assert records == [item for item in items if isinstance(item, dict)]
    garbage = [number for number, item in enumerate(items, start=1) if isinstance(item, bytes)]
    assert bad_lines == garbage + ([len(items) + 1] if torn else [])
    assert torn_tail is torn


KEY = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=8, max_size=40
)


@contextlib.contextmanager
def secrets_forgotten_after() -> Iterator[None]:
    """Leave the process's remembered secrets as they were.

    Hypothesis draws examples from the project's own string literals ("temperature"), and a
    remembered secret is scrubbed from every later message of the process: later tests' errors
    would read "[redacted]: 0.7 -> 0.3".
    """
    before = set(keys._SECRETS)
    try:
        yield
    finally:
        keys._SECRETS.intersection_update(before)


@PROPERTY
@given(KEY, st.text(max_size=80), st.text(max_size=80))
def test_a_remembered_key_never_survives_redact(key: str, before: str, after: str) -> None:
    with secrets_forgotten_after():
        remember_secret(key)
        scrubbed = redact(before + key + after + key)
    assert key not in scrubbed
    assert REDACTED in scrubbed


@PROPERTY
@given(st.binary(max_size=200))
def test_a_key_file_gives_its_key_or_a_config_error_that_never_quotes_it(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "key.txt"
        path.write_bytes(data)
        try:
            with secrets_forgotten_after():
                key = read_api_key("chatbot", env=None, file=str(path))
        except ConfigError as error:
            message = str(error)
            assert message.startswith(f"--chatbot-api-key-file {path}: ")
            assert "\n" not in message
            content = data.decode("utf-8", "replace").strip()
            if len(content) >= 8:
                assert content not in message
            return
    assert key and key == data.decode("utf-8").strip() and not any(char.isspace() for char in key)


def test_both_key_sources_at_once_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not both"):
        read_api_key("judge", env="SOME_VAR", file=str(tmp_path / "key.txt"))

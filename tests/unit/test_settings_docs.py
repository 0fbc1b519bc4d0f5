"""The README's settings table is generated from ``Context``: it fails here when they differ."""

from __future__ import annotations

from pathlib import Path

from llm_roleplay.nodes.context import Context
from llm_roleplay.settings_flags import SETTINGS_TABLE_BEGIN, replace_settings_table, settings_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_settings_table_is_generated_from_context() -> None:
    text = README.read_text(encoding="utf-8")
    assert SETTINGS_TABLE_BEGIN in text
    assert replace_settings_table(text) == text, "README settings table is out of date: run `make docs`"


def test_the_table_has_one_row_per_setting_with_its_default() -> None:
    rows = settings_table().splitlines()[2:]
    assert [row.split("|")[1].strip(" `") for row in rows] == list(Context.model_fields)

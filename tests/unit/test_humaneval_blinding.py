"""Blinding: nothing in what annotators see tells the source, and both sources render identically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llm_roleplay.evals.humaneval.blinding import Message, normalise_dialogue, normalise_text
from llm_roleplay.evals.humaneval.form import render_form
from llm_roleplay.evals.humaneval.sources import load_real, load_simulated
from tests.unit.test_humaneval_fixtures import (
    CHATBOT,
    INQUIRERS,
    SIMULATED,
    make_study,
    simulated_record,
    write_real_jsonl,
)

SHOWN = ("items.json", "items.csv", "form.html")  # what annotators may be given
# per-item key fields that reveal nothing on their own (a style setting is "default" or "off")
NOT_SECRET = {"source", "domain", "user_turns", "style"}


def _strings(value: Any, field: str = "") -> list[tuple[str, str]]:
    """Every (field, string) leaf of a JSON value; numbers are left out (digits occur everywhere)."""
    if isinstance(value, dict):
        return [leaf for name, inner in value.items() for leaf in _strings(inner, name)]
    if isinstance(value, list):
        return [leaf for inner in value for leaf in _strings(inner, field)]
    return [(field, value)] if isinstance(value, str) else []


def test_no_value_of_the_key_appears_in_anything_annotators_see(tmp_path: Path) -> None:
    report = make_study(tmp_path, n=2 * len(SIMULATED))
    study = tmp_path / "study"
    key = json.loads((study / "key.json").read_text())
    shown = {name: (study / name).read_text(encoding="utf-8-sig") for name in SHOWN}
    secrets = [
        (field, text)
        for entry in key["items"].values()
        for field, text in _strings(entry)
        if field not in NOT_SECRET and len(text) >= 4
    ]
    secrets += [("simulated", key["simulated"]), ("real", key["real"])]
    fields = {field for field, _ in secrets}
    # The search covers what the blinding must hide: ids, personas, goals, endings, models, settings.
    assert {"original_id", "description", "goal", "goal_id", "termination_reason", "inquirer_model"} <= fields
    assert {
        "chatbot_model",
        "judge_model",
        "inquirer_history",
        "filters",
        "age_bracket",
        "position",
    } <= fields
    assert {text for _, text in secrets} >= {
        *INQUIRERS,
        CHATBOT,
        "openai:gpt-4o",
        "goal_verified",
        "max_turns",
    }
    for name, text in shown.items():
        leaked = [(field, secret) for field, secret in secrets if secret in text]
        assert not leaked, f"{name} shows {leaked[:3]}"
    assert report.study_id in shown["items.json"] and report.study_id in shown["form.html"]


def test_items_carry_only_an_opaque_id_and_role_and_text(tmp_path: Path) -> None:
    make_study(tmp_path, n=8)
    items = json.loads((tmp_path / "study" / "items.json").read_text())
    assert set(items) == {"study_id", "question", "items"}
    assert [item["item_id"] for item in items["items"]] == [f"item-{i:02d}" for i in range(1, 9)]
    for item in items["items"]:
        assert set(item) == {"item_id", "messages"}
        assert all(set(message) == {"role", "content"} for message in item["messages"])
        roles = [message["role"] for message in item["messages"]]
        assert roles == ["user", "assistant"] * (len(roles) // 2)  # starts with the user, ends answered


def test_the_same_words_render_identically_from_either_source(tmp_path: Path) -> None:
    spec = (*SIMULATED[0][:7], [("User: “Hi there…  can you help?”  ", "Sure — what’s up?\r\n")])
    directory = tmp_path / "sim"
    directory.mkdir()
    (directory / "dialogues.jsonl").write_text(json.dumps(simulated_record(spec)) + "\n")
    real = write_real_jsonl(
        tmp_path / "real.jsonl", [("r1", "x", [("Hi there\u2026 can\u00a0you help?", "Sure — what's up?")])]
    )
    simulated_messages = load_simulated(directory).candidates[0].messages
    real_messages = load_real(real).candidates[0].messages  # also: system prompt, greeting, CRLF
    assert (
        simulated_messages
        == real_messages
        == (
            Message("user", "Hi there... can you help?"),
            Message("assistant", "Sure — what's up?"),
        )
    )


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("“Quoted” and ‘single’ and it’s", "\"Quoted\" and 'single' and it's"),
        ("trailing   \nspaces\t \r\nand CRLF", "trailing\nspaces\nand CRLF"),
        ("a  b   c", "a b c"),
        ("para\n\n\n\n\npara", "para\n\npara"),
        ("zero\u200bwidth\ufeff and\u00a0nbsp", "zerowidth and nbsp"),
        ("User: hello", "hello"),
        ("**User:** hello", "hello"),
        ("### Assistant:\nhello", "hello"),
        ("human:   hello", "hello"),
        ('"wrapped whole message"', "wrapped whole message"),
        ('User: "labelled and wrapped"', "labelled and wrapped"),
        ("my question?\n\nAssistant:", "my question?"),
        ('he said "hi" to me', 'he said "hi" to me'),  # a quotation inside is kept
        ('"a" and "b"', '"a" and "b"'),  # two quotations, not one wrapped message
        ("Username: bob", "Username: bob"),  # not a role label
        ("```\ncode    aligned\n```", "```\ncode    aligned\n```"),  # code keeps its spacing
        ("wait — really? 🙂", "wait — really? 🙂"),  # wording, dashes and emoji are content
    ],
)
def test_normalise_text(raw: str, shown: str) -> None:
    assert normalise_text(raw) == shown


def test_normalise_dialogue_drops_what_only_one_source_has() -> None:
    messages = normalise_dialogue(
        [
            ("assistant", "Hello! How can I help?"),  # a greeting before the user wrote
            ("user", "first"),
            ("user", "second part"),  # two messages in a row: one turn
            ("assistant", "   "),  # empty
            ("assistant", "answer"),
            ("user", "unanswered"),  # no reply
        ]
    )
    assert messages == [Message("user", "first\n\nsecond part"), Message("assistant", "answer")]
    assert normalise_dialogue([("assistant", "only a greeting")]) == []


def test_the_form_embeds_untrusted_text_without_letting_it_close_the_script() -> None:
    hostile = "</script><script>alert(1)</script><!-- & \u2028"
    html = render_form(
        {
            "study_id": "study-x",
            "question": "Q?",
            "items": [{"item_id": "item-01", "messages": [{"role": "user", "content": hostile}]}],
        }
    )
    assert html.count("</script>") == 2  # the data block's and the code's own
    assert "alert(1)" in html and "<script>alert" not in html
    data = html.split('<script id="study-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(data)["items"][0]["messages"][0]["content"] == hostile
    assert "http://" not in html.replace("http-equiv", "") and "https://" not in html  # nothing to fetch

"""Personas (sampled, given, validated) and dialogue ids (stable; sensitive to what defines a dialogue)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from llm_roleplay import prompts
from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.personas import Persona, default_schema, render_description, sample_persona
from llm_roleplay.graphs.roleplay import graph
from llm_roleplay.nodes import ids
from llm_roleplay.nodes.context import OPERATIONAL_FIELDS, Context
from llm_roleplay.nodes.ids import dialogue_id
from tests.unit.scripted_models import (
    GOAL,
    PERSONA_DESCRIPTION_MARK,
    TASK_MARKS,
    USER_MESSAGES,
    NumberedChatbot,
    ScriptedInquirer,
    run_roleplay,
)

# ---------------------------------------------------------------- sampling


def test_sampling_is_reproducible() -> None:
    assert sample_persona(7) == sample_persona(7)
    assert sample_persona(7).source == "sampled:7"


def test_different_seeds_give_different_personas() -> None:
    assert sample_persona(0).attributes != sample_persona(1).attributes
    distinct = {json.dumps(sample_persona(seed).attributes, sort_keys=True) for seed in range(20)}
    assert len(distinct) == 20


def test_sampled_attributes_are_valid_for_the_schema() -> None:
    schema = default_schema()
    seen: dict[str, set[str]] = defaultdict(set)
    for seed in range(600):
        persona = sample_persona(seed)
        assert set(persona.attributes) == set(schema.attributes)
        schema.validate(persona.attributes)  # raises on an unknown attribute or value
        for name, value in persona.attributes.items():
            assert value in schema.attributes[name]
            seen[name].add(value)
        description = render_description(persona.attributes)
        assert "{" not in description and "}" not in description
        for name, value in persona.attributes.items():
            assert schema.attributes[name][value] in description
    # sampling reaches every value of every attribute
    assert {name: set(values) for name, values in schema.attributes.items()} == dict(seen)


def test_graph_samples_a_persona_from_the_seed() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1])
    state = run_roleplay(inquirer, persona=None, seed=5, max_turns=1)

    expected = sample_persona(5)
    assert state["persona"]["attributes"] == expected.attributes
    assert state["persona"]["source"] == "sampled:5"
    assert state["persona"]["description"] == render_description(expected.attributes)
    assert state["persona"]["description"] in inquirer.prompts[0][0]["content"]


def test_graph_persona_changes_with_the_seed() -> None:
    first = run_roleplay(ScriptedInquirer(USER_MESSAGES[:1]), persona=None, seed=1, max_turns=1)
    second = run_roleplay(ScriptedInquirer(USER_MESSAGES[:1]), persona=None, seed=2, max_turns=1)
    assert first["persona"] != second["persona"]
    assert first["dialogue_id"] != second["dialogue_id"]


# ---------------------------------------------------------------- given personas

PARTIAL = {"gender": "female", "occupation": "nurse", "region": "nigeria"}


def opening_prompt_of(inquirer: ScriptedInquirer) -> str:
    text = inquirer.prompts[0][0]["content"]
    assert TASK_MARKS["open"] in text
    return str(text)


@pytest.mark.parametrize("given", [{"attributes": PARTIAL}, PARTIAL], ids=["wrapped", "flat"])
def test_given_attributes_are_used(given: dict[str, Any]) -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1])
    state = run_roleplay(inquirer, persona=given, max_turns=1)

    persona = state["persona"]
    assert persona["attributes"] == PARTIAL
    assert persona["source"] == "given"
    assert persona["description"] == render_description(PARTIAL)
    for phrase in ("woman", "a nurse", "Nigeria"):
        assert phrase in persona["description"]
    assert persona["description"] in opening_prompt_of(inquirer)


def test_complete_attributes_render_the_template_sentence() -> None:
    attributes = sample_persona(3).attributes
    state = run_roleplay(ScriptedInquirer(USER_MESSAGES[:1]), persona={"attributes": attributes}, max_turns=1)
    assert state["persona"]["description"] == default_schema().template.format(
        **{name: default_schema().attributes[name][value] for name, value in attributes.items()}
    )


def test_given_text_persona_is_the_description() -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1])
    state = run_roleplay(inquirer, persona="  A shy teenager who loves astronomy.  ", max_turns=1)

    assert state["persona"] == {
        "attributes": {},
        "description": "A shy teenager who loves astronomy.",
        "source": "given",
    }
    assert "A shy teenager who loves astronomy." in opening_prompt_of(inquirer)


def test_given_description_wins_over_attributes() -> None:
    given = {"attributes": PARTIAL, "description": "A night-shift nurse in Lagos."}
    state = run_roleplay(ScriptedInquirer(USER_MESSAGES[:1]), persona=given, max_turns=1)
    assert state["persona"]["description"] == "A night-shift nurse in Lagos."
    assert state["persona"]["attributes"] == PARTIAL


def test_llm_written_description() -> None:
    calls: list[str] = []

    def inquirer(messages: list[dict[str, Any]]) -> str:
        text = str(messages[0]["content"])
        calls.append(text)
        if PERSONA_DESCRIPTION_MARK in text:
            assert "a nurse" in text and "woman" in text
            return '"A tired nurse who writes short, blunt messages."'
        return USER_MESSAGES[0]

    state = run_roleplay(inquirer, persona=PARTIAL, max_turns=1, persona_description="llm")
    assert state["persona"]["description"] == "A tired nurse who writes short, blunt messages."
    assert len(calls) == 2
    assert state["usage"]["inquirer"]["calls"] == 2


def test_llm_description_falls_back_to_the_template_when_empty() -> None:
    def inquirer(messages: list[dict[str, Any]]) -> str:
        return "  " if PERSONA_DESCRIPTION_MARK in str(messages[0]["content"]) else USER_MESSAGES[0]

    state = run_roleplay(inquirer, persona=PARTIAL, max_turns=1, persona_description="llm")
    assert state["persona"]["description"] == render_description(PARTIAL)


@pytest.mark.parametrize(
    ("given", "names"),
    [
        ({"favourite_colour": "blue"}, ["favourite_colour"]),
        ({"attributes": {"gender": "female", "shoe_size": "42"}}, ["shoe_size"]),
        ({"gender": "robot"}, ["robot", "gender"]),
        ({"attributes": {"age_bracket": "17"}}, ["17", "age_bracket"]),
    ],
)
def test_unknown_attribute_or_value_is_a_config_error(given: dict[str, Any], names: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        Persona.from_input(given)
    message = str(caught.value)
    assert "\n" not in message
    for name in names:
        assert f"'{name}'" in message

    with pytest.raises(ConfigError, match=re.escape(f"'{names[0]}'")):
        graph.invoke({"goal": GOAL, "persona": given}, context=Context(inquirer_model="fake"))


@pytest.mark.parametrize(
    "given",
    ["   ", {"attributes": {"gender": 1}}, {"attributes": ["gender"]}, {"description": 5}, 42],
    ids=["blank-text", "non-text-value", "list", "non-text-description", "number"],
)
def test_malformed_persona_is_a_config_error(given: Any) -> None:
    with pytest.raises(ConfigError, match="persona"):
        Persona.from_input(given)


@pytest.mark.parametrize("goal", ["", "   "])
def test_empty_goal_is_a_config_error(goal: str) -> None:
    with pytest.raises(ConfigError, match="goal"):
        graph.invoke({"goal": goal}, context=Context(inquirer_model="fake"))


# ---------------------------------------------------------------- dialogue ids

BASE = {"inquirer_model": "fake", "chatbot_model": "fake", "judge_model": "fake"}


def make_id(goal: str = GOAL, persona: Any = None, **settings: Any) -> str:
    return dialogue_id(goal, persona, Context(**{**BASE, **settings}))


def test_id_is_stable_for_the_same_inputs() -> None:
    assert make_id() == make_id()
    assert make_id(persona=PARTIAL, seed=3) == make_id(persona=dict(reversed(PARTIAL.items())), seed=3)
    assert re.fullmatch(r"dlg-[0-9a-f]{20}", make_id())


def test_id_ignores_whitespace_in_the_goal() -> None:
    assert make_id(goal="  bake   bread\nat home ") == make_id(goal="bake bread at home")


@pytest.mark.parametrize(
    "change",
    [
        {"goal": "Learn how to fix a leaking tap"},
        {"persona": PARTIAL},
        {"persona": "A shy teenager."},
        {"seed": 1},
        {"max_turns": 5},
        {"inquirer_model": "openai:gpt-4o-mini"},
        {"chatbot_model": "local"},
        {"judge_model": "none"},
        {"temperature": 0.2},
        {"chatbot_system_prompt": "Be brief."},
        {"max_regenerations": 1},
        {"persona_description": "llm"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_id_changes_with_what_defines_the_dialogue(change: dict[str, Any]) -> None:
    assert make_id(**change) != make_id()


@pytest.mark.parametrize(
    "change",
    [
        {"request_timeout_s": 5.0},
        {"request_retries": 7},
        {"inquirer_api_key_env": "SOME_KEY"},
        {"chatbot_api_key_env": "SOME_KEY"},
        {"judge_api_key_env": "SOME_KEY"},
        {"local_parallel_slots": 16},
    ],
    ids=lambda change: next(iter(change)),
)
def test_operational_settings_do_not_change_the_id(change: dict[str, Any]) -> None:
    assert make_id(**change) == make_id()


def test_operational_fields_are_real_settings() -> None:
    assert set(Context.model_fields) >= OPERATIONAL_FIELDS


def test_id_changes_with_a_prompt_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = make_id()
    for path in prompts.PROMPT_DIR.glob("*.md"):
        shutil.copy(path, tmp_path / path.name)
    opening = tmp_path / "inquirer_open.md"
    text = opening.read_text(encoding="utf-8")
    opening.write_text(re.sub(r"(?m)^version: *(\S+)$", r"version: \1-bumped", text, count=1))
    try:
        prompts.load_prompt.cache_clear()
        monkeypatch.setattr(prompts, "PROMPT_DIR", tmp_path)
        assert prompts.prompt_versions()["inquirer_open"].endswith("-bumped")
        assert make_id() != before
    finally:
        monkeypatch.undo()
        prompts.load_prompt.cache_clear()
    assert make_id() == before


def test_id_changes_with_the_persona_schema_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = make_id()
    bumped = dataclasses.replace(default_schema(), version="999")
    monkeypatch.setattr(ids, "default_schema", lambda: bumped)
    assert make_id() != before


def test_graph_state_carries_the_id() -> None:
    inquirer, chatbot = ScriptedInquirer(messages=USER_MESSAGES[:1]), NumberedChatbot()
    state = run_roleplay(inquirer, chatbot, persona=PARTIAL, max_turns=1, seed=4)
    context = Context(
        inquirer_model=inquirer,
        chatbot_model=chatbot,
        judge_model="none",
        max_turns=1,
        seed=4,
        min_turns_before_stop=1,  # as run_roleplay sets these
        judge_samples=1,
        style="off",
    )
    assert state["dialogue_id"] == dialogue_id(GOAL, PARTIAL, context, [GOAL])


def test_id_is_the_same_in_another_process() -> None:
    code = (
        "from llm_roleplay.nodes.ids import dialogue_id; from nodes.context import Context;"
        "print(dialogue_id('bake bread', {'gender': 'male'},"
        " Context(inquirer_model='fake', chatbot_model='fake', judge_model='fake', seed=9)))"
    )
    prompts.load_prompt.cache_clear()  # read the prompt files as they are now, like the new process
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    root = Path(__file__).resolve().parents[2]
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root, env=env
    )
    assert output.stdout.strip() == make_id(goal="bake bread", persona={"gender": "male"}, seed=9)

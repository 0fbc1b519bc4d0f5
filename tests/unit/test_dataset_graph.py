"""The dataset graph: a grid fanned out with Send, one roleplay subgraph per cell."""

from __future__ import annotations

import pytest

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.graphs.dataset import graph
from llm_roleplay.nodes.context import Context

FAKE = Context(inquirer_model="fake", chatbot_model="fake", judge_model="fake")


def test_every_cell_becomes_one_dialogue_with_its_own_seed() -> None:
    result = graph.invoke(
        {
            "goals": ["Plan a picnic.", {"goal": "Fix a slow laptop.", "id": "laptop"}],
            "personas": 2,
            "trials": 2,
        },
        context=FAKE,
    )
    dialogues = result["dialogues"]
    assert len(dialogues) == 2 * 2 * 2
    assert len({record["id"] for record in dialogues}) == 8
    assert len({record["settings"]["seed"] for record in dialogues}) == 8  # every trial its own seed
    assert {record["goal_id"] for record in dialogues} >= {"laptop"}
    assert sorted({record["trial"] for record in dialogues}) == [0, 1]
    assert result["summary"]["termination_reasons"] == {"goal_verified": 8}


def test_given_personas_are_used_and_the_plan_is_reproducible() -> None:
    request = {"goals": ["Plan a picnic."], "personas": [{"attributes": {"occupation": "nurse"}}]}
    first = graph.invoke(request, context=FAKE)
    second = graph.invoke(request, context=FAKE)
    assert [d["persona"]["attributes"] for d in first["dialogues"]] == [{"occupation": "nurse"}]
    assert [d["id"] for d in first["dialogues"]] == [d["id"] for d in second["dialogues"]]


def test_no_goals_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="'goals' must be a non-empty list"):
        graph.invoke({"goals": []}, context=FAKE)

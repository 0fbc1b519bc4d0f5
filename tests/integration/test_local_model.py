"""A real two-turn dialogue on the embedded local model (Qwen2.5-Coder-1.5B-Instruct, in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm_roleplay.blocks.local_model import MODEL_SHA256, ensure_weights
from llm_roleplay.nodes.checks import breaks_role, is_empty
from llm_roleplay.nodes.context import Context
from llm_roleplay.runner import run_dialogue

pytestmark = pytest.mark.local_model

NORMAL_ENDINGS = {"max_turns", "goal_verified", "goal_unverified", "inquirer_gave_up"}


def test_weights_are_joined_once_and_verified() -> None:
    path = ensure_weights()
    assert path.stat().st_size == 1_117_320_768
    assert ensure_weights() == path  # second call reuses the verified file
    assert len(MODEL_SHA256) == 64


def test_two_turn_dialogue_on_the_local_model(tmp_path: Path) -> None:
    context = Context(max_turns=2, seed=3, max_reply_tokens=160)  # every role on "local"
    outcome = run_dialogue(
        "Get a simple recipe for pancakes, then ask how to make them without eggs.",
        {"attributes": {"age_bracket": "18-24", "occupation": "student", "native_english": "no"}},
        context,
        tmp_path / "checkpoints.sqlite",
    )
    record = outcome.record
    assert record.termination_reason.value in NORMAL_ENDINGS, record.error
    users = [m.content for m in record.messages if m.role == "user"]
    replies = [m.content for m in record.messages if m.role == "assistant"]
    assert 1 <= len(users) <= 2 and len(replies) == len(users)
    assert all(not is_empty(text) and not breaks_role(text) for text in users)
    assert all(reply.strip() for reply in replies)
    assert record.usage["inquirer"]["output_tokens"] > 0
    assert record.usage["chatbot"]["output_tokens"] > 0
    assert record.settings["inquirer_model"] == "local"

"""A real two-turn dialogue on the embedded local model (Qwen2.5-Coder-1.5B-Instruct, in-process)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from llm_roleplay.blocks.local_model import MODEL_SHA256, LocalServerSettings, ensure_weights, server_params
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


def test_lookup_decoding_keeps_the_seeded_reply_and_guesses_repeated_text() -> None:
    """The same reply token for token with and without prompt-lookup decoding; a reply that
    repeats the prompt's text is partly guessed from it."""
    xllamacpp = pytest.importorskip("xllamacpp")
    recipe = (
        "Pancakes without eggs: mix 1 cup flour, 1 tablespoon sugar, 2 teaspoons baking powder and a "
        "pinch of salt. Whisk in 1 cup milk and 2 tablespoons melted butter. Cook on a hot pan."
    )
    body = {
        "model": "local",
        "messages": [{"role": "user", "content": f"Repeat this recipe word for word:\n\n{recipe}"}],
        "max_tokens": 80,
        "temperature": 0.7,
        "seed": 11,
    }
    answers = {}
    for lookup in (False, True):
        settings = LocalServerSettings(parallel_slots=1, context_per_slot=2048, lookup_decoding=lookup)
        server = xllamacpp.Server(server_params(settings))
        url = str(server.listening_address).rstrip("/") + "/v1/chat/completions"
        answers[lookup] = httpx.post(url, json=body, timeout=600).json()
        del server
    assert (
        answers[True]["choices"][0]["message"]["content"]
        == answers[False]["choices"][0]["message"]["content"]
    )
    assert answers[True]["timings"].get("draft_n_accepted", 0) > 0
    assert not answers[False]["timings"].get("draft_n")

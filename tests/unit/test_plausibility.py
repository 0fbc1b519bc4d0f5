"""The optional LLM plausibility check of persona x goal pairs (``--plausibility-check``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llm_roleplay.generate import GenerateOptions, plan
from llm_roleplay.nodes.context import Context

YOUNG = ("aged 18 to 24", "aged 25 to 34")


class Judge:
    """Says NO for young personas; counts the questions it was asked."""

    def __init__(self) -> None:
        self.questions = 0

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        self.questions += 1
        return "NO" if any(age in messages[-1]["content"] for age in YOUNG) else "YES"


def test_pairs_the_judge_finds_implausible_are_resampled(tmp_path: Path) -> None:
    goals = tmp_path / "goals.jsonl"
    goals.write_text('{"goal": "Plan a retirement budget."}\n{"goal": "Compare two pension offers."}\n')
    judge = Judge()
    context = Context(inquirer_model="fake", chatbot_model="fake", judge_model=judge, seed=3)
    checked = plan(
        GenerateOptions(goals=str(goals), out=tmp_path, personas=8, plausibility_check=True, context=context)
    )
    unchecked = plan(GenerateOptions(goals=str(goals), out=tmp_path, personas=8, context=context))

    young = [c for c in unchecked.cells if c.persona["attributes"]["age_bracket"] in ("18-24", "25-34")]
    assert young, "the seed must sample some young personas for this test to mean anything"
    assert not [c for c in checked.cells if c.persona["attributes"]["age_bracket"] in ("18-24", "25-34")]
    assert len(checked.cells) == len(unchecked.cells)  # replaced, not dropped
    assert checked.grid.stats()["rejected"] >= len(young)
    assert judge.questions >= len(unchecked.cells)
    assert checked.config["plausibility_check"] is True

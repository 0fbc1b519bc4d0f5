"""Prompt files: every one parses, and only generation prompts define a dialogue."""

from __future__ import annotations

from llm_roleplay.prompts import load_prompt, prompt_names, prompt_versions


def test_every_prompt_file_has_a_name_version_and_scope() -> None:
    for name in prompt_names():
        prompt = load_prompt(name)
        assert prompt.name == name and prompt.version and prompt.scope in ("generation", "evaluation")


def test_evaluation_prompts_are_not_part_of_dialogue_ids() -> None:
    generation, evaluation = prompt_versions(), prompt_versions("evaluation")
    assert {"inquirer_open", "inquirer_assess", "judge_part_check", "goal_plan"} <= set(generation)
    assert {"judge_goal_completion", "judge_human_likeness"} <= set(evaluation)
    assert not set(generation) & set(evaluation)
    assert set(generation) | set(evaluation) == set(prompt_names())

"""Stable dialogue ids: a hash of everything that defines a dialogue.

Same goal (with its given plan and expected outcome), persona input, defining settings (models,
seed, max turns, ...), prompt versions and
persona schema -> same id, in any process. The id is the checkpoint thread id, so re-running the
same command resumes the dialogue instead of starting a duplicate.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from llm_roleplay.blocks.personas import default_schema
from llm_roleplay.nodes.context import Context
from llm_roleplay.prompts import prompt_versions


def dialogue_id(
    goal: str,
    persona: Any,
    context: Context,
    parts: Sequence[str] | None = None,
    expected_outcome: str | None = None,
) -> str:
    """The id; a goal's given plan and expected outcome count only when given (derived plans are a
    function of the goal and the judge, which the id already holds)."""
    payload: dict[str, Any] = {
        "goal": " ".join(goal.split()),
        "persona": persona,
        "settings": context.defining_settings(),
        "prompts": prompt_versions(),
        "persona_schema": default_schema().version,
    }
    if parts:
        payload["goal_parts"] = [" ".join(part.split()) for part in parts]
    if expected_outcome:
        payload["expected_outcome"] = " ".join(expected_outcome.split())
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return "dlg-" + hashlib.sha256(canonical.encode()).hexdigest()[:20]

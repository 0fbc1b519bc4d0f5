"""Stable dialogue ids: a hash of everything that defines a dialogue.

Same goal, persona input, defining settings (models, seed, max turns, ...), prompt versions and
persona schema -> same id, in any process. The id is the checkpoint thread id, so re-running the
same command resumes the dialogue instead of starting a duplicate.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from llm_roleplay.personas import default_schema
from nodes.context import Context
from prompts import prompt_versions


def dialogue_id(goal: str, persona: Any, context: Context) -> str:
    payload = {
        "goal": " ".join(goal.split()),
        "persona": persona,
        "settings": context.defining_settings(),
        "prompts": prompt_versions(),
        "persona_schema": default_schema().version,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return "dlg-" + hashlib.sha256(canonical.encode()).hexdigest()[:20]

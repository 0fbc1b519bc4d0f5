"""Run settings: the graph's ``context_schema``.

Every field has a working default, so ``graph.invoke({"goal": ...})`` runs on the embedded local
model with no configuration at all. Under ``langgraph dev`` the server builds this model from the
assistant's/run's ``configurable`` values; in-process callers pass ``context=Context(...)`` or a dict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from langchain_core.language_models import BaseChatModel
from langgraph.pregel.protocol import PregelProtocol
from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

# A model is named by a spec string (see README "Models") or, in-process, given as an object (a
# chat model, a function, or for the chatbot a LangGraph graph); the JSON schema (what Studio and
# the API show) advertises the string form only.
ModelSetting = Annotated[
    str | BaseChatModel | PregelProtocol | Callable[..., Any], WithJsonSchema({"type": "string"})
]

FILTER_NAMES = (
    "too_few_turns",
    "empty_turn",
    "duplicate_turn",
    "chatbot_repeat",
    "repetition",
    "role_break",
    "leakage",
    "chatbot_refusal_only",
    "ended_by_error",
    "echo",
    "role_confusion",
    "greeting_again",
    "goal_drift",
    "persona_drift",
    "false_complaint",
)

# Fields that change how a run is executed but not which dialogue it produces; they are left out
# of the dialogue id so that, say, a longer timeout on a re-run still resumes the same dialogues.
OPERATIONAL_FIELDS = frozenset(
    {
        "inquirer_api_key_env",
        "chatbot_api_key_env",
        "judge_api_key_env",
        "inquirer_api_key_file",
        "chatbot_api_key_file",
        "judge_api_key_file",
        "request_timeout_s",
        "request_retries",
        "local_parallel_slots",
        "inquirer_requests_per_second",
        "chatbot_requests_per_second",
        "judge_requests_per_second",
        "model_cache",
        "model_cache_mode",
    }
)


# Defining settings added later; left out of dialogue ids while empty (see ``defining_settings``).
LATER_FIELDS = frozenset({"script"})


class Context(BaseModel):
    """Settings of one roleplay run. Spec strings: ``local``, ``fake``, ``provider:model``, ..."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True, extra="forbid")

    inquirer_model: ModelSetting = Field(
        default="local", description="Model that plays the persona (the simulated user)."
    )
    chatbot_model: ModelSetting = Field(
        default="local",
        description="Target chatbot: model spec, 'langgraph:ASSISTANT_ID' (with base URL), "
        "'python:module:attr', or in-process a chat model, callable or compiled LangGraph agent.",
    )
    judge_model: ModelSetting = Field(
        default="local", description="Verifies goal claims; 'none' accepts claims unverified."
    )
    inquirer_base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL for the inquirer (vLLM, Ollama, ...)."
    )
    chatbot_base_url: str | None = Field(
        default=None, description="Base URL for the chatbot (OpenAI-compatible or LangGraph)."
    )
    judge_base_url: str | None = Field(default=None, description="Base URL for the judge.")
    inquirer_api_key_env: str | None = Field(
        default=None, description="Name of the environment variable holding the inquirer's key."
    )
    chatbot_api_key_env: str | None = Field(
        default=None, description="Name of the environment variable holding the chatbot's key."
    )
    judge_api_key_env: str | None = Field(
        default=None, description="Name of the environment variable holding the judge's key."
    )
    inquirer_api_key_file: str | None = Field(
        default=None, description="Path of a file holding the inquirer's key (instead of a variable)."
    )
    chatbot_api_key_file: str | None = Field(
        default=None, description="Path of a file holding the chatbot's key (instead of a variable)."
    )
    judge_api_key_file: str | None = Field(
        default=None, description="Path of a file holding the judge's key (instead of a variable)."
    )
    chatbot_system_prompt: str | None = Field(
        default=None, description="Optional system prompt given to the target chatbot."
    )
    max_turns: int = Field(default=12, ge=1, le=200, description="Turn cap (paper: 12).")
    seed: int = Field(default=0, ge=0, description="Seeds persona sampling and model calls.")
    temperature: float = Field(
        default=0.7, ge=0.0, le=2.0, description="Sampling temperature of inquirer and chatbot."
    )
    max_message_tokens: int = Field(default=200, ge=8, description="Token cap for one inquirer message.")
    max_reply_tokens: int = Field(default=512, ge=8, description="Token cap for one chatbot reply.")
    min_turns_before_stop: int = Field(
        default=4,
        ge=1,
        le=200,
        description="User messages before the goal may be claimed: a goal answered in fewer messages "
        "gets follow-up questions first, as people ask them (the paper's dialogues: 5.3 user turns); "
        "never more than max_turns - 1, so that a short run still ends in a checked claim.",
    )
    max_part_asks: int = Field(
        default=3,
        ge=1,
        le=20,
        description="Messages the user spends on one part of the goal (asking, then asking again when "
        "it comes back wrong or missing) before giving up on the dialogue.",
    )
    judge_threshold: float = Field(
        default=0.8,
        gt=0.0,
        le=1.0,
        description="Probability of YES the judge must give for each part of the goal and for the whole "
        "goal before a dialogue counts as goal_verified.",
    )
    judge_samples: int = Field(
        default=3,
        ge=1,
        le=15,
        description="Where the judge's endpoint gives no token probabilities: answers sampled per "
        "question (temperature 0.7); P(YES) is the share of YES.",
    )
    style: str = Field(
        default="default",
        description="Typing habits of the simulated users: 'default' (fitted on real ShareGPT users), "
        "a profile file written by 'roleplay calibrate', or 'off' (no typing pass).",
    )
    max_regenerations: int = Field(
        default=3, ge=0, le=20, description="Regenerations of a bad inquirer output per turn."
    )
    max_goal_rejections: int = Field(
        default=2,
        ge=0,
        le=20,
        description="Goal claims the judge may reject before the dialogue ends unverified.",
    )
    inquirer_history: Literal["transcript", "reversed"] = Field(
        default="transcript",
        description="How the inquirer sees the dialogue: as a transcript (best for small models) "
        "or role-reversed chat turns (as in the paper).",
    )
    persona_description: Literal["template", "llm"] = Field(
        default="template", description="Render personas from a template or have the inquirer write them."
    )
    filters: tuple[str, ...] = Field(default=FILTER_NAMES, description="Post-generation filters to apply.")
    min_turns: int = Field(default=2, ge=1, description="Filter: fewer user turns are dropped.")
    repetition_block_repeats: int = Field(
        default=3, ge=2, description="Filter: a word block repeated this often in a row is degenerate."
    )
    leak_persona_words: int = Field(
        default=8, ge=3, description="A verbatim run this long from the persona description is a leak."
    )
    leak_goal_fraction: float = Field(
        default=0.6, gt=0.0, le=1.0, description="A verbatim run covering this share of the goal is a leak."
    )
    request_timeout_s: float = Field(
        default=300.0,
        gt=0,
        le=3600,
        description="Timeout of one HTTP attempt of a model call (connect, and each wait for data).",
    )
    request_retries: int = Field(
        default=5,
        ge=0,
        le=20,
        description="Retries of a failed model call (connection errors, timeouts, 408/409/429/5xx), with "
        "exponential backoff from 0.5 s to at most 8 s, jittered, or the server's Retry-After.",
    )
    inquirer_requests_per_second: float | None = Field(
        default=None, gt=0, description="Rate limit of the inquirer's model calls (whole process)."
    )
    chatbot_requests_per_second: float | None = Field(
        default=None, gt=0, description="Rate limit of the chatbot's model calls (whole process)."
    )
    judge_requests_per_second: float | None = Field(
        default=None, gt=0, description="Rate limit of the judge's model calls (whole process)."
    )
    local_parallel_slots: int = Field(
        default=4, ge=1, le=256, description="Parallel slots of the embedded model server."
    )
    script: dict[int, str] = Field(
        default_factory=dict,
        description="Fixed user messages by turn (1 = the first message); the other turns are simulated.",
    )
    model_cache: str | None = Field(
        default=None,
        description="A JSONL file of recorded inquirer and judge calls (llm_roleplay.blocks.model_cache): "
        "identical requests are answered from it, so reruns are free and repeat exactly.",
    )
    model_cache_mode: Literal["auto", "replay", "record"] = Field(
        default="auto",
        description="auto: record misses; replay: a miss is an error; record: write the file afresh.",
    )

    @field_validator("script")
    @classmethod
    def _script_turns(cls, value: dict[int, str]) -> dict[int, str]:
        for turn, text in value.items():
            if turn < 1:
                raise ValueError(f"script: turn {turn} must be 1 or more")
            if not text.strip():
                raise ValueError(f"script: the message of turn {turn} is empty")
        return dict(sorted(value.items()))

    @field_validator("filters", mode="before")
    @classmethod
    def _known_filters(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(name.strip() for name in value.split(",") if name.strip())
        unknown = sorted(set(value) - set(FILTER_NAMES))
        if unknown:
            raise ValueError(f"unknown filter(s) {unknown}; known: {', '.join(FILTER_NAMES)}")
        return tuple(value)

    def defining_settings(self) -> dict[str, Any]:
        """The settings that define which dialogue a run produces (part of the dialogue id).

        Settings added after the first datasets were made are left out while they keep their
        default, so the ids of existing dialogues stay the same."""
        return {
            name: _describe_setting(getattr(self, name))
            for name in type(self).model_fields
            if name not in OPERATIONAL_FIELDS and not (name in LATER_FIELDS and not getattr(self, name))
        }

    def fingerprint(self) -> str:
        """A short stable hash of :meth:`defining_settings`."""
        canonical = json.dumps(self.defining_settings(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _describe_setting(value: Any) -> Any:
    """A JSON-able, process-independent description of a setting (objects by class and model)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, tuple | list):
        return [_describe_setting(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _describe_setting(item) for key, item in value.items()}
    if isinstance(value, PregelProtocol):  # an agent target: named by its graph name
        return f"graph:{getattr(value, 'name', None) or type(value).__qualname__}"
    name = getattr(value, "model_name", None) or getattr(value, "model", None)
    kind = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"object:{type(value).__module__}.{kind}" + (f"/{name}" if isinstance(name, str) else "")


def settings_of(runtime: Runtime[Context] | None) -> Context:
    """The run's settings; in-process runs without ``context=`` get the defaults."""
    context = getattr(runtime, "context", None)
    if context is None:
        return Context()
    if isinstance(context, dict):
        return Context(**context)
    return context

"""How nodes call models: one place for role settings, per-call seeds, tracing tags and usage."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig

from llm_roleplay.blocks.keys import redact
from llm_roleplay.blocks.models import Role, RoleModel
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.rendering import transcript_text

MessageT = TypeVar("MessageT", bound=BaseMessage)


def role_model(
    context: Context, role: Role, *, temperature: float | None = None, max_tokens: int | None = None
) -> RoleModel:
    """The settings that build ``role``'s chat model; judges always sample at temperature 0."""
    default_tokens = {"inquirer": context.max_message_tokens, "chatbot": context.max_reply_tokens}
    return RoleModel(
        role=role,
        spec=getattr(context, f"{role}_model"),
        base_url=getattr(context, f"{role}_base_url"),
        api_key_env=getattr(context, f"{role}_api_key_env"),
        api_key_file=getattr(context, f"{role}_api_key_file"),
        temperature=temperature
        if temperature is not None
        else (0.0 if role == "judge" else context.temperature),
        max_tokens=max_tokens or default_tokens.get(role, 256),
        timeout_s=context.request_timeout_s,
        retries=context.request_retries,
        local_slots=context.local_parallel_slots,
        requests_per_second=getattr(context, f"{role}_requests_per_second"),
        # The recorded-calls file serves the simulator's own calls only, never the target's.
        cache_path=context.model_cache if role != "chatbot" else None,
        cache_mode=context.model_cache_mode,
    )


def call_seed(*parts: object) -> int:
    """A per-call seed derived from the run seed and the call's place, stable across processes."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclass(frozen=True)
class Reply:
    text: str
    usage: dict[str, int]
    logprobs: list[dict[str, Any]] | None = None  # OpenAI ``logprobs.content`` when asked for
    latency_s: float = 0.0  # wall time of the call, retries and rate-limit waits included
    cut_off: bool = False  # stopped at the token cap, not where the model ended it


# Where a model API says a reply stopped at the token cap: OpenAI-style "finish_reason": "length",
# Anthropic-style "stop_reason": "max_tokens".
_CUT_OFF_REASONS = frozenset({"length", "max_tokens"})


def stopped_at_cap(response_metadata: dict[str, Any]) -> bool:
    """The model's reply stopped at its token cap, not where the model ended it."""
    reason = response_metadata.get("finish_reason") or response_metadata.get("stop_reason")
    return reason in _CUT_OFF_REASONS


def stamped(message: MessageT, **timing: float) -> MessageT:
    """``message`` with the time it was written (ISO 8601 UTC, ms) and ``timing`` (e.g. ``latency_s``)
    in its ``response_metadata``, from where the dialogue record takes them."""
    written = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    message.response_metadata.update(timestamp=written, **timing)
    return message


def invoke(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    *,
    task: str,
    turn: int,
    seed: int,
    stop: list[str] | None = None,
    logprobs: int | None = None,
) -> Reply:
    """Call ``model`` once, tagged with the task and turn (for traces and the fake models).

    ``logprobs=N`` asks an OpenAI-style endpoint for the top N alternatives of each token. The
    nodes use :func:`ainvoke`; this is for sync callers (the evaluation's judges).
    """
    config, kwargs = _call_options(model, task, turn, seed, logprobs)
    started = time.monotonic()
    result = model.invoke(list(messages), config=config, stop=stop, **kwargs)
    return _reply(result, logprobs, started)


async def ainvoke(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    *,
    task: str,
    turn: int,
    seed: int,
    stop: list[str] | None = None,
    logprobs: int | None = None,
) -> Reply:
    """:func:`invoke` for the nodes: the call is awaited in the running event loop (no thread)."""
    config, kwargs = _call_options(model, task, turn, seed, logprobs)
    started = time.monotonic()
    result = await model.ainvoke(list(messages), config=config, stop=stop, **kwargs)
    return _reply(result, logprobs, started)


def _call_options(
    model: BaseChatModel, task: str, turn: int, seed: int, logprobs: int | None
) -> tuple[RunnableConfig, dict[str, Any]]:
    config = RunnableConfig(
        tags=[f"roleplay:{task}"],
        metadata={"roleplay_task": task, "roleplay_turn": turn},
        run_name=task,
    )
    kwargs: dict[str, Any] = {}
    if accepts_openai_options(model):
        kwargs["seed"] = seed
        if logprobs:
            kwargs.update(logprobs=True, top_logprobs=logprobs)
    return config, kwargs


def _reply(result: BaseMessage, logprobs: int | None, started: float) -> Reply:
    token_logprobs = (result.response_metadata.get("logprobs") or {}).get("content") if logprobs else None
    return Reply(
        text=text_of(result),
        usage=usage_counts(result),
        logprobs=token_logprobs or None,
        latency_s=time.monotonic() - started,
        cut_off=stopped_at_cap(result.response_metadata),
    )


def usage_counts(result: BaseMessage) -> dict[str, int]:
    """One call's usage counters: tokens in and out, and ``cached_input_tokens``, the input tokens
    the endpoint took from its prompt cache instead of processing them (llama.cpp, vLLM and OpenAI
    report them as ``prompt_tokens_details.cached_tokens``; 0 where nothing is reported).

    On the embedded model, processing the prompt is most of a call's time, so
    ``input_tokens - cached_input_tokens`` is what a dialogue really costs.
    """
    usage = result.usage_metadata if isinstance(result, AIMessage) else None
    if not usage:
        return {"calls": 1, "input_tokens": 0, "output_tokens": 0, "cached_input_tokens": 0}
    cached = (usage.get("input_token_details") or {}).get("cache_read") or 0
    return {
        "calls": 1,
        "input_tokens": usage["input_tokens"],
        "output_tokens": usage["output_tokens"],
        "cached_input_tokens": int(cached),
    }


def text_of(message: BaseMessage) -> str:
    """A message's text content as a plain ``str`` (``BaseMessage.text`` is a str subclass)."""
    return str(message.text)


def typed_by_user(messages: Sequence[BaseMessage]) -> list[str]:
    """The texts of the user's messages, in order."""
    return [text_of(message) for message in messages if message.type == "human"]


def as_dialogue(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """The user's and the chatbot's messages as ``{"role": "user" | "assistant", "content"}``, the
    form the plain checks and the judges read."""
    return [
        {"role": "user" if message.type == "human" else "assistant", "content": text_of(message)}
        for message in messages
        if message.type in ("human", "ai")
    ]


def accepts_openai_options(model: BaseChatModel) -> bool:
    """OpenAI-style APIs take a per-request seed and logprobs; other providers reject unknown
    arguments."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:  # pragma: no cover
        return False
    return isinstance(model, ChatOpenAI)


def transcript(messages: Sequence[BaseMessage], user: str = "User", assistant: str = "Assistant") -> str:
    """The dialogue as plain text, one labelled paragraph per message, replies as rendered."""
    return transcript_text(
        ((message.type == "human", text_of(message)) for message in messages), user, assistant
    )


def error_text(error: BaseException) -> str:
    """One line describing a failed call (exception type and first line of its message).

    It is stored in records and manifests and printed, so any key is scrubbed first: provider
    errors may quote the key they were sent.
    """
    message = str(error).strip().splitlines()
    return redact(f"{type(error).__name__}: {message[0] if message else 'no message'}")[:500]

"""A record/replay cache of model calls, as reviewable JSON Lines, for tests that repeat for free.

It is a LangChain ``BaseCache`` (``langchain_core.caches``), set on a chat model's ``cache`` field:
LangChain looks every request up before calling the model and stores every answer after. The key
is the request itself — the messages and the model's settings (model name, temperature, token
limit, stop sequences, seed, response format, ...) — so a changed prompt or setting misses the
cache. Transport settings (base URL, timeout, retries, rate limiter, key) are not part of the
key: the embedded model listens on a new port in every process, and a longer timeout asks the
same question.

One file holds the calls of one test (or one simulation): one JSON object per line,
``{"key", "model", "request", "response"}``, the request and the response as readable messages,
so a reviewer reads a changed cache as a changed conversation in the diff. Commit the folder.

Modes (``CacheMode``):

- ``auto`` (default): answer from the file; call the model on a miss and append the answer.
- ``replay``: answer from the file; a miss raises :class:`CacheMiss`, naming what changed
  (which setting, or where the prompt first differs from the nearest recorded one). For CI.
- ``record``: ignore what the file holds and write it afresh with this run's calls (the first
  write of the process empties the file). To re-record after a deliberate change.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from langchain_core.caches import RETURN_VAL_TYPE, BaseCache
from langchain_core.messages import AIMessage, messages_from_dict
from langchain_core.outputs import ChatGeneration, Generation

from llm_roleplay.blocks.errors import ConfigError

CacheMode = Literal["auto", "replay", "record"]
CACHE_MODES: tuple[str, ...] = get_args(CacheMode)
MODE_VARIABLE = "ROLEPLAY_CACHE_MODE"

# Constructor arguments of chat models that say how to reach the model, not what to ask it.
TRANSPORT_SETTINGS = frozenset(
    {
        "openai_api_base",
        "base_url",
        "openai_api_key",
        "api_key",
        "openai_organization",
        "openai_proxy",
        "request_timeout",
        "timeout",
        "max_retries",
        "rate_limiter",
        "http_client",
        "http_async_client",
        "default_headers",
        "default_query",
        "cache",
        "callbacks",
        "verbose",
    }
)


class CacheMiss(RuntimeError):
    """A request that a ``replay`` cache has no answer for."""


def mode_from_environment(default: CacheMode = "auto") -> CacheMode:
    """``$ROLEPLAY_CACHE_MODE`` if set (``auto``, ``replay`` or ``record``), else ``default``."""
    value = os.environ.get(MODE_VARIABLE, "").strip().lower() or default
    if value not in CACHE_MODES:
        raise ConfigError(f"${MODE_VARIABLE}={value!r}: use one of {', '.join(CACHE_MODES)}")
    return value  # type: ignore[return-value]


def model_settings(llm_string: str) -> dict[str, Any]:
    """The settings that define a request, from LangChain's ``llm_string`` (transport removed).

    Serializable models give ``<constructor JSON>---<sorted call kwargs>``; the others give the
    sorted call parameters only. Both become one flat, readable dict.
    """
    head, separator, tail = llm_string.partition("---")
    settings: dict[str, Any] = {}
    if separator:
        try:
            constructor = json.loads(head)
        except ValueError:
            constructor = None
        if isinstance(constructor, dict):
            settings["class"] = constructor.get("name") or ".".join(constructor.get("id") or [])
            kwargs = constructor.get("kwargs") or {}
            settings.update({k: v for k, v in sorted(kwargs.items()) if k not in TRANSPORT_SETTINGS})
            settings["call"] = tail
            return settings
    return {"call": llm_string}


def _readable_request(prompt: str) -> list[dict[str, Any]]:
    """LangChain's serialized prompt (a JSON list of messages) as ``[{"role", "content"}]``."""
    try:
        messages = json.loads(prompt)
    except ValueError:
        return [{"role": "prompt", "content": prompt}]
    readable = []
    for message in messages if isinstance(messages, list) else []:
        kwargs = message.get("kwargs", {}) if isinstance(message, dict) else {}
        ids = message.get("id") if isinstance(message, dict) else None
        role = str(ids[-1]).removesuffix("Message").lower() if isinstance(ids, list) and ids else "?"
        entry: dict[str, Any] = {"role": role, "content": kwargs.get("content", "")}
        if kwargs.get("tool_calls"):
            entry["tool_calls"] = [
                {"name": call.get("name"), "args": call.get("args")} for call in kwargs["tool_calls"]
            ]
        readable.append(entry)
    return readable


def _request_text(request: Sequence[dict[str, Any]]) -> str:
    return "\n".join(f"[{m.get('role')}] {m.get('content')}" for m in request)


@dataclass
class CacheStats:
    """What a cache answered in this process: hits, and a one-line description of every miss."""

    hits: int = 0
    misses: list[str] = field(default_factory=list)


class RecordedCache(BaseCache):
    """A JSONL file of recorded model calls (see the module docstring). Thread-safe."""

    def __init__(self, path: Path | str, mode: CacheMode = "auto") -> None:
        if mode not in CACHE_MODES:
            raise ConfigError(f"cache mode {mode!r}: use one of {', '.join(CACHE_MODES)}")
        self.path = Path(path)
        self.mode: CacheMode = mode
        self.stats = CacheStats()
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {} if mode == "record" else self._read()
        self._emptied = mode != "record"  # record mode empties the file at its first write

    def _read(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        entries: dict[str, dict[str, Any]] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise ConfigError(f"model cache {self.path}: unreadable ({error.strerror or error})") from None
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                entries[str(entry["key"])] = entry
            except (ValueError, KeyError, TypeError):
                raise ConfigError(
                    f"model cache {self.path} line {number}: not a cache entry (delete the line, or "
                    f"re-record with {MODE_VARIABLE}=record)"
                ) from None
        return entries

    @staticmethod
    def key(prompt: str, llm_string: str) -> str:
        settings = json.dumps(model_settings(llm_string), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(f"{settings}\n{prompt}".encode()).hexdigest()

    def lookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        key = self.key(prompt, llm_string)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self.stats.hits += 1
                return [ChatGeneration(message=_response_message(entry["response"]))]
            description = self._describe_miss(prompt, llm_string)
            self.stats.misses.append(description)
        if self.mode == "replay":
            raise CacheMiss(
                f"no recorded answer in {self.path} (re-record with {MODE_VARIABLE}=record): {description}"
            )
        return None

    def update(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        message = _generated_message(return_val)
        if message is None:
            return
        key = self.key(prompt, llm_string)
        entry = {
            "key": key,
            "model": model_settings(llm_string),
            "request": _readable_request(prompt),
            "response": _response_data(message),
        }
        line = json.dumps(entry, ensure_ascii=False, sort_keys=False) + "\n"
        with self._lock:
            self._entries[key] = entry
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("w" if not self._emptied else "a", encoding="utf-8") as handle:
                handle.write(line)
            self._emptied = True

    def clear(self, **kwargs: Any) -> None:
        with self._lock:
            self._entries.clear()
            self.path.unlink(missing_ok=True)

    def _describe_miss(self, prompt: str, llm_string: str) -> str:
        """What differs from the closest recorded request: where its text first differs, and which
        model settings changed (the per-call seed follows the dialogue id, so anything that
        defines the dialogue changes it)."""
        settings = model_settings(llm_string)
        request = _readable_request(prompt)
        last = str(request[-1].get("content", "")) if request else ""
        what = f"{len(request)} message(s), last: {last[:60]!r}"
        if not self._entries:
            return f"{what}; the cache file is empty or missing"
        text = _request_text(request)
        closest = max(
            self._entries.values(),
            key=lambda e: (
                _common_prefix(text, _request_text(e.get("request") or [])),
                e.get("model") == settings,
            ),
        )
        recorded_text = _request_text(closest.get("request") or [])
        parts = []
        if recorded_text != text:
            at = _common_prefix(text, recorded_text)
            parts.append(
                f"the closest recorded request differs at character {at}: "
                f"now {text[at : at + 40]!r}, recorded {recorded_text[at : at + 40]!r}"
            )
        recorded = closest.get("model") or {}
        changed = sorted(
            name for name in set(recorded) | set(settings) if recorded.get(name) != settings.get(name)
        )
        if changed:
            details = ", ".join(f"{n}: {recorded.get(n)!r} -> {settings.get(n)!r}" for n in changed[:4])
            parts.append(f"settings differ from it: {details}")
        return f"{what}; " + "; ".join(parts)


def _common_prefix(a: str, b: str) -> int:
    size = min(len(a), len(b))
    return next((i for i in range(size) if a[i] != b[i]), size)


def _generated_message(return_val: Sequence[Generation]) -> AIMessage | None:
    first = return_val[0] if return_val else None
    message = getattr(first, "message", None)
    if isinstance(message, AIMessage):
        return message
    return AIMessage(first.text) if first is not None else None


def _response_data(message: AIMessage) -> dict[str, Any]:
    """What replaying needs and a reviewer wants to read: the text, tool calls, usage and token
    log-probabilities; no provider ids, timestamps or fingerprints."""
    data: dict[str, Any] = {"content": message.content}
    if message.tool_calls:
        data["tool_calls"] = [
            {"name": c["name"], "args": c["args"], "id": c["id"]} for c in message.tool_calls
        ]
    if message.additional_kwargs:
        data["additional_kwargs"] = message.additional_kwargs
    if message.usage_metadata:
        data["usage_metadata"] = dict(message.usage_metadata)
    metadata: dict[str, Any] = {}
    if message.response_metadata.get("finish_reason"):
        metadata["finish_reason"] = message.response_metadata["finish_reason"]
    logprobs = message.response_metadata.get("logprobs")
    if isinstance(logprobs, dict) and logprobs.get("content"):
        # Token log-probabilities: what YES/NO decisions read (nodes.likelihood). Raw bytes left out.
        metadata["logprobs"] = {"content": [_without_bytes(entry) for entry in logprobs["content"]]}
    if metadata:
        data["response_metadata"] = metadata
    return data


def _without_bytes(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return entry
    kept = {key: value for key, value in entry.items() if key != "bytes"}
    if isinstance(kept.get("top_logprobs"), list):
        kept["top_logprobs"] = [_without_bytes(item) for item in kept["top_logprobs"]]
    return kept


def _response_message(data: dict[str, Any]) -> AIMessage:
    message = messages_from_dict([{"type": "ai", "data": data}])[0]
    assert isinstance(message, AIMessage)
    return message


_OPEN_CACHES: dict[tuple[str, str], RecordedCache] = {}
_OPEN_LOCK = threading.Lock()


def recorded_cache(path: Path | str, mode: CacheMode | None = None) -> RecordedCache:
    """The process's one cache object for ``path`` and ``mode`` (``None``: ``$ROLEPLAY_CACHE_MODE``,
    default ``auto``), so that every model given the same file shares its entries and its lock.

    Set it on any LangChain chat model, e.g. the one inside your agent, to replay the agent too:
    ``ChatOpenAI(..., cache=recorded_cache("tests/roleplay_cache/agent.jsonl"))``.
    """
    chosen = mode or mode_from_environment()
    resolved = str(Path(path).resolve())
    with _OPEN_LOCK:
        cache = _OPEN_CACHES.get((resolved, chosen))
        if cache is None:
            cache = _OPEN_CACHES[(resolved, chosen)] = RecordedCache(resolved, chosen)
        return cache

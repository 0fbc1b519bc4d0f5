"""Model specs: turning a role's settings into a LangChain chat model, lazily and once.

Spec strings (the same for every role):

=========================  =================================================================
``local``                  the embedded Qwen2.5-Coder-1.5B-Instruct, served in-process
``fake``                   deterministic offline models (see ``fake_models``)
``none``                   judge only: goal claims are accepted without verification
``provider:model``         anything ``init_chat_model`` takes, e.g. ``openai:gpt-4o-mini``;
                           with a base URL, any OpenAI-compatible server (vLLM, Ollama, ...)
``langgraph:ASSISTANT``    a LangGraph deployment at the role's base URL; as the chatbot, an
                           agent driven through one thread per dialogue (``agents``)
``python:module:attr``     a chat model object, a function ``fn(messages) -> str``, or (chatbot
                           only) a compiled LangGraph graph, driven like a deployment
=========================  =================================================================

In-process callers may also pass a chat model object, a function or (chatbot) a graph directly.
A role's model answers from a recorded-calls file when the run has one (``model_cache``).

Failures of remote calls are handled by the OpenAI SDK under ``ChatOpenAI`` (``local``,
OpenAI-compatible servers, and ``openai:`` or other ``init_chat_model`` providers, which take the
same two settings): ``request_retries`` retries of connection errors, timeouts and 408/409/429/5xx
answers, with exponential backoff (0.5 s doubling up to 8 s, each wait cut by up to 25% at random)
or the server's ``Retry-After`` when it gives one (up to 120 s); ``request_timeout_s`` bounds each
attempt's connect and each wait for data (for ``local``, at least ``LOCAL_TIMEOUT_S``). Keys are
read by :mod:`llm_roleplay.blocks.keys`, and servers are probed by :mod:`llm_roleplay.reachability`.
Every OpenAI-style model of one endpoint shares one connection pool per event loop
(:mod:`llm_roleplay.blocks.http_pool`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.rate_limiters import BaseRateLimiter, InMemoryRateLimiter
from langgraph.pregel import Pregel
from langgraph.pregel.protocol import PregelProtocol

from llm_roleplay.blocks.adapters import CallableChatModel, RemoteGraphChatModel
from llm_roleplay.blocks.agents import AgentTarget, agent_target, remote_agent
from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.fake_models import FakeRoleplayModel
from llm_roleplay.blocks.keys import read_api_key, redact

Role = Literal["inquirer", "chatbot", "judge"]
ROLES: tuple[Role, ...] = ("inquirer", "chatbot", "judge")
DISABLED_SPECS = frozenset({"none", "off"})
SPEC_HELP = (
    "use local, fake, provider:model (e.g. openai:gpt-4o-mini), langgraph:ASSISTANT or python:module:attr"
)


LOCAL_TIMEOUT_S = 3600.0


@dataclass(frozen=True)
class RoleModel:
    """Everything needed to build one role's chat model."""

    role: Role
    spec: Any  # a spec string, a chat model, or a callable
    base_url: str | None = None
    api_key_env: str | None = None
    api_key_file: str | None = None
    temperature: float = 0.7
    max_tokens: int | None = None
    timeout_s: float = 300.0
    retries: int = 5
    local_slots: int = 4
    requests_per_second: float | None = None  # shared by every model of this role in the process
    cache_path: str | None = None  # a recorded-calls file (``model_cache``); None: no cache
    cache_mode: str = "auto"

    @property
    def disabled(self) -> bool:
        return isinstance(self.spec, str) and self.spec.strip().lower() in DISABLED_SPECS

    def describe(self) -> str:
        """The spec as text for records and messages (never contains a key)."""
        if isinstance(self.spec, str):
            return self.spec + (f" @ {self.base_url}" if self.base_url else "")
        return f"object:{type(self.spec).__qualname__}"


def build_chat_model(settings: RoleModel) -> BaseChatModel:
    """The role's chat model. String specs are built once per process and cached."""
    spec = settings.spec
    if isinstance(spec, BaseChatModel):
        return _with_cache(spec, settings)
    if isinstance(spec, Pregel | PregelProtocol):
        raise ConfigError(f"{settings.role} model: a LangGraph graph can only be the chatbot (the target)")
    if callable(spec):
        return _with_cache(CallableChatModel(fn=spec), settings)
    if not isinstance(spec, str):
        raise ConfigError(f"{settings.role} model: unsupported setting of type {type(spec).__name__}")
    if settings.disabled:
        raise ConfigError(f"{settings.role} model: '{spec}' disables the model; nothing to build")
    return _build_from_spec(settings)


def build_target(settings: RoleModel) -> BaseChatModel | AgentTarget:
    """The chatbot role's target: a LangGraph agent driven through threads (a compiled graph,
    ``python:module:graph``, or a ``langgraph:ASSISTANT`` deployment), or else a chat model."""
    spec = settings.spec
    if isinstance(spec, Pregel | PregelProtocol):
        return agent_target(spec)
    if isinstance(spec, str) and not settings.disabled:
        provider, _, name = spec.strip().partition(":")
        if provider == "langgraph" and name:
            return _remote_agent(settings, name)
        if provider == "python" and isinstance(graph := _python_value("chatbot", name), Pregel):
            return agent_target(graph)
    return build_chat_model(settings)


@lru_cache(maxsize=16)
def _remote_agent(settings: RoleModel, assistant_id: str) -> AgentTarget:
    if not settings.base_url:
        role = settings.role
        raise ConfigError(f"{role} model '{settings.spec}': needs --{role}-base-url (the deployment's URL)")
    return remote_agent(
        settings.base_url, assistant_id, api_key=_api_key(settings), timeout_s=settings.timeout_s
    )


def _with_cache(model: BaseChatModel, settings: RoleModel) -> BaseChatModel:
    """``model`` answering from the role's recorded-calls file, when the run has one."""
    if not settings.cache_path:
        return model
    from llm_roleplay.blocks.model_cache import recorded_cache

    return model.model_copy(update={"cache": recorded_cache(settings.cache_path, settings.cache_mode)})  # type: ignore[arg-type]


@lru_cache(maxsize=64)
def _build_from_spec(settings: RoleModel) -> BaseChatModel:
    return _with_cache(_uncached_from_spec(settings), settings)


OPENAI_BASE_URL = "https://api.openai.com/v1"  # where ``openai:MODEL`` goes (no base URL given)

# Where a replay-only embedded model "listens": every request is answered from the cache (a miss
# raises before any connection), so the 1.1 GB model is not loaded at all.
REPLAY_ONLY_URL = "http://127.0.0.1:9/v1"


def _uncached_from_spec(settings: RoleModel) -> BaseChatModel:
    spec = str(settings.spec).strip()
    role = settings.role
    if spec == "fake":
        return FakeRoleplayModel(role=role)
    if spec == "local":
        from llm_roleplay.blocks.local_model import LocalServerSettings, local_base_url

        base_url = (
            REPLAY_ONLY_URL
            if settings.cache_path and settings.cache_mode == "replay"
            else local_base_url(LocalServerSettings(parallel_slots=settings.local_slots))
        )
        # The embedded server lives in this process: a slow reply is a queue, not a dead endpoint,
        # and a timed-out call retried queues the same work again behind itself. Seen on 2026-11-29:
        # four dialogues on one llama.cpp thread, a chatbot call timed out after its retries and the
        # dialogue ended as chatbot_error. It waits as long as the work takes (an hour at most).
        patient = replace(settings, timeout_s=max(settings.timeout_s, LOCAL_TIMEOUT_S))
        return _openai_compatible(patient, model="local", base_url=base_url, api_key="none")
    provider, separator, name = spec.partition(":")
    if not separator or not provider or not name:
        raise ConfigError(f"{role} model: unknown spec '{spec}'; {SPEC_HELP}")
    if provider == "python":
        return _from_python(role, name)
    if provider == "langgraph":
        if not settings.base_url:
            raise ConfigError(f"{role} model '{spec}': needs --{role}-base-url (the deployment's URL)")
        return RemoteGraphChatModel(
            url=settings.base_url,
            assistant_id=name,
            api_key=_api_key(settings),
            timeout_s=settings.timeout_s,
        )
    if settings.base_url:
        # Any provider name with a base URL means "an OpenAI-compatible server serving `name`".
        return _openai_compatible(
            settings, model=name, base_url=settings.base_url, api_key=_api_key(settings) or "none"
        )
    return _init_chat_model(settings, provider, name)


# Limiters that replace the per-process buckets, by role: a Ray worker draws from the cluster's
# (llm_roleplay.coordinator), so that --ROLE-rps holds across every machine.
_SHARED_LIMITERS: dict[str, BaseRateLimiter] = {}


def share_rate_limiters(limiters: dict[str, BaseRateLimiter]) -> None:
    """Use ``limiters`` (role -> limiter) for the roles that have a rate; models built before are
    dropped from the cache so that none keeps an old limiter."""
    if limiters != _SHARED_LIMITERS:
        _SHARED_LIMITERS.clear()
        _SHARED_LIMITERS.update(limiters)
        _build_from_spec.cache_clear()


def rate_limiter(role: str, requests_per_second: float | None) -> BaseRateLimiter | None:
    """The role's limiter when it has a rate: a shared one if set, else this process's bucket."""
    if not requests_per_second:
        return None
    return _SHARED_LIMITERS.get(role) or _process_rate_limiter(role, requests_per_second)


@lru_cache(maxsize=16)
def _process_rate_limiter(role: str, requests_per_second: float) -> InMemoryRateLimiter:
    """One token bucket per role and rate, shared by all of the role's models in this process, so
    that the limit holds across every dialogue in flight (the decision and message models of the
    inquirer included)."""
    return token_bucket(requests_per_second)


def token_bucket(requests_per_second: float) -> InMemoryRateLimiter:
    """A bucket of ``requests_per_second``; ``max_bucket_size=1``: no bursts above the rate."""
    return InMemoryRateLimiter(
        requests_per_second=requests_per_second,
        check_every_n_seconds=min(0.1, 0.5 / requests_per_second),
        max_bucket_size=1,
    )


def _openai_compatible(settings: RoleModel, *, model: str, base_url: str, api_key: str) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    from llm_roleplay.blocks.http_pool import shared_async_client

    return ChatOpenAI(
        http_async_client=shared_async_client(base_url),
        model=model,
        base_url=base_url,
        api_key=api_key,  # type: ignore[arg-type]
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,  # type: ignore[call-arg]
        timeout=settings.timeout_s,
        max_retries=settings.retries,
        use_responses_api=False,  # local servers speak chat completions only
        rate_limiter=rate_limiter(settings.role, settings.requests_per_second),
    )


def _init_chat_model(settings: RoleModel, provider: str, name: str) -> BaseChatModel:
    from langchain.chat_models import init_chat_model

    kwargs: dict[str, Any] = {
        "temperature": settings.temperature,
        "timeout": settings.timeout_s,
        "max_retries": settings.retries,
        "rate_limiter": rate_limiter(settings.role, settings.requests_per_second),
    }
    if settings.max_tokens:
        kwargs["max_tokens"] = settings.max_tokens
    key = _api_key(settings)
    if key:
        kwargs["api_key"] = key
    if provider == "openai":
        from llm_roleplay.blocks.http_pool import shared_async_client

        kwargs["http_async_client"] = shared_async_client(OPENAI_BASE_URL)
    try:
        model = init_chat_model(f"{provider}:{name}", **kwargs)
    except ImportError as error:
        raise ConfigError(f"{settings.role} model '{provider}:{name}': {error}") from None
    except ValueError as error:
        first_line = str(error).strip().splitlines()[0]
        raise ConfigError(f"{settings.role} model '{provider}:{name}': {first_line}; {SPEC_HELP}") from None
    except Exception as error:  # provider clients raise their own types for a missing key
        raise ConfigError(
            f"{settings.role} model '{provider}:{name}': {type(error).__name__}: "
            f"{redact(str(error).splitlines()[0]) if str(error) else 'could not be created'} "
            f"(set the provider's key variable or --{settings.role}-api-key-env)"
        ) from None
    return model


def _api_key(settings: RoleModel) -> str | None:
    """The role's key from the variable or file the user named (None: the provider's own default)."""
    return read_api_key(settings.role, env=settings.api_key_env, file=settings.api_key_file)


def _python_value(role: str, target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ConfigError(f"{role} model 'python:{target}': expected python:module.path:attribute")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise ConfigError(f"{role} model 'python:{target}': {error}") from None


def _from_python(role: str, target: str) -> BaseChatModel:
    value = _python_value(role, target)
    if isinstance(value, Pregel):
        raise ConfigError(f"{role} model 'python:{target}': a LangGraph graph can only be the chatbot")
    if isinstance(value, BaseChatModel):
        return value
    if callable(value):
        return CallableChatModel(fn=value)
    raise ConfigError(f"{role} model 'python:{target}': not a chat model or a function")

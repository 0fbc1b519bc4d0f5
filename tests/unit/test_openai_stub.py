"""The OpenAI stub server, driven by the real ``langchain_openai.ChatOpenAI`` client.

Each fault must surface as the error a real endpoint's failure would give, so that tests built on
the stub exercise the same code paths as production (retries, timeouts, error handling).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request
from typing import Any

import openai
import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from tests.support.openai_stub import OpenAIStub, dead_endpoint, default_reply


def chat(base_url: str, *, max_retries: int = 0, timeout: float = 5.0, **kwargs: Any) -> ChatOpenAI:
    return ChatOpenAI(
        model="stub-chatbot",
        base_url=base_url,
        api_key="x",  # type: ignore[arg-type]
        use_responses_api=False,
        max_retries=max_retries,
        timeout=timeout,
        **kwargs,
    )


def joined(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


@pytest.fixture
def stub() -> Any:
    with OpenAIStub() as server:
        yield server


def test_binds_loopback_on_a_free_port_and_lists_models(stub: OpenAIStub) -> None:
    assert stub.base_url == f"http://127.0.0.1:{stub.port}/v1"
    with urllib.request.urlopen(f"{stub.base_url}/models", timeout=5) as response:
        listing = json.load(response)
    assert listing["data"][0]["id"] == "stub-model"
    assert [m.id for m in openai.OpenAI(base_url=stub.base_url, api_key="x").models.list()] == ["stub-model"]
    assert stub.total_requests == 0  # model listings are not chat completions
    assert stub.http_requests == 2


def test_invoke_returns_the_deterministic_reply_with_word_usage(stub: OpenAIStub) -> None:
    messages = [
        SystemMessage("You are a helpful assistant."),
        HumanMessage("one two three four five six seven eight nine"),
    ]
    answer = chat(stub.base_url).invoke(messages)
    assert answer.content == "Reply to: one two three four five six seven eight"
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["input_tokens"] == 5 + 9
    assert answer.usage_metadata["output_tokens"] == 10
    assert answer.usage_metadata["total_tokens"] == 24
    assert answer.response_metadata["finish_reason"] == "stop"
    assert answer.response_metadata["id"] == "chatcmpl-stub-1"
    # The request is logged as sent: tests can check what each model saw.
    [body] = stub.requests
    assert body["model"] == "stub-chatbot"
    assert body["messages"][0] == {"role": "system", "content": "You are a helpful assistant."}
    assert stub.log[0].fault == "ok" and not stub.log[0].stream


def test_ainvoke_and_a_pluggable_reply(stub: OpenAIStub) -> None:
    stub.reply = lambda body: f"{len(body['messages'])} messages, temperature {body.get('temperature')}"
    answer = asyncio.run(chat(stub.base_url, temperature=0.25).ainvoke("hi"))
    assert answer.content == "1 messages, temperature 0.25"
    stub.reply = None  # back to the default
    assert chat(stub.base_url).invoke("back to default").content == "Reply to: back to default"


def test_stream_yields_word_chunks_and_usage(stub: OpenAIStub) -> None:
    stub.reply = lambda body: "The quick brown fox jumps."
    chunks = list(chat(stub.base_url, stream_usage=True).stream("tell me a story"))
    assert [c.content for c in chunks if c.content] == ["The ", "quick ", "brown ", "fox ", "jumps."]
    total = joined(chunks)
    assert total.content == "The quick brown fox jumps."
    assert total.usage_metadata is not None
    assert (total.usage_metadata["input_tokens"], total.usage_metadata["output_tokens"]) == (4, 5)
    assert stub.log[-1].stream and stub.requests[-1]["stream_options"] == {"include_usage": True}
    # Without stream_usage (the default for a custom base_url) there is no usage chunk.
    assert joined(list(chat(stub.base_url).stream("again"))).content == "The quick brown fox jumps."


ERRORS: list[tuple[str, type[BaseException]]] = [
    ("429", openai.RateLimitError),
    ("500", openai.InternalServerError),
    ("503", openai.InternalServerError),
    ("timeout", openai.APITimeoutError),
    ("reset", openai.APIConnectionError),
    ("cutoff", openai.APIConnectionError),
    ("malformed", ValueError),  # json.JSONDecodeError
]


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize(("fault", "error"), ERRORS, ids=[fault for fault, _ in ERRORS])
def test_each_fault_raises_the_client_error_of_a_real_failure(
    stub: OpenAIStub, fault: str, error: type[BaseException], stream: bool
) -> None:
    stub.faults = [fault]
    model = chat(stub.base_url, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(error):
        list(model.stream("hello")) if stream else model.invoke("hello")
    if fault == "timeout":
        assert time.monotonic() - started >= 0.3
    # The fault is used up: the next request on the same client succeeds.
    assert model.invoke("next one").content == "Reply to: next one"
    assert stub.fault_counts == {fault: 1, "ok": 1}
    assert stub.wait_for(lambda s: s.in_flight == 0, timeout=2)  # a held request ends when the client leaves


def test_rate_limit_error_carries_retry_after(stub: OpenAIStub) -> None:
    stub.faults, stub.retry_after_s = ["429"], 7
    with pytest.raises(openai.RateLimitError) as caught:
        chat(stub.base_url).invoke("hello")
    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.code == "rate_limit_exceeded"


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_empty_answer_is_a_200_with_empty_content(stub: OpenAIStub, stream: bool) -> None:
    stub.faults = ["empty"]
    model = chat(stub.base_url)
    answer = joined(list(model.stream("hello"))) if stream else model.invoke("hello")
    assert answer.content == ""


def test_down_endpoints_refuse_connections_and_a_stopped_stub_comes_back_on_its_port() -> None:
    with pytest.raises(openai.APIConnectionError):
        chat(dead_endpoint()).invoke("hello")
    stub = OpenAIStub().start()
    base_url = stub.base_url
    assert chat(base_url).invoke("up").content == "Reply to: up"
    stub.stop()
    stub.stop()  # idempotent
    with pytest.raises(openai.APIConnectionError):
        chat(base_url).invoke("down")
    with stub:
        assert stub.base_url == base_url
        assert chat(base_url).invoke("up again").content == "Reply to: up again"
    assert stub.total_requests == 2


def test_stopping_releases_a_held_request() -> None:
    stub = OpenAIStub(faults=["timeout"]).start()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            chat(stub.base_url, timeout=30).invoke("hello")
        except BaseException as error:
            errors.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    assert stub.wait_for(lambda s: s.in_flight == 1, timeout=5)
    started = time.monotonic()
    stub.stop()
    caller.join(5)
    assert time.monotonic() - started < 2
    assert [type(e).__mro__[1] for e in errors] == [openai.APIConnectionError]


@pytest.mark.parametrize(("fault", "retry_after_s"), [("503", 0.6), ("429", 1)])
def test_retries_recover_from_one_fault_after_retry_after(
    stub: OpenAIStub, fault: str, retry_after_s: float
) -> None:
    stub.faults, stub.retry_after_s = [fault], retry_after_s
    started = time.monotonic()
    answer = chat(stub.base_url, max_retries=2).invoke("hello")
    elapsed = time.monotonic() - started
    assert answer.content == "Reply to: hello"
    assert retry_after_s <= elapsed < retry_after_s + 1.0
    assert stub.fault_counts == {fault: 1, "ok": 1}
    first, second = stub.log
    assert second.received_at - first.received_at >= retry_after_s


def test_fault_plans_list_probability_and_callable(stub: OpenAIStub) -> None:
    def post() -> int:
        body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]}).encode()
        request = urllib.request.Request(
            f"{stub.base_url}/chat/completions", body, {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    stub.faults = ["500", 429, "ok"]
    assert stub.faults == ["500", "429", "ok"]
    assert [post() for _ in range(4)] == [500, 429, 200, 200]

    stub.set_faults({"503": 0.3, "500": 0.1}, seed=42)
    first = [post() for _ in range(200)]
    stub.set_faults({"503": 0.3, "500": 0.1}, seed=42)
    assert [post() for _ in range(200)] == first  # same seed, same sequence
    assert 40 <= first.count(503) <= 80 and 5 <= first.count(500) <= 35

    stub.faults = lambda body: "503" if "secret" in json.dumps(body) else "ok"
    assert post() == 200
    with pytest.raises(openai.InternalServerError):
        chat(stub.base_url).invoke("the secret persona")

    with pytest.raises(ValueError, match="unknown fault"):
        stub.faults = ["404"]


def test_log_is_bounded_and_stats_reset() -> None:
    with OpenAIStub(log_limit=3) as stub:
        model = chat(stub.base_url)
        for i in range(5):
            model.invoke(f"message {i}")
        assert [r.number for r in stub.log] == [3, 4, 5]
        assert stub.requests[-1]["messages"][-1]["content"] == "message 4"
        assert stub.total_requests == 5
        # the client can have its reply before the server's handler has counted the request done
        assert stub.wait_for(lambda stats: stats.in_flight == 0)
        stub.reset_stats()
        assert (stub.total_requests, stub.fault_counts, stub.log, stub.max_in_flight) == (0, {}, [], 0)


def test_delay_does_not_serialize_concurrent_requests(stub: OpenAIStub) -> None:
    stub.delay_s = 0.5
    model = chat(stub.base_url)

    async def fifty() -> list[Any]:
        return await asyncio.gather(*(model.ainvoke(f"request {i}") for i in range(50)))

    started = time.monotonic()
    answers = asyncio.run(fifty())
    elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 2.0
    assert sorted(a.content for a in answers) == sorted(
        default_reply({"messages": [{"content": f"request {i}"}]}) for i in range(50)
    )
    assert stub.max_in_flight == 50
    assert stub.in_flight == 0


def test_max_in_flight_proves_a_client_side_concurrency_limit(stub: OpenAIStub) -> None:
    stub.delay_s = 0.1
    model = chat(stub.base_url)

    async def limited(limit: int) -> None:
        gate = asyncio.Semaphore(limit)

        async def one(i: int) -> None:
            async with gate:
                await model.ainvoke(f"request {i}")

        await asyncio.gather(*(one(i) for i in range(20)))

    asyncio.run(limited(4))
    assert stub.total_requests == 20
    assert stub.max_in_flight == 4

"""Transient provider failures are retried inside one model call, with the project's own settings.

The models are built the way a run builds them (``build_chat_model(role_model(Context(...)))``), and
talk HTTP to the local stub server, so what is tested is the settings reaching the OpenAI SDK and
the SDK's retry loop on real responses: a 429's Retry-After, 5xx, and a silent server.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel

from llm_roleplay.blocks.models import build_chat_model
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.llm import role_model
from llm_roleplay.nodes.state import TerminationReason
from llm_roleplay.runner import run_dialogue
from tests.support.openai_stub import OpenAIStub

GOAL = "You want help with a soup recipe for a cold evening."
PERSONA = "A nurse who works night shifts and writes short messages."


def chatbot_model(stub: OpenAIStub, **settings: Any) -> BaseChatModel:
    """The chatbot model exactly as a run builds it, pointed at ``stub``."""
    context = Context(chatbot_model="openai:stub", chatbot_base_url=stub.base_url, **settings)
    return build_chat_model(role_model(context, "chatbot"))


def test_a_429_is_retried_after_the_servers_retry_after() -> None:
    with OpenAIStub(faults=["429"], retry_after_s=1.0) as stub:
        started = time.monotonic()
        reply = chatbot_model(stub).invoke("hello there")
        elapsed = time.monotonic() - started
        log = stub.log
    assert str(reply.text).startswith("Reply to:")
    assert [entry.fault for entry in log] == ["429", "ok"]
    # The SDK's own first backoff is at most 0.5 s: waiting 1 s means Retry-After was honoured.
    assert log[1].received_at - log[0].received_at >= 1.0
    assert elapsed >= 1.0


def test_server_errors_are_retried() -> None:
    with OpenAIStub(faults=["500", "503"], retry_after_s=0.05) as stub:
        reply = chatbot_model(stub).invoke("hello there")
        faults = [entry.fault for entry in stub.log]
    assert str(reply.text).startswith("Reply to:")
    assert faults == ["500", "503", "ok"]


def test_a_silent_server_is_bounded_by_request_timeout_s() -> None:
    with OpenAIStub(faults=["timeout"]) as stub, ThreadPoolExecutor(max_workers=1) as pool:
        model = chatbot_model(stub, request_timeout_s=0.5, request_retries=0)
        started = time.monotonic()
        call = pool.submit(model.invoke, "hello there")
        try:
            with pytest.raises(Exception, match=r"(?i)timed? ?out"):
                call.result(timeout=10)  # without the setting the SDK would wait 10 minutes
        finally:
            stub.stop()  # releases a held connection if the call did not give up by itself
        elapsed = time.monotonic() - started
    assert elapsed < 3.0


def test_a_timed_out_attempt_is_retried() -> None:
    with OpenAIStub(faults=["timeout"]) as stub:
        reply = chatbot_model(stub, request_timeout_s=0.5, request_retries=1).invoke("hello there")
        assert [entry.fault for entry in stub.log] == ["timeout", "ok"]
    assert str(reply.text).startswith("Reply to:")


def dialogue_against(stub: OpenAIStub, db: Path, retries: int) -> Any:
    context = Context(
        inquirer_model="fake",
        chatbot_model="openai:stub",
        chatbot_base_url=stub.base_url,
        chatbot_api_key_env="RELIABILITY_RETRY_KEY",
        judge_model="none",
        max_turns=1,
        request_retries=retries,
    )
    return run_dialogue(GOAL, PERSONA, context, db).record


def test_without_retries_one_503_ends_the_dialogue_with_the_error_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-retry-canary-0123456789abcdef"
    monkeypatch.setenv("RELIABILITY_RETRY_KEY", key)
    with OpenAIStub(faults=["503"], retry_after_s=0.05) as stub:
        record = dialogue_against(stub, tmp_path / "none.sqlite", retries=0)
        assert stub.log[0].headers["authorization"] == f"Bearer {key}"  # the key was really sent
    assert record.termination_reason is TerminationReason.CHATBOT_ERROR
    assert record.error and "503" in record.error and "overloaded" in record.error
    assert key not in record.model_dump_json()

    with OpenAIStub(faults=["503"], retry_after_s=0.05) as stub:  # the same fault, one retry allowed
        record = dialogue_against(stub, tmp_path / "one.sqlite", retries=1)
    assert record.termination_reason is TerminationReason.MAX_TURNS and record.error is None

"""The record/replay cache of the simulator's model calls: free, identical reruns; visible misses.

The inquirer and the judge are real ``ChatOpenAI`` clients of a real local OpenAI-compatible server
(``tests/support/openai_stub.py``), whose request counter says how many calls reached a model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langchain_openai import ChatOpenAI

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.fake_judge import part_check_answer
from llm_roleplay.blocks.model_cache import CacheMiss, RecordedCache, model_settings, recorded_cache
from llm_roleplay.blocks.models import REPLAY_ONLY_URL, RoleModel, build_chat_model
from llm_roleplay.records import WITHOUT_TIMING
from llm_roleplay.testing import SimulationFailed, simulate
from tests.support.agents import rule_based_support_agent
from tests.support.openai_stub import OpenAIStub
from tests.unit.scripted_models import FINAL_CHECK_MARK, PART_CHECK_MARK, inquirer_task

USER = ["hi, where is my order A1002?", "ok thanks. my headphones from A1001 arrived broken, refund please"]
GOAL = "Find out where order A1002 is, and get a refund for the broken headphones of order A1001."
PARTS = ["Ask where order A1002 is.", "Get a refund for the broken headphones of order A1001."]


def simulator_reply(body: dict[str, Any]) -> str:
    """The stub as inquirer and judge: one user message per goal part, each reply counts as
    delivered; the judge quotes the reply to each part as evidence and agrees."""
    messages = body["messages"]
    prompt = str(messages[0]["content"])
    if PART_CHECK_MARK in prompt:
        return part_check_answer(prompt)
    if FINAL_CHECK_MARK in prompt:
        return "YES"
    task = inquirer_task(messages)
    if task == "assess":
        return "YES"
    return USER[0] if task == "open" else USER[1]


def run(stub: OpenAIStub, cache: Path, mode: str, **settings: Any) -> Any:
    settings.setdefault("persona", "A student who types fast and skips capital letters.")
    return simulate(
        rule_based_support_agent(),
        goal=GOAL,
        max_turns=4,
        inquirer="openai:stub",
        inquirer_base_url=stub.base_url,
        judge="openai:stub",
        judge_base_url=stub.base_url,
        goal_parts=PARTS,
        style="off",
        cache=cache,
        cache_mode=mode,  # type: ignore[arg-type]
        **settings,
    )


def test_a_second_run_makes_no_model_call_and_gives_the_same_record(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "refund.jsonl"
    with OpenAIStub(simulator_reply) as stub:
        with pytest.warns(UserWarning, match="not recorded yet"):
            first = run(stub, cache, "auto")
        calls = stub.total_requests
        stub.reset_stats()
        second = run(stub, cache, "replay")
        assert stub.total_requests == 0
    assert first.record.termination_reason == "goal_verified"
    assert calls == len(cache.read_text().splitlines()) >= 4  # decisions, messages, the judge
    # the same record, but for when each message was written and how long the chatbot took
    assert second.record.model_dump(exclude=WITHOUT_TIMING) == first.record.model_dump(exclude=WITHOUT_TIMING)
    assert second.cache is not None and (second.cache.hits, second.cache.misses) == (calls, [])


def test_a_changed_setting_or_prompt_misses_and_says_what_changed(tmp_path: Path) -> None:
    cache = tmp_path / "refund.jsonl"
    with OpenAIStub(simulator_reply) as stub, pytest.warns(UserWarning):
        run(stub, cache, "auto")
    with OpenAIStub(simulator_reply) as stub:
        with pytest.raises(SimulationFailed) as hotter:
            run(stub, cache, "replay", temperature=0.3)
        with pytest.raises(SimulationFailed) as other_persona:
            run(stub, cache, "replay", persona="A retired teacher who writes long, careful sentences.")
        assert stub.total_requests == 0  # a replay-only cache never calls the model
    message = str(hotter.value)
    assert "ended as inquirer_error" in message and "CacheMiss: no recorded answer" in message
    assert "settings differ from it: call:" in message and "temperature: 0.7 -> 0.3" in message
    message = str(other_persona.value)
    assert "the closest recorded request differs at character" in message
    assert "now 'retired teacher who" in message and "recorded 'student who types" in message


def test_auto_mode_records_only_what_is_missing_and_record_mode_starts_afresh(tmp_path: Path) -> None:
    cache = tmp_path / "refund.jsonl"
    with OpenAIStub(simulator_reply) as stub:
        with pytest.warns(UserWarning):
            run(stub, cache, "auto")
        lines = cache.read_text().splitlines()
        run(stub, cache, "auto")  # everything recorded: no warning, nothing added
        assert cache.read_text().splitlines() == lines
        with pytest.warns(UserWarning):
            run(stub, cache, "auto", persona="Someone else entirely, who writes in short bursts.")
        assert len(cache.read_text().splitlines()) > len(lines)
        stub.reset_stats()
        run(stub, cache, "record")
        assert stub.total_requests == len(lines)
    assert cache.read_text().splitlines() == lines  # only this run's calls, in the same order


def test_entries_are_readable_requests_and_answers(tmp_path: Path) -> None:
    cache = tmp_path / "refund.jsonl"
    with OpenAIStub(simulator_reply) as stub, pytest.warns(UserWarning):
        run(stub, cache, "auto")
    entries = [json.loads(line) for line in cache.read_text().splitlines()]
    assert [sorted(entry) for entry in entries] == [["key", "model", "request", "response"]] * len(entries)
    opening = entries[0]
    assert opening["model"]["model_name"] == "stub" and opening["model"]["temperature"] == 0.7
    assert "openai_api_base" not in opening["model"] and "request_timeout" not in opening["model"]
    assert opening["request"][0]["role"] == "human" and GOAL in opening["request"][0]["content"]
    assert opening["response"]["content"] == USER[0]
    assert entries[-1]["response"]["content"] == "YES"


def test_the_key_leaves_out_how_the_model_is_reached(tmp_path: Path) -> None:
    def client(url: str, **extra: Any) -> ChatOpenAI:
        return ChatOpenAI(model="m", base_url=url, api_key="k", use_responses_api=False, **extra)  # type: ignore[arg-type]

    a = client("http://127.0.0.1:1/v1", timeout=5, max_retries=1)._get_llm_string(stop=None, seed=1)
    b = client("http://127.0.0.1:2/v1", timeout=50, max_retries=9)._get_llm_string(stop=None, seed=1)
    c = client("http://127.0.0.1:1/v1", temperature=0.1)._get_llm_string(stop=None, seed=1)
    d = client("http://127.0.0.1:1/v1")._get_llm_string(stop=None, seed=2)
    assert RecordedCache.key("p", a) == RecordedCache.key("p", b)
    assert len({RecordedCache.key("p", a), RecordedCache.key("p", c), RecordedCache.key("p", d)}) == 3
    assert RecordedCache.key("p", a) != RecordedCache.key("q", a)
    assert model_settings(a)["model_name"] == "m" and "openai_api_base" not in model_settings(a)


def test_a_replay_only_embedded_model_is_never_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_start(*args: Any) -> str:
        raise AssertionError("the embedded model was started")

    monkeypatch.setattr("llm_roleplay.blocks.local_model.local_base_url", no_start)
    cache = tmp_path / "c.jsonl"
    model = build_chat_model(
        RoleModel(role="judge", spec="local", cache_path=str(cache), cache_mode="replay")
    )
    assert isinstance(model, ChatOpenAI) and model.openai_api_base == REPLAY_ONLY_URL
    with pytest.raises(CacheMiss, match="the cache file is empty or missing"):
        model.invoke([HumanMessage("anything")])


def test_a_damaged_cache_file_is_an_error_naming_the_line(tmp_path: Path) -> None:
    cache = tmp_path / "c.jsonl"
    cache.write_text('{"key": "a", "model": {}, "request": [], "response": {"content": "x"}}\nnot json\n')
    with pytest.raises(ConfigError, match=r"c.jsonl line 2: not a cache entry"):
        recorded_cache(cache, "replay")


def test_an_unknown_mode_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ROLEPLAY_CACHE_MODE", "sometimes")
    with pytest.raises(
        ConfigError, match=r"\$ROLEPLAY_CACHE_MODE='sometimes': use one of auto, replay, record"
    ):
        recorded_cache(tmp_path / "c.jsonl")

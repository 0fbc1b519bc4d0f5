"""Model specs: every role's setting becomes a chat model, or a one-line ConfigError naming the role.

String specs are built once per process (``lru_cache``), so each test that builds from a string
uses names of its own (spec, module or environment variable) to stay independent of the others.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from llm_roleplay.blocks.adapters import CallableChatModel, RemoteGraphChatModel
from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.fake_models import FakeRoleplayModel
from llm_roleplay.blocks.models import (
    LOCAL_TIMEOUT_S,
    ROLES,
    RoleModel,
    _uncached_from_spec,
    build_chat_model,
)
from llm_roleplay.graphs.roleplay import graph
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.llm import role_model
from llm_roleplay.nodes.state import TerminationReason
from llm_roleplay.runner import preflight
from tests.unit.scripted_models import GOAL, USER_MESSAGES, ScriptedInquirer, run_roleplay, user_texts


def build(role: str, **settings: Any) -> Any:
    return build_chat_model(role_model(Context(**settings), role))  # type: ignore[arg-type]


def config_error(role: str, **settings: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        build(role, **settings)
    message = str(caught.value)
    assert "\n" not in message, "ConfigError messages are one line"
    return message


# ---------------------------------------------------------------- unknown specs


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("spec", ["gpt4", "nosuchprovider:x", "openai:", ":gpt-4o", "local-model"])
def test_unknown_spec_is_a_one_line_config_error_naming_the_role(role: str, spec: str) -> None:
    message = config_error(role, **{f"{role}_model": spec})
    assert message.startswith(f"{role} model")
    assert spec in message
    assert "provider:model" in message  # says what would work


@pytest.mark.parametrize("role", ROLES)
def test_unknown_spec_fails_the_run_instead_of_ending_the_dialogue(role: str) -> None:
    settings: dict[str, Any] = {
        "inquirer_model": ScriptedInquirer(messages=USER_MESSAGES[:1], decisions=["YES"]),
        "chatbot_model": "fake",
        "judge_model": "fake",
        "max_turns": 3,
        "min_turns_before_stop": 1,  # the scripted YES claims the goal after one turn: the judge is built
    }
    settings[f"{role}_model"] = "gpt4"
    with pytest.raises(ConfigError, match=f"^{role} model: unknown spec 'gpt4'"):
        graph.invoke({"goal": GOAL}, context=Context(**settings))


def test_preflight_checks_every_role_before_the_first_turn() -> None:
    preflight(Context(inquirer_model="fake", chatbot_model="fake", judge_model="none"))
    with pytest.raises(ConfigError, match=r"^judge model"):
        preflight(Context(inquirer_model="fake", chatbot_model="fake", judge_model="gpt4"))


def test_missing_provider_key_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    message = config_error("chatbot", chatbot_model="openai:gpt-4o-mini", temperature=0.31)
    assert message.startswith("chatbot model 'openai:gpt-4o-mini'")
    assert "--chatbot-api-key-env" in message


# ---------------------------------------------------------------- LangGraph targets


def test_langgraph_spec_without_base_url_is_a_config_error() -> None:
    message = config_error("chatbot", chatbot_model="langgraph:support-agent")
    assert message.startswith("chatbot model 'langgraph:support-agent'")
    assert "--chatbot-base-url" in message


def test_langgraph_spec_with_base_url_builds_a_remote_graph_model() -> None:
    model = build("chatbot", chatbot_model="langgraph:support-agent", chatbot_base_url="http://127.0.0.1:9")
    assert isinstance(model, RemoteGraphChatModel)
    assert model.url == "http://127.0.0.1:9"
    assert model.assistant_id == "support-agent"


# ---------------------------------------------------------------- API keys


@pytest.mark.parametrize(
    ("role", "settings"),
    [
        ("inquirer", {"inquirer_model": "openai:gpt-4o-mini"}),
        ("judge", {"judge_model": "vllm:qwen", "judge_base_url": "http://127.0.0.1:9"}),
        ("chatbot", {"chatbot_model": "langgraph:agent", "chatbot_base_url": "http://127.0.0.1:9"}),
    ],
)
def test_missing_key_variable_is_a_config_error_naming_it(
    role: str, settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    variable = f"LLM_ROLEPLAY_TEST_UNSET_KEY_{role.upper()}"
    monkeypatch.delenv(variable, raising=False)
    message = config_error(role, **settings, **{f"{role}_api_key_env": variable})
    assert message.startswith(f"{role} model")
    assert variable in message
    assert f"--{role}-api-key-env" in message


def test_empty_key_variable_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_ROLEPLAY_TEST_EMPTY_KEY", "")
    message = config_error(
        "inquirer", inquirer_model="openai:gpt-4o", inquirer_api_key_env="LLM_ROLEPLAY_TEST_EMPTY_KEY"
    )
    assert "LLM_ROLEPLAY_TEST_EMPTY_KEY" in message


def test_key_is_read_from_the_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_ROLEPLAY_TEST_SET_KEY", "sk-test-123")
    model = build(
        "chatbot",
        chatbot_model="vllm:served-model",
        chatbot_base_url="http://127.0.0.1:9/v1",
        chatbot_api_key_env="LLM_ROLEPLAY_TEST_SET_KEY",
    )
    assert model.openai_api_key.get_secret_value() == "sk-test-123"
    assert model.model_name == "served-model"
    context = Context(chatbot_model="vllm:served-model", chatbot_api_key_env="LLM_ROLEPLAY_TEST_SET_KEY")
    assert "sk-test-123" not in role_model(context, "chatbot").describe()


def test_missing_key_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLM_ROLEPLAY_TEST_RUN_KEY", raising=False)
    context = Context(
        inquirer_model="openai:gpt-4o-mini",
        inquirer_api_key_env="LLM_ROLEPLAY_TEST_RUN_KEY",
        chatbot_model="fake",
        judge_model="none",
    )
    with pytest.raises(ConfigError, match="LLM_ROLEPLAY_TEST_RUN_KEY"):
        graph.invoke({"goal": GOAL}, context=context)


# ---------------------------------------------------------------- python:module:attr


@pytest.fixture
def target_module(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> types.ModuleType:
    """A throwaway module with a chatbot function, a chat model and a non-callable value."""
    name = "llm_roleplay_test_target_" + re.sub(r"\W", "_", request.node.name)
    module = types.ModuleType(name)

    def reply(messages: list[dict[str, Any]]) -> str:
        return f"I read {len(messages)} message(s); the last said: {messages[-1]['content']}"

    module.reply = reply  # type: ignore[attr-defined]
    module.model = FakeListChatModel(responses=["from the module's chat model"])  # type: ignore[attr-defined]
    module.setting = 42  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, module)
    return module


def test_python_spec_resolves_a_function(target_module: types.ModuleType) -> None:
    model = build("chatbot", chatbot_model=f"python:{target_module.__name__}:reply")
    assert isinstance(model, CallableChatModel)
    answer = model.invoke([SystemMessage("be nice"), HumanMessage("hello")])
    assert answer.text == "I read 2 message(s); the last said: hello"


def test_python_spec_resolves_a_chat_model(target_module: types.ModuleType) -> None:
    model = build("judge", judge_model=f"python:{target_module.__name__}:model")
    assert model is target_module.model


def test_python_spec_runs_as_the_chatbot(target_module: types.ModuleType) -> None:
    inquirer = ScriptedInquirer(messages=USER_MESSAGES[:1])
    state = run_roleplay(inquirer, chatbot=f"python:{target_module.__name__}:reply", max_turns=1)
    assert state["termination_reason"] == TerminationReason.MAX_TURNS
    assert state["messages"][-1].text == f"I read 1 message(s); the last said: {user_texts(state)[0]}"


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [("setting", "not a chat model or a function"), ("no_such_attribute", "no_such_attribute")],
)
def test_python_spec_with_a_bad_attribute(
    target_module: types.ModuleType, attribute: str, expected: str
) -> None:
    message = config_error("chatbot", chatbot_model=f"python:{target_module.__name__}:{attribute}")
    assert message.startswith("chatbot model 'python:")
    assert expected in message


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("python:llm_roleplay_no_such_module:fn", "llm_roleplay_no_such_module"),
        ("python:os", "python:module.path:attribute"),
        ("python::fn", "python:module.path:attribute"),
    ],
)
def test_python_spec_with_a_bad_target(spec: str, expected: str) -> None:
    message = config_error("inquirer", inquirer_model=spec)
    assert message.startswith("inquirer model 'python:")
    assert expected in message


# ---------------------------------------------------------------- other settings


def test_objects_and_callables_are_used_directly() -> None:
    chat_model = FakeListChatModel(responses=["ok"])
    assert build("chatbot", chatbot_model=chat_model) is chat_model

    def function(messages: list[dict[str, Any]]) -> AIMessage:
        return AIMessage(f"{messages[0]['role']}:{messages[0]['content']}")

    wrapped = build("chatbot", chatbot_model=function)
    assert isinstance(wrapped, CallableChatModel)
    assert wrapped.invoke([HumanMessage("hi")]).text == "user:hi"


@pytest.mark.parametrize(
    ("returned", "text"), [({"role": "assistant", "content": "dict reply"}, "dict reply"), (None, "")]
)
def test_callable_results_are_turned_into_text(returned: Any, text: str) -> None:
    model = build("chatbot", chatbot_model=lambda messages: returned)
    assert model.invoke([HumanMessage("hi")]).text == text


def test_fake_spec_builds_the_fake_model_for_the_role() -> None:
    model = build("judge", judge_model="fake")
    assert isinstance(model, FakeRoleplayModel)
    assert model.role == "judge"
    assert build("judge", judge_model="fake") is model  # string specs are built once


@pytest.mark.parametrize("spec", ["none", "off", " None "])
def test_disabled_spec(spec: str) -> None:
    settings = role_model(Context(judge_model=spec), "judge")
    assert settings.disabled
    with pytest.raises(ConfigError, match="disables"):
        build_chat_model(settings)


def test_unsupported_setting_type() -> None:
    with pytest.raises(ConfigError, match="unsupported setting of type int"):
        build_chat_model(RoleModel(role="chatbot", spec=42))


def test_role_settings() -> None:
    context = Context(temperature=0.9, max_message_tokens=77, max_reply_tokens=333, request_timeout_s=12)
    inquirer, chatbot, judge = (role_model(context, role) for role in ROLES)
    assert (inquirer.temperature, inquirer.max_tokens) == (0.9, 77)
    assert (chatbot.temperature, chatbot.max_tokens) == (0.9, 333)
    assert judge.temperature == 0.0  # the judge always samples greedily
    assert {settings.timeout_s for settings in (inquirer, chatbot, judge)} == {12}


def test_the_embedded_model_waits_for_its_own_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A timed-out call to the in-process server queues the same work again (2026-11-29: a dialogue
    # lost as chatbot_error); a remote endpoint keeps the setting.
    replay = {"cache_path": str(tmp_path / "calls.jsonl"), "cache_mode": "replay", "timeout_s": 12.0}
    monkeypatch.setenv("X_KEY", "not-a-real-key")
    local = _uncached_from_spec(RoleModel(role="chatbot", spec="local", **replay))
    assert local.request_timeout == LOCAL_TIMEOUT_S  # type: ignore[attr-defined]
    remote = _uncached_from_spec(
        RoleModel(role="chatbot", spec="openai:gpt-4o-mini", api_key_env="X_KEY", timeout_s=12.0)
    )
    assert remote.request_timeout == 12.0  # type: ignore[attr-defined]


def test_describe_names_the_spec_and_url_only() -> None:
    assert RoleModel(role="chatbot", spec="vllm:m", base_url="http://h:1").describe() == "vllm:m @ http://h:1"
    assert RoleModel(role="chatbot", spec=FakeListChatModel(responses=["x"])).describe() == (
        "object:FakeListChatModel"
    )

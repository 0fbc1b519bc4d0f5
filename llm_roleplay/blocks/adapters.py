"""Chat-model adapters, so that every role is driven through one interface (``BaseChatModel``).

- ``CallableChatModel`` wraps a plain Python function ``fn(messages) -> str`` where ``messages``
  is a list of ``{"role": "system"|"user"|"assistant", "content": str}`` dicts.
- ``RemoteGraphChatModel`` talks to a LangGraph deployment (``langgraph dev`` or the platform)
  whose graph takes and returns ``{"messages": [...]}``, as chat agents built on LangGraph do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, convert_to_openai_messages
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict


def _as_text(value: Any) -> str:
    if isinstance(value, BaseMessage):
        return value.text
    if isinstance(value, dict) and "content" in value:
        return str(value["content"])
    return "" if value is None else str(value)


class CallableChatModel(BaseChatModel):
    """A chat model whose reply is computed by a Python function."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    fn: Callable[[list[dict[str, Any]]], Any]

    @property
    def _llm_type(self) -> str:
        return "python-callable"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = self.fn(convert_to_openai_messages(messages))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=_as_text(reply)))])


class RemoteGraphChatModel(BaseChatModel):
    """Sends the conversation to a LangGraph assistant (stateless run) and returns its last reply."""

    url: str
    assistant_id: str
    api_key: str | None = None
    timeout_s: float = 300.0

    @property
    def _llm_type(self) -> str:
        return "langgraph-remote"

    def _graph(self) -> Any:
        from langgraph.pregel.remote import RemoteGraph
        from langgraph_sdk import get_client, get_sync_client

        # The SDK's clients retry connection errors themselves; the timeout is the run's setting.
        return RemoteGraph(
            self.assistant_id,
            client=get_client(url=self.url, api_key=self.api_key, timeout=self.timeout_s),
            sync_client=get_sync_client(url=self.url, api_key=self.api_key, timeout=self.timeout_s),
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        payload = {"messages": convert_to_openai_messages(messages)}
        output = self._graph().invoke(payload)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=_last_reply(output)))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        payload = {"messages": convert_to_openai_messages(messages)}
        output = await self._graph().ainvoke(payload)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=_last_reply(output)))])


def _last_reply(output: Any) -> str:
    messages = output.get("messages") if isinstance(output, dict) else None
    if not messages:
        raise ValueError("the LangGraph assistant returned no 'messages'")
    return _as_text(messages[-1])

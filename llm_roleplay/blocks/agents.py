"""LangGraph agents as chat targets, met the way real users meet them: one thread per dialogue.

Each turn sends only the new user message to the agent's thread, as a chat front end does; the
agent keeps the conversation in its own checkpoint. Everything the agent produced in the turn is
read back from the thread's state: every assistant message with text is shown to the simulated
user, while tool calls (name, arguments, id) and their results are kept for the record only.

- In process: a compiled graph (``python:module:graph`` or the object itself). A graph compiled
  without a checkpointer gets an in-memory one for this process, so its threads live as long as
  the process; compile it with a persistent checkpointer (e.g. ``SqliteSaver``) for dialogues that
  resume in another process.
- Deployed: ``langgraph:ASSISTANT`` at a base URL, through ``RemoteGraph`` (the thread is created
  on first use).

Thread ids are UUIDs derived from the dialogue id, so a resumed dialogue finds its thread again.
A thread that already holds another conversation when a dialogue starts (the same dialogue run
before, against a persistent checkpointer) is left alone and the next derived id is used.

A turn is idempotent: when the thread already holds the turn's user message (the process died
after the agent answered but before the roleplay checkpoint was written), the answer is read back
instead of asking again, and a run that stopped half-way is continued.
"""

from __future__ import annotations

import atexit
import dataclasses
import uuid
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.messages.utils import convert_to_messages
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.pregel import Pregel
from langgraph.pregel.protocol import PregelProtocol
from pydantic import BaseModel

# Namespace of the thread ids derived from dialogue ids (uuid5): fixed forever, or resumed
# dialogues would look for their threads under new ids.
THREAD_NAMESPACE = uuid.UUID("5b0f6f5e-3d1c-4b8e-9a55-6c1e0f4a7d21")
MAX_THREAD_ATTEMPTS = 100
MESSAGE_TYPES = frozenset({"human", "ai", "tool", "system", "function", "chat", "remove"})


class AgentError(RuntimeError):
    """The agent's thread cannot carry on this dialogue (lost, foreign, or stopped half-way)."""


def thread_id_for(dialogue_id: str, attempt: int = 0) -> str:
    """The agent thread of a dialogue: a UUID (what LangGraph servers require), stable across processes."""
    name = dialogue_id if attempt == 0 else f"{dialogue_id}#{attempt}"
    return str(uuid.uuid5(THREAD_NAMESPACE, name))


@dataclass(frozen=True)
class AgentReply:
    """One assistant message the user sees, with the tool calls that led to it (the user does not)."""

    text: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # {"name", "args", "id", "result"}


@dataclass(frozen=True)
class AgentTurn:
    thread_id: str
    replies: list[AgentReply]
    state: dict[str, Any]  # the thread's values after the turn, as JSON-able data
    usage: dict[str, int]


class AgentTarget:
    """Drives one LangGraph agent (in process or deployed) through one thread per dialogue."""

    def __init__(self, graph: PregelProtocol, description: str) -> None:
        self.graph = graph
        self.description = description

    def take_turn(
        self,
        dialogue_id: str,
        thread_id: str | None,
        previous_user_id: str | None,
        message: HumanMessage,
    ) -> AgentTurn:
        """Send ``message`` (the user's new message) on the dialogue's thread and read the turn back.

        ``thread_id`` is the thread chosen at the first turn (None then); ``previous_user_id`` the id
        of the user message sent at the turn before (None at the first turn).
        """
        if thread_id is None:
            thread_id = self._first_free_thread(dialogue_id, message)
        config: dict[str, Any] = {"configurable": {"thread_id": thread_id}}
        messages, pending = self._read(config)
        last_user = _last_human(messages)
        if last_user is not None and _same_message(last_user, message):
            if pending:  # the turn was sent and stopped half-way: let it finish
                self.graph.invoke(None, config)  # type: ignore[call-overload]
        elif (last_user is None and previous_user_id is None) or (
            last_user is not None and previous_user_id is not None and last_user.id == previous_user_id
        ):
            self.graph.invoke({"messages": [message]}, config)  # type: ignore[call-overload]
        else:
            raise AgentError(
                f"agent thread {thread_id} holds another conversation than this dialogue's "
                "(was its checkpoint lost? compile the agent with a persistent checkpointer to resume)"
            )
        snapshot = self.graph.get_state(config)  # type: ignore[arg-type]
        if snapshot.next:
            raise AgentError(
                f"the agent stopped before finishing its turn (next: {', '.join(snapshot.next)}); "
                "agents that wait for human input (interrupts) are not supported as targets"
            )
        values = dict(snapshot.values or {})
        produced = _after(_messages_of(values), message)
        return AgentTurn(
            thread_id=thread_id,
            replies=_replies(produced),
            state=jsonable(values),
            usage=_usage(produced),
        )

    def _read(self, config: dict[str, Any]) -> tuple[list[AnyMessage], bool]:
        """The thread's messages and whether a run is pending; an unknown thread is empty."""
        try:
            snapshot = self.graph.get_state(config)  # type: ignore[arg-type]
        except Exception as error:
            if getattr(getattr(error, "response", None), "status_code", None) == 404:
                return [], False  # a deployment's thread is created by the first run
            raise
        values = dict(snapshot.values or {})
        return (_messages_of(values) if values else []), bool(snapshot.next)

    def _first_free_thread(self, dialogue_id: str, message: HumanMessage) -> str:
        """The first derived thread that is empty, or holds just this dialogue's first message."""
        for attempt in range(MAX_THREAD_ATTEMPTS):
            thread_id = thread_id_for(dialogue_id, attempt)
            messages, _ = self._read({"configurable": {"thread_id": thread_id}})
            humans = [m for m in messages if m.type == "human"]
            if not humans or (len(humans) == 1 and _same_message(humans[0], message)):
                return thread_id
        raise AgentError(f"dialogue {dialogue_id}: {MAX_THREAD_ATTEMPTS} agent threads already in use")


def _same_message(sent: BaseMessage, message: HumanMessage) -> bool:
    if sent.id and message.id:
        return sent.id == message.id
    return str(sent.text) == str(message.text)


def _messages_of(values: Mapping[str, Any]) -> list[AnyMessage]:
    raw = values.get("messages")
    if raw is None:
        raise AgentError("the agent's state has no 'messages' (a chat agent's state must hold them)")
    return list(convert_to_messages(raw))  # type: ignore[arg-type]  # dicts from a deployment


def _last_human(messages: Sequence[BaseMessage]) -> BaseMessage | None:
    return next((m for m in reversed(messages) if m.type == "human"), None)


def _after(messages: Sequence[AnyMessage], message: HumanMessage) -> list[AnyMessage]:
    """The messages of the turn: everything after the user's message, as stored in the thread."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].type == "human" and _same_message(messages[index], message):
            return list(messages[index + 1 :])
    raise AgentError("the user's message is not in the agent's thread after the turn")


def _replies(produced: Sequence[AnyMessage]) -> list[AgentReply]:
    """Assistant messages with text, in order; each tool call goes with the first such message at
    or after the one that made it (calls after the last text go with the last text)."""
    results = {m.tool_call_id: m for m in produced if isinstance(m, ToolMessage)}
    replies: list[AgentReply] = []
    waiting: list[dict[str, Any]] = []
    for message in produced:
        if not isinstance(message, AIMessage):
            continue
        for call in message.tool_calls:
            result = results.get(call.get("id") or "")
            entry: dict[str, Any] = {
                "name": call["name"],
                "args": jsonable(call.get("args") or {}),
                "id": call.get("id"),
                "result": str(result.text) if result is not None else None,
            }
            if result is not None and result.status == "error":
                entry["error"] = True
            waiting.append(entry)
        text = str(message.text).strip()
        if text:
            replies.append(AgentReply(text, waiting))
            waiting = []
    if waiting:
        if replies:
            replies[-1].tool_calls.extend(waiting)
        else:
            replies.append(AgentReply("", waiting))
    return replies


def _usage(produced: Sequence[AnyMessage]) -> dict[str, int]:
    usage = {"calls": 1, "input_tokens": 0, "output_tokens": 0}
    for message in produced:
        metadata = message.usage_metadata if isinstance(message, AIMessage) else None
        if metadata:
            usage["input_tokens"] += int(metadata.get("input_tokens") or 0)
            usage["output_tokens"] += int(metadata.get("output_tokens") or 0)
    return usage


def message_data(message: BaseMessage) -> dict[str, Any]:
    """A message as compact JSON: type and content, tool calls and tool fields when present; no ids
    (they are random, and a rerun of the same dialogue must give the same record)."""
    data: dict[str, Any] = {"type": message.type, "content": jsonable(message.content)}
    if isinstance(message, AIMessage) and message.tool_calls:
        data["tool_calls"] = [
            {"name": c["name"], "args": jsonable(c.get("args") or {}), "id": c.get("id")}
            for c in message.tool_calls
        ]
    if isinstance(message, ToolMessage):
        data["tool_call_id"] = message.tool_call_id
        if message.status == "error":
            data["status"] = "error"
    if message.name:
        data["name"] = message.name
    return data


def jsonable(value: Any) -> Any:
    """Agent state as JSON-able data (messages compacted, models dumped, anything else as text)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, BaseMessage):
        return message_data(value)
    if isinstance(value, Mapping):
        if value.get("type") in MESSAGE_TYPES and "content" in value:  # a message sent as a dict
            try:
                return message_data(convert_to_messages([dict(value)])[0])
            except (ValueError, TypeError, NotImplementedError):
                pass
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if isinstance(value, BaseModel):
        return jsonable(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    return repr(value)


_IN_PROCESS: weakref.WeakKeyDictionary[Pregel, AgentTarget] = weakref.WeakKeyDictionary()


def agent_target(graph: PregelProtocol) -> AgentTarget:
    """The target for a graph object. A compiled graph without a checkpointer gets an in-memory
    one (once per graph object and process); a ``RemoteGraph`` is used as it is."""
    if not isinstance(graph, Pregel):
        return AgentTarget(graph, f"graph:{getattr(graph, 'name', type(graph).__name__)}")
    target = _IN_PROCESS.get(graph)
    if target is None:
        has_own = isinstance(graph.checkpointer, BaseCheckpointSaver)
        stateful = graph if has_own else graph.copy(update={"checkpointer": InMemorySaver()})
        target = _IN_PROCESS[graph] = AgentTarget(stateful, f"graph:{graph.name}")
    return target


def remote_agent(url: str, assistant_id: str, *, api_key: str | None, timeout_s: float) -> AgentTarget:
    """A deployed agent (``langgraph dev`` or the platform) reached through ``RemoteGraph``."""
    from langgraph.pregel.remote import RemoteGraph
    from langgraph_sdk import get_client, get_sync_client

    sync_client = get_sync_client(url=url, api_key=api_key, timeout=timeout_s)
    atexit.register(sync_client.close)  # targets live as long as the process: close its connections
    graph = RemoteGraph(
        assistant_id,
        client=get_client(url=url, api_key=api_key, timeout=timeout_s),
        sync_client=sync_client,
    )
    return AgentTarget(graph, f"langgraph:{assistant_id} @ {url}")

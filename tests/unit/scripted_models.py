"""Helpers shared by the unit tests: scripted models that play each role without any LLM.

The scripted models are plain Python callables (``fn(messages: list[dict]) -> str``), which the
graph accepts in place of a chat model. They recognise which prompt they are given from its text,
answer from a script, and record every call so that tests can assert on the call sequence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from graphs.roleplay import graph
from nodes.context import Context
from prompts import load_prompt

GOAL = "Learn how to keep a sourdough starter alive and bake a first loaf of bread at home"
PERSONA_TEXT = (
    "A retired electrician from Leeds who types in short lowercase sentences and distrusts new technology."
)


def prompt_marker(name: str) -> str:
    """The first fixed line of a prompt file: enough to recognise which prompt a model was given."""
    template = load_prompt(name).template
    return next(line.strip() for line in template.splitlines() if line.strip() and "{" not in line)


DECISION_MARK = prompt_marker("inquirer_decision")
OPENING_MARK = prompt_marker("inquirer_opening")
FOLLOWUP_MARK = prompt_marker("inquirer_followup")
JUDGE_MARK = prompt_marker("judge_goal_check")
PERSONA_DESCRIPTION_MARK = prompt_marker("persona_description")

# Ordinary user messages that pass every inquirer check.
USER_MESSAGES = (
    "hi, how do i keep my sourdough starter going?",
    "ok and how often should i feed it?",
    "what flour works best for the first loaf?",
    "how long does the dough need to rise?",
    "what temperature should the oven be?",
    "how do i know the bread is done?",
    "can i freeze the loaf afterwards?",
    "thanks, what else should i watch for?",
)


def inquirer_task(messages: list[dict[str, Any]]) -> str:
    """'opening', 'followup' or 'decision': which inquirer prompt ``messages`` is.

    The prompt is the first message (a prefilled answer may follow it); a system message first
    means the role-reversed follow-up prompt.
    """
    if messages and messages[0]["role"] == "system":
        return "followup"
    text = str(messages[0]["content"])
    for mark, task in ((DECISION_MARK, "decision"), (OPENING_MARK, "opening"), (FOLLOWUP_MARK, "followup")):
        if mark in text:
            return task
    raise AssertionError(f"unrecognised inquirer prompt: {text[:100]!r}")


class ScriptedInquirer:
    """Plays the inquirer: answers decision calls and message calls from two separate scripts.

    A script entry that is an exception instance is raised instead of returned. Running out of
    script raises AssertionError, which the graph records as an ``inquirer_error``.
    """

    def __init__(self, messages: Iterable[Any] = (), decisions: Iterable[Any] = ()) -> None:
        self.messages = list(messages)
        self.decisions = list(decisions)
        self.calls: list[str] = []
        self.prompts: list[list[dict[str, Any]]] = []

    def __call__(self, prompt: list[dict[str, Any]]) -> str:
        task = inquirer_task(prompt)
        self.calls.append(task)
        self.prompts.append(prompt)
        queue = self.decisions if task == "decision" else self.messages
        if not queue:
            raise AssertionError(f"inquirer script exhausted at call {len(self.calls)} ({task})")
        reply = queue.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return str(reply)


class NumberedChatbot:
    """A target chatbot whose n-th reply is distinct, helpful-sounding text; records what it saw."""

    def __init__(self) -> None:
        self.received: list[list[dict[str, Any]]] = []

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        self.received.append(messages)
        n = len(self.received)
        return f"Good question. Here is part {n} of the answer: feed it daily and keep it warm for {n} days."


class ScriptedJudge:
    """A judge that answers from a script (cycling the last entry) and records its prompts."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.prompts: list[str] = []

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        text = str(messages[0]["content"])
        assert JUDGE_MARK in text, f"the judge got an unexpected prompt: {text[:100]!r}"
        self.prompts.append(text)
        reply = self.replies[min(len(self.prompts), len(self.replies)) - 1]
        if isinstance(reply, BaseException):
            raise reply
        return str(reply)


def verdict(goal_met: bool, rationale: str = "checked") -> str:
    """A well-formed judge answer."""
    return json.dumps({"goal_met": goal_met, "rationale": rationale})


def run_roleplay(
    inquirer: Any,
    chatbot: Any = None,
    judge: Any = "none",
    *,
    goal: str = GOAL,
    persona: Any = PERSONA_TEXT,
    **settings: Any,
) -> dict[str, Any]:
    """Run the roleplay graph once with the given role models and settings; return the final state.

    The scripts ask for a stop decision from the second turn on (the paper's loop), so unless a test
    says otherwise ``min_turns_before_stop`` is 1 here.
    """
    settings.setdefault("min_turns_before_stop", 1)
    context = Context(
        inquirer_model=inquirer,
        chatbot_model=chatbot if chatbot is not None else NumberedChatbot(),
        judge_model=judge,
        **settings,
    )
    graph_input: dict[str, Any] = {"goal": goal}
    if persona is not None:
        graph_input["persona"] = persona
    return graph.invoke(graph_input, context=context)


def user_texts(state: dict[str, Any]) -> list[str]:
    return [str(message.text) for message in state.get("messages", []) if message.type == "human"]


def assistant_texts(state: dict[str, Any]) -> list[str]:
    return [str(message.text) for message in state.get("messages", []) if message.type == "ai"]


def runtime_with(**settings: Any) -> SimpleNamespace:
    """A stand-in for LangGraph's ``Runtime``: nodes only read ``runtime.context``."""
    return SimpleNamespace(context=Context(**settings))

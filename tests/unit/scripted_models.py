"""Helpers shared by the unit tests: scripted models that play each role without any LLM.

The scripted models are plain Python callables (``fn(messages: list[dict]) -> str``), which the
graph accepts in place of a chat model. They recognise which prompt they are given from its text,
answer from a script, and record every call so that tests can assert on the call sequence.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from llm_roleplay.graphs.roleplay import graph
from llm_roleplay.nodes.context import Context
from llm_roleplay.prompts import load_prompt

GOAL = "Learn how to keep a sourdough starter alive and bake a first loaf of bread at home"
PERSONA_TEXT = (
    "A retired electrician from Leeds who types in short lowercase sentences and distrusts new technology."
)


def prompt_marker(name: str) -> str:
    """The first fixed line of a prompt file: enough to recognise which prompt a model was given."""
    template = load_prompt(name).template
    first = next(line.strip() for line in template.splitlines() if line.strip())
    return first.split("{", 1)[0].strip()


ASSESS_MARK = prompt_marker("inquirer_assess")
TASK_MARKS = {
    "open": prompt_marker("inquirer_open"),
    "next": prompt_marker("inquirer_next"),
    "reask": prompt_marker("inquirer_reask"),
    "answer": prompt_marker("inquirer_answer"),
    "follow_up": prompt_marker("inquirer_follow_up"),
}
PART_CHECK_MARK = "Check the assistant's replies strictly"
FINAL_CHECK_MARK = "Did the assistant's replies give the user everything this goal asks for"
PLAN_MARK = prompt_marker("goal_plan")
PERSONA_DESCRIPTION_MARK = prompt_marker("persona_description")
OWN_DETAILS_MARK = "Their situation has them measure something"

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
    """'assess' (did the last reply deliver the part?) or the message task: 'open', 'next',
    'reask', 'answer' or 'follow_up'. The task text is the end of the prompt: the first message
    (transcript form, maybe followed by a prefilled answer) or the last user-side message (the
    role-reversed form)."""
    texts = [str(message["content"]) for message in messages if message["role"] in ("user", "system")]
    text = texts[-1] if messages and messages[0]["role"] == "system" else texts[0]
    for task, mark in TASK_MARKS.items():  # first: the reask prompt quotes the assessment's line
        if mark in text:
            return task
    if ASSESS_MARK in text:
        return "assess"
    raise AssertionError(f"unrecognised inquirer prompt: {text[-200:]!r}")


class ScriptedInquirer:
    """Plays the inquirer: answers assessment calls (YES/NO) and message calls from two scripts.

    A script entry that is an exception instance is raised instead of returned. Running out of
    script raises AssertionError, which the graph records as an ``inquirer_error``.
    """

    def __init__(
        self, messages: Iterable[Any] = (), decisions: Iterable[Any] = (), details: str = ""
    ) -> None:
        self.messages = list(messages)
        self.decisions = list(decisions)
        self.details = details  # the list of results, for a goal that has the user measure something
        self.calls: list[str] = []
        self.prompts: list[list[dict[str, Any]]] = []

    def __call__(self, prompt: list[dict[str, Any]]) -> str:
        if OWN_DETAILS_MARK in str(prompt[0]["content"]):
            return self.details  # made with the persona: not one of the turn's calls
        task = inquirer_task(prompt)
        self.calls.append(task)
        self.prompts.append(prompt)
        queue = self.decisions if task == "assess" else self.messages
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
    """A judge that answers part checks and whole-goal checks from two scripts (each cycling its
    last entry) and records its prompts. Plans are not scripted: tests give ``goal_parts``."""

    def __init__(self, *parts: Any, final: Iterable[Any] = ("YES",)) -> None:
        self.parts = list(parts)
        self.finals = list(final)
        self.prompts: list[str] = []
        self.part_prompts: list[str] = []
        self.final_prompts: list[str] = []

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        text = str(messages[0]["content"])
        self.prompts.append(text)
        if PART_CHECK_MARK in text:
            self.part_prompts.append(text)
            script, count = self.parts, len(self.part_prompts)
        elif FINAL_CHECK_MARK in text:
            self.final_prompts.append(text)
            script, count = self.finals, len(self.final_prompts)
        else:
            raise AssertionError(f"the judge got an unexpected prompt: {text[:100]!r}")
        reply = script[min(count, len(script)) - 1]
        if isinstance(reply, BaseException):
            raise reply
        return str(reply)


def part_verdict(done: bool, evidence: str = "Here is part 1 of the answer") -> str:
    """A well-formed part check: a quoted sentence (by default from ``NumberedChatbot``) and YES/NO."""
    return f"Evidence: {evidence}\nDone: {'YES' if done else 'NO'}"


def run_roleplay(
    inquirer: Any,
    chatbot: Any = None,
    judge: Any = "none",
    *,
    goal: str = GOAL,
    persona: Any = PERSONA_TEXT,
    goal_parts: list[str] | str | None = "one",
    expected_outcome: str | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """Run the roleplay graph once with the given role models and settings; return the final state.

    Unless a test says otherwise: the goal is one part (``goal_parts=[goal]``, so no plan is asked
    for), the goal may be claimed after the first reply (``min_turns_before_stop=1``), the judge
    asks each question once (``judge_samples=1``), and the typing pass is off (``style="off"``), so
    that scripted messages arrive as written.
    """
    settings.setdefault("min_turns_before_stop", 1)
    settings.setdefault("judge_samples", 1)
    settings.setdefault("style", "off")
    context = Context(
        inquirer_model=inquirer,
        chatbot_model=chatbot if chatbot is not None else NumberedChatbot(),
        judge_model=judge,
        **settings,
    )
    graph_input: dict[str, Any] = {"goal": goal}
    if persona is not None:
        graph_input["persona"] = persona
    if expected_outcome:
        graph_input["expected_outcome"] = expected_outcome
    if goal_parts == "one":
        graph_input["goal_parts"] = [goal]
    elif goal_parts is not None:
        graph_input["goal_parts"] = goal_parts
    return graph.invoke(graph_input, context=context)


def user_texts(state: dict[str, Any]) -> list[str]:
    return [str(message.text) for message in state.get("messages", []) if message.type == "human"]


def assistant_texts(state: dict[str, Any]) -> list[str]:
    return [str(message.text) for message in state.get("messages", []) if message.type == "ai"]


def runtime_with(**settings: Any) -> SimpleNamespace:
    """A stand-in for LangGraph's ``Runtime``: nodes only read ``runtime.context``."""
    return SimpleNamespace(context=Context(**settings))

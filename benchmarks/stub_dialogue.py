"""One fixed dialogue shape for the benchmarks, played by a local OpenAI-compatible stub server.

Every role (inquirer, chatbot, judge) talks to ``tests/support/openai_stub``, whose replies come
from :func:`scripted_reply`. It recognises each prompt by its text (the fixed words before the
first placeholder of the prompt file, so rewording a prompt does not break it) and answers as a
well-behaved model would, so that every dialogue of :func:`bench_goal` runs the same way:

1. the judge plans the goal: its two sentences are the two parts;
2. the user opens with part 1; the chatbot answers; the user reads the reply as delivered (YES);
3. the user asks for part 2; the chatbot answers; the user reads it as not delivered (NO);
4. the user asks again; the chatbot answers; YES: every part is delivered, the user claims the goal;
5. the judge checks each part (quoting a sentence of the replies) and the whole goal: verified.

That is 3 user turns and 13 calls (1 plan, 3 readings, 3 messages, 3 replies, 3 judge checks).
:func:`check_shape` refuses a record that went any other way, so a change of prompts that the stub
no longer understands stops a benchmark instead of silently changing what it measures.
"""

from __future__ import annotations

import multiprocessing
import re
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from llm_roleplay.blocks.fake_judge import part_check_answer
from llm_roleplay.prompts import load_prompt
from tests.support.openai_stub import OpenAIStub, message_text

USER_TURNS = 3
CALLS_PER_DIALOGUE = 13


def prompt_marker(name: str) -> str:
    """The fixed words a prompt file starts with, up to its first placeholder."""
    first = next(line.strip() for line in load_prompt(name).template.splitlines() if line.strip())
    return first.split("{", 1)[0].strip()


# Checked in this order: a message task's text may contain a later marker (every one of them says
# "Write the person's next message", which is also how the follow-up task starts).
_TASKS = (
    "goal_plan",
    "judge_part_check",
    "judge_goal_final",
    "inquirer_assess",
    "inquirer_open",
    "inquirer_next",
    "inquirer_reask",
    "inquirer_answer",
    "inquirer_follow_up",
)
# The judge prompts start with the same line ("Below is a chat ..."): recognise them by their
# question, which follows the transcript.
_MARKERS = {
    "judge_part_check": "Check the assistant's replies strictly",
    "judge_goal_final": "Did the assistant's replies give the user everything",
}
_GOAL_IN_PLAN = re.compile(r'"""\s*(.*?)\s*"""', re.DOTALL)
_SENTENCE = re.compile(r"[^.!?]+[.!?]")
_TRIP = re.compile(r"trip number (\d+)")

MESSAGES = {
    "inquirer_open": "need a rough budget for my trip to the coast, 4 days, 2 people",
    "inquirer_next": "ok that works. what should go on the packing list",
    "inquirer_reask": "that list only has clothes, i also need toiletries and documents on it",
    "inquirer_answer": "we leave from the city by train, 2 adults",
    "inquirer_follow_up": "why is food the biggest cost there",
}


def bench_goal(index: int) -> str:
    """The goal of the ``index``-th benchmark dialogue: two requests, distinct per dialogue."""
    return (
        f"You want a rough budget for benchmark trip number {index} to the coast. "
        "Then you want a packing list for that trip."
    )


def task_of(text: str) -> str:
    """The prompt's task name; ``chatbot_reply`` for a plain conversation (the target's calls)."""
    for name in _TASKS:
        if (_MARKERS.get(name) or prompt_marker(name)) in text:
            return name
    return "chatbot_reply"


def scripted_reply(body: dict[str, Any]) -> str:
    """The stub server's answer to one chat completion request (see the module docstring)."""
    messages = body.get("messages") or []
    texts = [message_text(message.get("content")) for message in messages]
    asked = [
        text for text, message in zip(texts, messages, strict=True) if message.get("role") != "assistant"
    ]
    task = task_of("\n".join(asked))
    prompt = "\n".join(texts)
    if task == "goal_plan":
        goal = _GOAL_IN_PLAN.search(prompt)
        sentences = _SENTENCE.findall(goal.group(1) if goal else "")
        return "\n".join(f"- {sentence.strip()}" for sentence in sentences)
    if task == "judge_part_check":
        return part_check_answer(prompt)
    if task == "judge_goal_final":
        return "YES"
    if task == "inquirer_assess":  # the reading of the second reply is the one that says NO
        return "NO" if len(re.findall(r"^Person: ", prompt, re.MULTILINE)) == 2 else "YES"
    if task in MESSAGES:  # the answer is prefilled with an opening quotation: close it
        return MESSAGES[task] + '"'
    users = sum(1 for message in messages if message.get("role") == "user")
    trip = _TRIP.search(prompt)
    number = trip.group(1) if trip else 0
    if users == 1:  # each part gets a reply of its own, for the judge to quote
        return f"A rough budget for trip {number}: book the train early, keep 40 euros a day for food."
    return f"Step {users} for trip {number}, the packing list: light clothes, a rain jacket, {users} snacks."


def check_shape(record: dict[str, Any]) -> None:
    """Refuse a record that did not run the benchmark's dialogue shape."""
    turns = sum(1 for message in record["messages"] if message["role"] == "user")
    calls = sum(usage.get("calls", 0) for usage in record["usage"].values())
    shape = (record["termination_reason"], turns, calls, sum(record.get("regenerations", {}).values()))
    if shape != ("goal_verified", USER_TURNS, CALLS_PER_DIALOGUE, 0):
        raise AssertionError(
            f"benchmark dialogue {record['id']} went off its shape (ending, user turns, calls, "
            f"regenerations) = {shape}; expected ('goal_verified', {USER_TURNS}, {CALLS_PER_DIALOGUE}, 0): "
            "a prompt or a guard changed in a way benchmarks/stub_dialogue.py does not understand "
            f"(messages the guards stopped: {record.get('rejected') or 'none'})"
        )


class StubProcess:
    """The stub server playing :func:`scripted_reply`, in a process of its own.

    In the benchmark's own process its event loop would compete for the interpreter lock with the
    client side under test, which is what the benchmark measures; a process of its own keeps the
    server's cost out of the figures (on two cores, both sides still share the machine).
    """

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self._connection: Connection | None = None
        self._process: BaseProcess | None = None
        self.base_url = ""

    def __enter__(self) -> StubProcess:
        context = multiprocessing.get_context("spawn")  # no copy of the parent's threads or loops
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, self.delay_s), daemon=True)
        self._process.start()
        self.base_url = self._ask("base_url")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._ask("stop")
            self._process.join(10)

    def _ask(self, command: str) -> Any:
        assert self._connection is not None, "the stub process is not running"
        self._connection.send(command)
        return self._connection.recv()

    def stats(self) -> dict[str, int]:
        """``total_requests`` and ``max_in_flight`` since the last reset."""
        return dict(self._ask("stats"))

    def request_bodies(self) -> list[dict[str, Any]]:
        """Every chat completion request body received since the last reset, in order."""
        return list(self._ask("requests"))

    def reset(self) -> None:
        self._ask("reset")


def _serve(connection: Connection, delay_s: float) -> None:
    with OpenAIStub(reply=scripted_reply, delay_s=delay_s, log_limit=1_000_000) as stub:
        while True:
            command = connection.recv()
            if command == "base_url":
                connection.send(stub.base_url)
            elif command == "stats":
                connection.send({"total_requests": stub.total_requests, "max_in_flight": stub.max_in_flight})
            elif command == "requests":
                connection.send(stub.requests)
            elif command == "reset":
                stub.reset_stats()
                connection.send(None)
            else:  # stop
                connection.send(None)
                return

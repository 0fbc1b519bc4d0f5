"""A chatbot for ``python:tests.support.interruptible_bot:reply`` specs in CLI tests.

With ``ROLEPLAY_TEST_INTERRUPT_AT_TURN=N`` in the environment, it raises KeyboardInterrupt when
asked for its N-th reply, as Ctrl-C would; each reply is appended to the file named by
``ROLEPLAY_TEST_CALL_LOG`` so that a test can see which turns were (re)computed.
"""

from __future__ import annotations

import os
from typing import Any


def reply(messages: list[dict[str, Any]]) -> str:
    turn = sum(1 for message in messages if message["role"] == "user")
    if os.environ.get("ROLEPLAY_TEST_INTERRUPT_AT_TURN") == str(turn):
        raise KeyboardInterrupt
    log = os.environ.get("ROLEPLAY_TEST_CALL_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{turn}\n")
    # Quoting the question uses the goal's words, which the fake judge checks the replies for.
    return f"Reply number {turn} to “{messages[-1]['content']}”: here it is, step by step."

"""A chatbot for ``python:tests.support.interruptible_bot:reply`` specs in CLI tests.

With ``ROLEPLAY_TEST_INTERRUPT_AT_TURN=N`` in the environment, asked for its N-th reply it presses
Ctrl-C: it sends SIGINT to its own process, which Python raises as KeyboardInterrupt in the main
thread wherever that thread is (a model function runs in a worker thread), then fails the call
instead of answering. Each reply is appended to the file named by ``ROLEPLAY_TEST_CALL_LOG`` so that
a test can see which turns were (re)computed.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

INTERRUPT_GRACE_S = 2.0  # for the main thread to stop the run before this call fails


def reply(messages: list[dict[str, Any]]) -> str:
    turn = sum(1 for message in messages if message["role"] == "user")
    if os.environ.get("ROLEPLAY_TEST_INTERRUPT_AT_TURN") == str(turn):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(INTERRUPT_GRACE_S)
        raise RuntimeError("interrupted, and the run went on")
    log = os.environ.get("ROLEPLAY_TEST_CALL_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{turn}\n")
    # Quoting the question uses the goal's words, which the fake judge checks the replies for.
    return f"Reply number {turn} to “{messages[-1]['content']}”: here it is, step by step."

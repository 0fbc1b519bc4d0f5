"""The chat so far, as every prompt about one dialogue begins: the simulated user's and the judge's.

Both start with this text and put what is theirs after it (the user: who the person is and the
task; the judge: its question), so on one llama.cpp server the judge's goal check reuses the prompt
the user's last reading of the chat left in the cache instead of processing the whole transcript
again: in the demo's dialogue of 2026-11-29 the judge's part check processed 799 prompt tokens of
which none came from the cache, 36% of the dialogue's processed prompt tokens. The judge still
does not see the persona: its verdict must not depend on who asked.
"""

from __future__ import annotations

from collections.abc import Iterable

from llm_roleplay.nodes.rendering import transcript_text
from llm_roleplay.prompts import load_prompt

NOTHING_YET = "(nothing yet)"


def chat_so_far(turns: Iterable[tuple[bool, str]]) -> str:
    """The shared beginning, from ``(is_user, text)`` pairs: ``Person: ...`` / ``Chatbot: ...``
    paragraphs, the chatbot's replies as rendered."""
    transcript = transcript_text(turns, user="Person", assistant="Chatbot")
    return load_prompt("chat_so_far").render(transcript=transcript or NOTHING_YET)


def with_task(context: str, task: str) -> str:
    """A prompt of one message: the chat so far, then what this call asks."""
    return f"{context}\n\n{task}"

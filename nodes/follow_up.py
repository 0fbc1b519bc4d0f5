"""What a follow-up question asks about: one thing the chatbot's last reply names.

Told to ask "about something in the chatbot's last message that they want explained or checked",
the embedded user asked "is there a way to explain or check the quality of the walking tour
locations in France please?" (2026-11-28): the prompt's words, about nothing in particular. People
ask about one thing they were given ("what do you mean by 'add more batter'?", "is Gordes hilly?").
So the thing is picked here, from what the reply sets apart (bold text, list-item heads, names in
backticks, quoted phrases), seeded, and the prompt names it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

from llm_roleplay.nodes.checks import stem, words
from llm_roleplay.nodes.code_language import CODE_NAME, FENCE

MAX_SUBJECT_WORDS = 6
_BOLD = re.compile(r"\*\*([^*\n]{2,60}?)\*\*")
_LIST_HEAD = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+([^:\n*]{2,50}):", re.MULTILINE)
_QUOTED = re.compile(r"[\"“]([^\"“”\n]{3,40})[\"”]")
# Heads that organise a reply rather than name a thing in it.
_SCAFFOLDING = frozenset(
    {"ingredients", "instructions", "steps", "step", "note", "notes", "example", "examples", "summary"}
    | {"conclusion", "tips", "tip", "output", "explanation", "usage", "result", "results", "answer"}
)


def candidates(reply: str) -> list[str]:
    """The things the reply names, in order of appearance, each once (case aside)."""
    # Not the strings of its code: "black" of `color("black")` and the vowels' "AEIOU" made the
    # follow-ups "what does black mean to you?" and "is the letter 'A' special?" (run of 2026-11-28).
    prose = FENCE.sub(" ", reply)
    found: list[tuple[int, str]] = []
    for pattern in (_BOLD, _LIST_HEAD, CODE_NAME, _QUOTED):
        found += [(match.start(), match.group(1).strip(" :")) for match in pattern.finditer(prose)]
    chosen: dict[str, str] = {}
    for _, text in sorted(found):
        said = words(text)
        if not said or len(said) > MAX_SUBJECT_WORDS or said[0].isdigit():
            continue
        if all(word in _SCAFFOLDING or word.isdigit() for word in said):
            continue
        chosen.setdefault(" ".join(said), text)
    return list(chosen.values())


def follow_up_subject(reply: str, already_said: Iterable[str], seed: int) -> str | None:
    """One thing the reply names that the user has not named yet (``already_said``: their messages),
    drawn with ``seed``; None when the reply names nothing."""
    said = {stem(word) for text in already_said for word in words(text)}
    fresh = [text for text in candidates(reply) if not {stem(word) for word in words(text)} <= said]
    return random.Random(seed).choice(fresh) if fresh else None

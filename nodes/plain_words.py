"""Plain words for a request: the verbs people type to a chatbot, not the ones of a task sheet.

A goal plan's parts are instructions ("Ensure that these tours do not involve serious climbing",
"Analyze the relationship between ..."), and the small inquirer types them nearly as they stand
("ensure the function does not enter an infinite loop.", reading run of 2026-11-28). Real users
almost never open a request so: in the first 8,800 ShareGPT conversations, of 19,503 later user
messages under 60 words, under 0.1% start with "ensure", "determine", "identify", "analyze",
"evaluate", "utilize" or "allow" each (0.4% "provide"), where 1.5% start with "give me" and 5% with
"how". The same request in plain words reads as a person's: "make sure these tours do not involve
serious climbing", "how the amount of feed given relates to the chicken egg production rate".

Only the head of a request is reworded (the start of a text or sentence, or after "please" or
"can you"), so the words of the request itself, the goal's details, stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Where a request starts: the text or a sentence begins, optionally after "please" / "can you".
_HEAD = (
    r"(?P<head>(?:^|(?<=[.!?]\s)|(?<=\n))\s*(?:(?:also|then|and|now),?\s+)?"
    r"(?:please,?\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?)"
)


def _relation(match: re.Match[str]) -> str:
    """ "Analyze the relationship between A and B" -> "how A relates to B" (at the first "and")."""
    first, second = match.group("first").strip(), match.group("second").strip()
    return f"{match.group('head')}{_same_case('how', match.group('verb'))} {first} relates to {second}"


def _feasible(match: re.Match[str]) -> str:
    """ "Evaluate the feasibility of doing X" -> "whether doing X is possible"."""
    whether = _same_case("whether", match.group("verb"))
    return f"{match.group('head')}{whether} {match.group('what').strip()} is possible"


def _so_that(match: re.Match[str]) -> str:
    """ "Allow the user to insert a number" -> "make it so the user can insert a number" (shown "Let
    the user insert ...", the small model wrote "let's factorize a number", reading run of 2026-11-28)."""
    return f"{match.group('head')}{_same_case('make it so', match.group('verb'))} {match.group('who')} can"


_Replacement = Callable[[re.Match[str]], str]

# (pattern after the head, the plain verb or a function of the match), the longer phrase first.
_PLAIN: list[tuple[str, str | _Replacement]] = [
    (
        r"(?P<verb>analy[sz]e|examine|explore)\s+the\s+relationship\s+between\s+(?P<first>.+?)\s+and\s+"
        r"(?P<second>[^.!?\n]+)",
        _relation,
    ),
    (r"(?P<verb>evaluate|assess|determine)\s+the\s+feasibility\s+of\s+(?P<what>[^.!?\n]+)", _feasible),
    (r"(?P<verb>ensure|make certain)(?:\s+that)?\b", "make sure"),
    (r"(?P<verb>provide|give)\s+a\s+list\s+of\b", "list"),
    (r"(?P<verb>provide)\b", "give"),
    (r"(?P<verb>determine|evaluate|assess)\s+(?=whether\b|if\b)", "find out "),
    (r"(?P<verb>determine)\b", "find out"),
    (r"(?P<verb>identify)\b", "find"),
    (r"(?P<verb>analy[sz]e)\b", "look at"),
    (r"(?P<verb>evaluate|assess)\b", "check"),
    (r"(?P<verb>develop|implement|generate)\b", "write"),
    (r"(?P<verb>utili[sz]e)\b", "use"),
    (r"(?P<verb>allow)\s+(?P<who>the user|users?|me|them)\s+to\b", _so_that),
]
_COMPILED = [(re.compile(_HEAD + pattern, re.IGNORECASE), plain) for pattern, plain in _PLAIN]


def _same_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _with_verb(word: str) -> _Replacement:
    return lambda match: f"{match.group('head')}{_same_case(word, match.group('verb'))}"


def in_plain_words(text: str) -> str:
    """``text`` with each request's task-sheet verb in the words people use ("Ensure that X" ->
    "Make sure X"); the rest as it is."""
    for pattern, plain in _COMPILED:
        text = pattern.sub(plain if callable(plain) else _with_verb(plain), text)
    return text

"""Make a simulated and a real dialogue render identically, so that only the writing gives them away.

A judge must not be able to tell the source from *formatting*: curly quotes from one pipeline and
straight ones from the other, trailing spaces, Windows line ends, a leading ``User:`` label a model
copied from its prompt, a message wrapped in quotation marks, a greeting the real chatbot sent
before the user wrote anything. Every dialogue, whatever its source, goes through the same rules:

- text: Unicode NFC; curly quotes and primes -> ASCII quotes; the ellipsis character -> ``...``;
  non-breaking and other special spaces -> a space; zero-width characters dropped; CR/CRLF -> LF;
  trailing spaces of every line dropped; runs of spaces inside a line collapsed (not inside
  fenced code blocks, whose alignment is content); at most one blank line in a row;
- a leading role label (``User:``, ``**Assistant:**``, ``### Human:`` ...) and a dangling
  trailing one are removed; a message wholly wrapped in one pair of quotation marks is unwrapped;
- dialogue: empty messages dropped, consecutive messages of one side merged, messages before the
  first user message dropped, and a last user message that got no reply dropped.

Wording is never changed: dashes, emoji, spelling, capitalisation and punctuation stay, because
they are what the annotators judge.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["user", "assistant"]

_CHARACTERS = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark / typographic apostrophe
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",  # prime
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',  # double prime
        "\u2026": "...",
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space
        "\u2007": " ",  # figure space
        "\u2009": " ",  # thin space
        "\u200a": " ",  # hair space
        "\u3000": " ",  # ideographic space
        "\u200b": None,  # zero-width space
        "\u2060": None,  # word joiner
        "\ufeff": None,  # byte order mark / zero-width no-break space
        "\t": "    ",
    }
)
_ROLE_WORDS = (
    r"user|human|me|you|the user|assistant|ai|ai assistant|chatbot|bot|gpt|chatgpt|model|system|"
    r"customer|person"
)
# "User:", "**User:**", "**User**:", "### Assistant:", "> Human:" at the very start of a message.
_LEADING_LABEL = re.compile(
    rf"^(?:#{{1,6}}\s*|>\s*)?(?:\*\*|__)?(?:{_ROLE_WORDS})(?:\*\*|__)?\s*:(?:\*\*|__)?[ \t]*\n?",
    re.IGNORECASE,
)
# A label alone on the last line: the start of a turn the writer did not write.
_TRAILING_LABEL = re.compile(
    rf"\n\s*(?:#{{1,6}}\s*)?(?:\*\*|__)?(?:{_ROLE_WORDS})(?:\*\*|__)?\s*:(?:\*\*|__)?\s*$", re.IGNORECASE
)
_INNER_SPACES = re.compile(r"(?<=\S) {2,}")
_BLANK_LINES = re.compile(r"\n{3,}")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Message:
    role: Role
    content: str

    def to_json(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


def normalise_text(text: str) -> str:
    """One message's text with the formatting quirks of its source removed (module docstring)."""
    text = unicodedata.normalize("NFC", text).translate(_CHARACTERS)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines, in_code = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            lines.append(line.rstrip())
        elif in_code:
            lines.append(line.rstrip())
        else:
            lines.append(_INNER_SPACES.sub(" ", line.rstrip()))
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    for _ in range(2):  # a label inside quotes, or quotes inside a label: "User: "...""
        text = _LEADING_LABEL.sub("", text).strip()
        text = _TRAILING_LABEL.sub("", text).strip()
        text = _unwrap_quotes(text)
    return text


def _unwrap_quotes(text: str) -> str:
    """``"whole message"`` -> ``whole message``; a message that merely quotes something is kept."""
    for mark in ('"', "'"):
        if len(text) >= 2 and text[0] == mark and text[-1] == mark and mark not in text[1:-1]:
            return text[1:-1].strip()
    return text


def normalise_dialogue(messages: Iterable[tuple[str, str]]) -> list[Message]:
    """``(role, text)`` pairs (role ``user`` or ``assistant``) as the blinded dialogue shows them."""
    merged: list[Message] = []
    for role, raw in messages:
        if role not in ("user", "assistant"):
            raise ValueError(f"unknown role {role!r}")
        text = normalise_text(raw)
        if not text:
            continue
        if not merged and role != "user":
            continue  # a greeting before the user's first message: only some sources have one
        side: Role = "user" if role == "user" else "assistant"
        if merged and merged[-1].role == side:
            merged[-1] = Message(side, merged[-1].content + "\n\n" + text)
        else:
            merged.append(Message(side, text))
    if merged and merged[-1].role == "user":
        merged.pop()  # a question without its answer: only some sources end this way
    return merged


def user_turns(messages: Iterable[Message]) -> int:
    return sum(1 for message in messages if message.role == "user")


def transcript(messages: Iterable[Mapping[str, Any]]) -> str:
    """``User: ...`` / ``Assistant: ...`` paragraphs: the spreadsheet form of a blinded dialogue.

    Every cell of items.csv therefore starts with ``User:``, never with ``=``, ``+``, ``-`` or
    ``@``: untrusted text cannot become a spreadsheet formula.
    """
    return "\n\n".join(
        f"{'User' if message['role'] == 'user' else 'Assistant'}: {message['content']}"
        for message in messages
    )

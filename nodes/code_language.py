"""Which programming language a reply's code is in, and which ones the user asked for.

A person who asked for JavaScript sees at a glance that the code they got is Python, and says so.
The embedded user did not: in a run of 2026-11-28 it took the chatbot's Python for the JavaScript
goal without a word, and a small judge says YES to code in any language. A reply whose code blocks
are all in general-purpose languages the user never named has not delivered the part.

Only what is plain counts: a code fence's language tag, else a signature no other language shares
("def name(...):", "console.log("). Data and markup blocks (JSON, shell, HTML, SQL, ...) say
nothing either way, so a Python script with a shell command beside it is still Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# canonical name -> the fence tags that mean it
_FENCE_TAGS: dict[str, frozenset[str]] = {
    "JavaScript": frozenset({"javascript", "js", "jsx", "node", "nodejs", "mjs"}),
    "TypeScript": frozenset({"typescript", "ts", "tsx"}),
    "Python": frozenset({"python", "python3", "py"}),
    "Java": frozenset({"java"}),
    "C++": frozenset({"c++", "cpp", "cc", "cxx"}),
    "C#": frozenset({"c#", "cs", "csharp"}),
    "Ruby": frozenset({"ruby", "rb"}),
    "Go": frozenset({"go", "golang"}),
    "Rust": frozenset({"rust", "rs"}),
    "PHP": frozenset({"php"}),
    "Kotlin": frozenset({"kotlin", "kt"}),
    "Swift": frozenset({"swift"}),
}
_BY_TAG = {tag: name for name, tags in _FENCE_TAGS.items() for tag in tags}

# How a user or a goal names a language. Words that are also plain English ("go", "rust", "ruby",
# "swift") count only capitalised and, for Go, beside a programming word.
_NAMES: dict[str, re.Pattern[str]] = {
    "JavaScript": re.compile(r"\bjava\s?script\b|\bnode\.?js\b", re.IGNORECASE),
    "TypeScript": re.compile(r"\btypescript\b", re.IGNORECASE),
    "Python": re.compile(r"\bpython\d?\b", re.IGNORECASE),
    "Java": re.compile(r"\bjava\b(?!\s?script)", re.IGNORECASE),
    "C++": re.compile(r"\bc\+\+|\bcpp\b", re.IGNORECASE),
    "C#": re.compile(r"\bc#|\bcsharp\b", re.IGNORECASE),
    "Ruby": re.compile(r"\bRuby\b"),
    "Go": re.compile(r"\bgolang\b|\bGo\s+(?:code|program|function|language|script)", re.IGNORECASE),
    "Rust": re.compile(r"\bRust\b"),
    "PHP": re.compile(r"\bphp\b", re.IGNORECASE),
    "Kotlin": re.compile(r"\bkotlin\b", re.IGNORECASE),
    "Swift": re.compile(r"\bSwift\b"),
}

# A name in backticks, as replies and judges write them: `countVowels`, `countVowels()`, `axios.get`.
CODE_NAME = re.compile(r"`([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?:\(\))?`")

# A fenced code block whole, an unclosed one to the end of the text.
FENCE = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_FENCED = re.compile(r"```[ \t]*([^\s`]*)[^\n]*\n(.*?)(?:```|$)", re.DOTALL)
# Signatures of untagged blocks: each is one language's alone.
_SIGNATURES: dict[str, re.Pattern[str]] = {
    "Python": re.compile(
        r"^\s*(?:def\s+\w+\s*\(.*\)\s*(?:->\s*[^:]+)?:|from\s+[\w.]+\s+import\s|print\()", re.M
    ),
    "JavaScript": re.compile(r"\bconsole\.log\(|\bfunction\s+\w+\s*\(|^\s*(?:const|let)\s+\w+\s*=", re.M),
}


def named_languages(texts: Iterable[str]) -> set[str]:
    """The programming languages the ``texts`` (the goal, its parts, the user's messages) name."""
    return {name for text in texts for name, pattern in _NAMES.items() if pattern.search(text)}


def code_blocks(reply: str) -> list[tuple[str, str]]:
    """The reply's fenced code blocks: (language tag, lowercased; the code)."""
    return [(tag.lower(), body) for tag, body in _FENCED.findall(reply)]


def code_languages(reply: str) -> set[str]:
    """The general-purpose languages of the reply's fenced code blocks (by tag, else signature)."""
    found: set[str] = set()
    for tag, body in code_blocks(reply):
        if tag:
            if tag in _BY_TAG:
                found.add(_BY_TAG[tag])
            continue  # a data, markup or shell block
        matches = [name for name, pattern in _SIGNATURES.items() if pattern.search(body)]
        if len(matches) == 1:
            found.add(matches[0])
    return found


def wrong_language(reply: str, wanted: set[str]) -> str | None:
    """ "its code is in Python, not JavaScript" when the reply's code is in none of ``wanted``."""
    written = code_languages(reply)
    if not wanted or not written or written & wanted:
        return None
    return f"its code is in {' and '.join(sorted(written))}, not {' or '.join(sorted(wanted))}"

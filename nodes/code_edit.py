"""A change to code asked for, and the same code again.

"Replace the 10th line ... with the value 73" was answered by the embedded chatbot with "Here is the
modified code with the value 73 for the 10th line:" and its earlier code, not one line changed but
for a tail it cut off elsewhere; the text around it differed enough that the copy check of whole
replies (90% in one run) missed it, and the user took it as done (P(yes) 0.56, reading run of
2026-11-29). A person looks for the changed line; here every line of the new code is a line of the
old one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_CODE_BLOCK = re.compile(r"```[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_CHANGE = re.compile(
    r"\b(?:change|replace|substitute|modify|edit|update|fix|rewrite|refactor|make|add|remove|rename)\b",
    re.IGNORECASE,
)
MIN_LINES = 3
SAME_CODE = "the code is the same as before"


def _code_lines(reply: str) -> set[str]:
    """The lines of the reply's code blocks; a block cut off mid-line loses that line."""
    lines: set[str] = set()
    for block in _CODE_BLOCK.finditer(reply):
        text = block.group(1)
        kept = text.splitlines()
        if not block.group(0).rstrip().endswith("```") and kept:
            kept = kept[:-1]  # the reply ran out of tokens in this line
        # as written: indentation and trailing spaces (markdown line breaks) are changes too
        lines |= {line.rstrip("\r") for line in kept if line.strip()}
    return lines


def same_code_again(part: str, answer: str, earlier: Sequence[str]) -> str | None:
    """``SAME_CODE`` when ``part`` asks for a change and every line of the answer's code is a line
    of an earlier reply's code; else None. The part need not say "code" ("Substitute the 10th line
    ... with the value 73"): code in the answer and in an earlier reply says what is changed."""
    if not _CHANGE.search(part):
        return None
    new = _code_lines(answer)
    if len(new) < MIN_LINES:
        return None
    return SAME_CODE if any(new <= _code_lines(before) for before in earlier) else None

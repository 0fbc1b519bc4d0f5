"""A change to code asked for, and the same code again, or the asked line left as it was.

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

from llm_roleplay.nodes.code_language import code_blocks

_CHANGE = re.compile(
    r"\b(?:change|replace|substitute|modify|edit|update|fix|rewrite|refactor|make|add|remove|rename)\b",
    re.IGNORECASE,
)
MIN_LINES = 3
SAME_CODE = "the code is the same as before"


def _code_lines(reply: str) -> set[str]:
    """The lines of the reply's code blocks; a block cut off mid-line loses that line (an odd number
    of fences: the reply's token limit ended the last block; the 1.5B chatbot's code often runs to
    it)."""
    blocks = [body.splitlines() for _, body in code_blocks(reply)]
    if blocks and reply.count("```") % 2:
        blocks[-1] = blocks[-1][:-1]
    # as written: indentation and trailing spaces (markdown line breaks) are changes too
    return {line.rstrip("\r") for block in blocks for line in block if line.strip()}


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


# "replace the number(s) on the 10th line of the code with 73", "substitute line 10 ... with 73"
_LINE_ASKED = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\s+line\b|\bline\s+(\d{1,3})\b", re.IGNORECASE)
_NEW_VALUE = re.compile(r"\bwith\s+(?:the\s+)?(?:value\s+|number\s+)?(-?\d+(?:\.\d+)?)\b", re.IGNORECASE)
_NUMBER_IN_CODE = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")


def _longest_block(reply: str) -> list[str]:
    blocks = [body.splitlines() for _, body in code_blocks(reply)]
    return max(blocks, key=len, default=[])


def line_not_replaced(part: str, answer: str, earlier: Sequence[str]) -> str | None:
    """What a reader sees on the line the part asks to change, counted in the earlier code and in
    the answer's ("line 10 is unchanged", "line 10 still has -10"), or None. The labelled set's
    unicorn endings: "I've updated the 10th line" with line 10 as it was (the edit made on line 11),
    and "t.goto(-60, -10)" made "t.goto(73, -10)" where the numbers of the line were to be 73.
    Read only where both codes reach the line and the old line has numbers to replace."""
    line_asked, value = _LINE_ASKED.search(part), _NEW_VALUE.search(part)
    if not line_asked or not value or not _CHANGE.search(part):
        return None
    number = int(line_asked.group(1) or line_asked.group(2))
    old = next((block for reply in reversed(earlier) if len(block := _longest_block(reply)) >= number), None)
    new = _longest_block(answer)
    if old is None or len(new) < number or not _NUMBER_IN_CODE.search(old[number - 1]):
        return None
    before, after = old[number - 1].strip(), new[number - 1].strip()
    if after == before:
        return f"line {number} is unchanged ({before})"
    wanted = float(value.group(1))
    left = [found for found in _NUMBER_IN_CODE.findall(after) if float(found) != wanted]
    if not _NUMBER_IN_CODE.findall(after) or left:
        return f"line {number} still has {left[0]}" if left else f"line {number} has no {value.group(1)}"
    return None

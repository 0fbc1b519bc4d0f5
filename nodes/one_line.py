"""A "one-liner" of several lines.

"write a funnier version that's just one line" answered under the heading "**Funny one-liner**"
with four lines and two jokes: the embedded judge verified it (the labelled set's gl-099), though a
person sees at a glance that it is not one line.

Only a part that asks for one line is read ("a one-liner", "in one line", "a one-line version",
"a single line"; not "one line at a time", "a regular (non one-line) script" or "the 10th line"),
and only a piece the reader can point at: the paragraph under a heading that names the one-liner.
A list under it is several one-liners to choose from ("Here are some shorter one-liner options:").
Code is left to the judge: a one-line statement comes with the lines that declare what it uses (of
19 real requests for one line, ShareGPT's first 8,800 conversations, the five answered with a code
block of several lines were mostly so), and a reply that is all prose has sentences around the one
line ("Here's a shorter one:") that are not the piece. On the 18 of them that ask for one line
(one asks for a script that is not) this reads none as failed; on the labelled set it finds gl-099,
and no met ending.
"""

from __future__ import annotations

import re

_NOT = r"(?<!non )(?<!non-)(?<!not )"
_ASKS_ONE_LINE = re.compile(
    rf"{_NOT}\bone[- ]?liners?\b"
    rf"|{_NOT}\b(?:one|a single|1)[- ]line\b(?!\s+(?:at a time|each|per|for each))"
    r"|\bin (?:one|a single) line\b",
    re.IGNORECASE,
)
# "**Funny one-liner**", "## One-line version", "Shorter (one line):"
_ONE_LINE_HEADING = re.compile(
    r"^\s*(?:#+\s*|\*\*|__)?[^\n]{0,40}\b(?:one[- ]?liner|one[- ]line|single[- ]line)\b[^\n]{0,30}"
    r"(?:\*\*|__|:)\s*$",
    re.IGNORECASE | re.MULTILINE,
)


_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s")


def _piece(reply: str) -> list[str]:
    """The lines of the one-liner under the reply's heading that names it; [] when there is no
    such heading, or code or a list follows it."""
    heading = _ONE_LINE_HEADING.search(reply)
    if not heading:
        return []
    paragraph = re.split(r"\n\s*\n", reply[heading.end() :].strip("\n"), maxsplit=1)[0]
    lines = [line for line in paragraph.splitlines() if line.strip()]
    if any(line.lstrip().startswith("```") or _LIST_ITEM.match(line) for line in lines):
        return []
    return lines


def not_one_line(part: str, reply: str) -> str | None:
    """The part asks for one line and the piece the reply gives for it has more, or None."""
    if not _ASKS_ONE_LINE.search(part):
        return None
    lines = _piece(reply)
    if len(lines) > 1:
        return f"the one-liner is {len(lines)} lines"
    return None

"""A poem of the wrong shape: verses and lines counted against what was asked, a verse twice.

"Make sure the poem has 4 parts (quatrains) each with 4 lines, 16 lines in total": the embedded
chatbot answered with six verses (24 lines), the last three the first three again, and the user's
reading took it as delivered (P(yes) 0.75), then complained that "the current version only has 2
quatrains" (reading run of 2026-11-29). A person counts the verses of a short poem at a glance and
sees a verse come round again. Counting needs no model: a verse is a run of short lines between
blank lines, and a poem the verses that follow each other with nothing but blank lines between
(an introduction, a heading or a closing remark ends it).
"""

from __future__ import annotations

import re

from llm_roleplay.nodes.checks import NUMBER_WORDS
from llm_roleplay.nodes.written_piece import asked_piece

VERSE_LINE_WORDS = 14  # a longer line is prose around the poem
_HEADING = re.compile(r"^\s*(?:#+\s.*|\*\*[^*]+\*\*:?|__[^_]+__)\s*$")
_COUNT = r"(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
_VERSES_ASKED = re.compile(rf"\b{_COUNT}\s+(?:parts|quatrains|stanzas|verses)\b", re.IGNORECASE)
# "each with 4 lines", "each stanza there should be four lines", "4 lines each"
_LINES_EACH = re.compile(
    rf"\b(?:each|every)\b[^.?!]{{0,30}}?\b{_COUNT}\s+lines\b|\b{_COUNT}\s+lines\s+each\b", re.IGNORECASE
)
# "16 lines in total", "four quatrains (16 lines)"
_LINES_IN_ALL = re.compile(
    rf"\b{_COUNT}\s+lines\s*(?:in total|total|in all|altogether)\b|\(\s*{_COUNT}\s+lines\s*\)", re.IGNORECASE
)
_QUATRAIN = re.compile(r"\bquatrains?\b", re.IGNORECASE)
_POEM_WORD = re.compile(
    r"\b(?:poem|poems|quatrains?|stanzas?|verses?|haiku|sonnet|limerick)\b", re.IGNORECASE
)


def _value(count: str) -> int:
    return int(count) if count.isdigit() else NUMBER_WORDS[count.lower()]


def _is_verse_line(line: str) -> bool:
    stripped = line.strip()
    return (
        0 < len(stripped.split()) <= VERSE_LINE_WORDS
        and not stripped.endswith(":")
        and not _HEADING.match(stripped)
        and not stripped.startswith("```")
    )


def first_poem(answer: str) -> list[list[str]]:
    """The verses of the first poem in ``answer`` (each a list of its lines); [] if there is none.
    A run of one verse of fewer than three lines is a remark, not a poem, and so is a line of its
    own before or after the verses ("Sure! Here is a poem about cats", "Hope you like it!")."""
    poem = _first_run_of_verses(answer)
    while poem and len(poem[0]) == 1:
        poem = poem[1:]
    while poem and len(poem[-1]) == 1:
        poem = poem[:-1]
    return poem


def _first_run_of_verses(answer: str) -> list[list[str]]:
    poem: list[list[str]] = []
    verse: list[str] = []
    for line in [*answer.splitlines(), ""]:
        if _is_verse_line(line):
            verse.append(line.strip())
            continue
        if verse:
            poem.append(verse)
            verse = []
        if line.strip() and poem:  # prose or a heading after verses: the poem is over
            if len(poem) > 1 or len(poem[0]) >= 3:
                return poem
            poem = []
    return poem if len(poem) > 1 or (poem and len(poem[0]) >= 3) else []


def _fold(line: str) -> str:
    return " ".join(re.findall(r"[a-z']+", line.lower()))


def _verse_again(poem: list[list[str]], counted: bool) -> str | None:
    """A verse that comes round again, when it is no refrain: the poem's verses are counted in the
    part, or more than one verse comes round (a copy of the poem after itself, [1, 2, 3, 1, 2, 3]).
    One verse coming round is a refrain ("The woods are lovely, dark and deep" three times in a
    ShareGPT reply), and so are the labelled "(Chorus)" lines."""
    folded = [tuple(_fold(line) for line in verse) for verse in poem]
    again = [index for index, verse in enumerate(folded) if len(verse) >= 2 and verse in folded[:index]]
    if not again or not (counted or len({folded[index] for index in again}) > 1):
        return None
    first = again[0]
    return f"verse {first + 1} is verse {folded.index(folded[first]) + 1} again"


def wrong_poem_shape(part: str, answer: str) -> str | None:
    """What a reader counts wrong in the poem answering ``part``: a verse that comes round again
    ("verse 4 is verse 1 again"), fewer or more verses or lines than the part asks ("it has 6
    verses, not 4"), or None."""
    if asked_piece(part) != "poem" and not _POEM_WORD.search(part):
        return None  # "the five parts of the book" are no verses
    poem = first_poem(answer)
    if not poem:
        return None
    counted = bool(_VERSES_ASKED.search(part) or _LINES_IN_ALL.search(part))
    if again := _verse_again(poem, counted):
        return again
    if asked := _VERSES_ASKED.search(part):
        wanted = _value(asked.group(1))
        if len(poem) != wanted and len(poem) > 1:  # one block of lines may be prose cut short
            return f"it has {len(poem)} verses, not {wanted}"
    each = _LINES_EACH.search(part)
    per_verse = _value(next(group for group in each.groups() if group)) if each else None
    if per_verse is None and _QUATRAIN.search(part):
        per_verse = 4
    if per_verse is not None:
        for index, verse in enumerate(poem, start=1):
            if len(verse) != per_verse:
                return f"verse {index} has {len(verse)} lines, not {per_verse}"
    lines = sum(len(verse) for verse in poem)
    for match in _LINES_IN_ALL.finditer(part):
        wanted = _value(next(group for group in match.groups() if group))
        if wanted != per_verse and lines != wanted:
            return f"it has {lines} lines, not {wanted}"
    return None


def poem_shape_met(part: str, answer: str) -> bool:
    """``part`` asks for a poem's shape (its verses or lines counted) and the poem in ``answer`` has
    it: the chatbot's first poem about cats had four quatrains, and the user, asked it "with 4 parts
    (quatrains) each with 4 lines" the next turn, three times over (grid run of the evening of
    2026-11-29); a person who counts them moves on."""
    shaped = _VERSES_ASKED.search(part) or _LINES_EACH.search(part) or _LINES_IN_ALL.search(part)
    return bool(shaped) and bool(first_poem(answer)) and wrong_poem_shape(part, answer) is None

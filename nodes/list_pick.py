"""The n-th thing of a list asked about, and an answer about another one.

"Pick the 3rd in that list and find out who established it": the chatbot's own list had Aleppo 3rd
and Damascus 4th, and its answer was all about Damascus (the labelled set's off-target ending); the
1.5B chatbot does the same with its own lists. A reader who has the list above sees at once that
the answer is about the wrong city; a judge asked "who founded the 3rd city?" reads a founder and
says yes.

The list is the latest numbered list of an earlier reply that reaches the n-th item; the answer is
about another item when it names one of the list's other items and not the n-th at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_ORDINAL_WORDS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)
# "the 3rd city", "3rd one", "the third"; a bare "first" is an adverb ("first, list the cities")
_PICKED = re.compile(
    r"\b(?P<number>\d{1,2})(?:st|nd|rd|th)\b|\bthe\s+(?P<word>" + "|".join(_ORDINAL_WORDS) + r")\b",
    re.IGNORECASE,
)
# "3. **Aleppo**, Syria: c. 4300 BC" -> 3, "Aleppo"
_ITEM = re.compile(
    r"^\s*(?:\*\*)?(\d{1,2})[.)]\s+\**([^,:;(\n*–—-]{2,60}?)\**\s*(?:[,:;(–—-]|\s-\s|$)", re.MULTILINE
)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def picked_item(part: str) -> int | None:
    """Which item of a list ``part`` asks about (3 for "the 3rd city"), or None."""
    match = _PICKED.search(part)
    if not match:
        return None
    if match.group("number"):
        return int(match.group("number"))
    return _ORDINAL_WORDS.index(match.group("word").lower()) + 1


def numbered_items(reply: str) -> dict[int, str]:
    """The names of a reply's numbered items, by number (the first list's, where numbers repeat)."""
    items: dict[int, str] = {}
    for match in _ITEM.finditer(reply):
        items.setdefault(int(match.group(1)), _LEADING_ARTICLE.sub("", match.group(2).strip()))
    return items


def _names(text: str, name: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None


def answers_another_item(part: str, answer: str, earlier: Sequence[str]) -> str | None:
    """What a reader sees when ``answer`` is about another item than the one ``part`` picks from
    the list of an ``earlier`` reply ("it is about Damascus, not the 3rd (Aleppo)"), or None."""
    wanted = picked_item(part)
    if wanted is None:
        return None
    items = next((found for reply in reversed(earlier) if wanted in (found := numbered_items(reply))), None)
    if items is None or _names(answer, items[wanted]):
        return None
    # an answer that is itself a new list is a list, not an answer about one item
    if len(numbered_items(answer)) >= wanted:
        return None
    other = next((name for number, name in items.items() if number != wanted and _names(answer, name)), None)
    return f"it is about {other}, not the {_ordinal(wanted)} one ({items[wanted]})" if other else None


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"

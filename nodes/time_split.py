"""How a message splits its time between activities: "one-third of the time running and two-thirds
walking" -> {("1/3", "running"), ("2/3", "walking")}.

The paper's skipping goal asks for one split and then "the other way around". Asked for the
other way, the embedded user typed the first split again ("... if I spend one-third of the time
running and two-thirds of the time walking"), in the words the two parts share, and it passed as
the next part (grid run of the evening of 2026-11-29). Comparing the splits tells the two apart.
"""

from __future__ import annotations

import re

_FRACTIONS = {
    "one-third": "1/3", "one third": "1/3", "a third": "1/3", "1/3": "1/3",
    "two-thirds": "2/3", "two thirds": "2/3", "2/3": "2/3",
    "half": "1/2", "one-half": "1/2", "one half": "1/2", "1/2": "1/2",
    "one-quarter": "1/4", "one quarter": "1/4", "a quarter": "1/4", "1/4": "1/4",
    "three-quarters": "3/4", "three quarters": "3/4", "3/4": "3/4",
}  # fmt: skip
_NAMES = "|".join(re.escape(name) for name in sorted(_FRACTIONS, key=len, reverse=True))
_SHARE = re.compile(
    rf"\b({_NAMES})"
    r"\s+(?:(?:of\s+)?(?:the|my|that)\s+(?:time|hours?)\s+)?(?:(?:for|on|is\s+spent|spent|spend|doing)\s+)?"
    r"([a-z]+ing)\b",
    re.IGNORECASE,
)


# The goal's own "one-third of the time and two-thirds of the time running and walking, respectively"
_RESPECTIVELY = re.compile(
    rf"\b({_NAMES})\s+(?:of\s+the\s+time\s+)?and\s+({_NAMES})\s+(?:of\s+the\s+time\s+)?"
    r"([a-z]+ing)\s+and\s+([a-z]+ing),?\s+respectively\b",
    re.IGNORECASE,
)


def time_split(text: str) -> frozenset[tuple[str, str]]:
    """The (share, activity) pairs the text states; empty when it states none this reads."""
    if paired := _RESPECTIVELY.search(text):
        first, second, one, other = paired.groups()
        return frozenset(
            {(_FRACTIONS[first.lower()], one.lower()), (_FRACTIONS[second.lower()], other.lower())}
        )
    return frozenset(
        (_FRACTIONS[share.lower()], activity.lower()) for share, activity in _SHARE.findall(text)
    )


def states_an_earlier_split(message: str, part: str, earlier_parts: list[str]) -> bool:
    """The message states the split of an earlier part where ``part`` asks for another one."""
    mine, wanted = time_split(message), time_split(part)
    return (
        bool(mine and wanted) and mine != wanted and any(mine == time_split(other) for other in earlier_parts)
    )


def states_another_split(message: str, parts: list[str]) -> bool:
    """The message states a split of time that none of the goal's ``parts`` has ("half the time
    running and two-thirds walking", from a user whose goal splits it in thirds: grid run of the
    night of 2026-11-29). Only when every share the message names is read and some part has one."""
    mine = time_split(message)
    splits = [split for split in map(time_split, parts) if split]
    return bool(mine and splits) and not any(mine <= split for split in splits)

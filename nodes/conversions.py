"""Unit conversions a reply gets wrong: "1 minute and 30 seconds (which is 70 seconds)".

A chatbot that converts a time or a length on the way to a result writes the two forms side by
side; when they differ, everything after is wrong too. The embedded user took exactly that as a
delivered speed (P(yes) 0.63, reading run of 2026-11-28), where a person checks it in their head.
An equation checker does not see it (there is no operator), so the two forms are compared here.

Only exact conversions count (time: hours, minutes, seconds; length: kilometres, metres,
centimetres), and only where the second form plainly restates the first: in brackets ("(which is
90 seconds)", "(90 seconds)") or after "=", "which is", "that is", "i.e.", "equals", and closing
the clause. "30 minutes, which is 10 minutes longer" compares nothing; neither does "5 km or 10 km",
nor the end of a sum ("2 × 5 cm = 31.4 cm").
"""

from __future__ import annotations

import re

from llm_roleplay.nodes.checks import NUMBER, number_value

# unit word -> (dimension, size in the dimension's base unit)
_UNITS: dict[str, tuple[str, float]] = {}
for _names, _unit in (
    (("hours", "hour", "hrs", "hr", "h"), ("time", 3600.0)),
    (("minutes", "minute", "mins", "min"), ("time", 60.0)),
    (("seconds", "second", "secs", "sec", "s"), ("time", 1.0)),
    (("kilometers", "kilometer", "kilometres", "kilometre", "km"), ("length", 1000.0)),
    (("meters", "meter", "metres", "metre", "m"), ("length", 1.0)),
    (("centimeters", "centimeter", "centimetres", "centimetre", "cm"), ("length", 0.01)),
):
    _UNITS.update(dict.fromkeys(_names, _unit))

_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
# "1 minute and 30 seconds", "2 h 15 min", "1,000 meters"; not "100-meter" (an adjective).
_AMOUNT = rf"{NUMBER}\s?(?:{_UNIT})\b"
_QUANTITY = rf"{_AMOUNT}(?:(?:\s*,\s*|\s+and\s+|\s+){_AMOUNT})*"
_IN_BRACKETS = r"(?:which is|that is|that's|i\.e\.,?|or|=|equals?|in total)"
_RESTATED = re.compile(
    rf"(?<![\w.-])(?P<first>{_QUANTITY})"
    rf"(?:\s*\(\s*(?:{_IN_BRACKETS}\s*)?(?P<bracketed>{_QUANTITY})\s*\)"
    rf"|\s*(?:,\s*)?(?:=|which is|that is|that's|i\.e\.,?|equals|is equal to)\s*(?P<plain>{_QUANTITY})"
    rf"(?=\s*(?:[.,;:!?)]|$|\n)))",
    re.IGNORECASE,
)
_PIECE = re.compile(rf"({NUMBER})\s?({_UNIT})\b", re.IGNORECASE)
RELATIVE_TOLERANCE = 0.01
# "2 × 5 cm = 31.4 cm" is arithmetic, not a restatement of "5 cm": the checker of equations reads it.
_AFTER_OPERATOR = re.compile(r"(?:[+\-−–×*/÷^]|\b(?:x|times|by|of|per|plus|minus))\s*$", re.IGNORECASE)


def _measure(quantity: str) -> tuple[str, float, float] | None:
    """(dimension, value in base units, half the last shown unit) of a quantity; None if it mixes
    dimensions."""
    dimensions, total, precision = set(), 0.0, 0.0
    for number, unit in _PIECE.findall(quantity):
        dimension, size = _UNITS[unit.lower()]
        dimensions.add(dimension)
        decimals = len(number.rsplit(".", 1)[1]) if "." in number else 0
        total += number_value(number) * size
        precision = 0.5 * 10**-decimals * size
    if len(dimensions) != 1:
        return None
    return dimensions.pop(), total, precision


def false_conversions(text: str) -> list[str]:
    """The restated quantities of ``text`` whose two forms differ ("1 minute and 30 seconds (which
    is 70 seconds)")."""
    wrong = []
    for match in _RESTATED.finditer(text):
        if _AFTER_OPERATOR.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        first = _measure(match.group("first"))
        second = _measure(match.group("bracketed") or match.group("plain"))
        if first is None or second is None or first[0] != second[0]:
            continue
        allowed = max(first[2], second[2]) + RELATIVE_TOLERANCE * abs(second[1])
        if abs(first[1] - second[1]) > allowed:
            wrong.append(match.group(0).strip())
    return wrong

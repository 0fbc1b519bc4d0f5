"""A recipe scaled by a factor, and an amount that was not: "200 ml coconut milk" tripled to 500 ml.

The labelled set's curry for 2, "scaled to 6 (triple everything)", has 500 ml of coconut milk where
the 2-person recipe had 200 ml, and every other line right; a small judge verifies it. A person who
asked for three times the recipe checks the amounts against the old list.

The factor is the one the answer states ("× 3", "triple everything", "double"), or the people asked
for over the people the earlier recipe served ("to 6 people" after "serves 2"). Only ingredient
lines of both lists ("- 200 ml coconut milk") with the same unit are compared: "1 tsp" becoming
"1 tbsp" is a conversion, not a slip. An amount off by more than a tenth is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from llm_roleplay.nodes.checks import stem

_WORD_FACTORS = {"double": 2.0, "doubled": 2.0, "triple": 3.0, "tripled": 3.0, "quadruple": 4.0}
_STATED_FACTOR = re.compile(
    r"(?:×|\bx)\s*(\d+(?:\.\d+)?)\b|\b(double|doubled|triple|tripled|quadruple)\b", re.IGNORECASE
)
_PEOPLE_ASKED = re.compile(r"\b(?:to|for)\s+(\d+)\s+(?:people|persons|servings|guests)\b", re.IGNORECASE)
_SERVES = re.compile(r"\b(?:serves|for)\s+(\d+)\b", re.IGNORECASE)
_INGREDIENT = re.compile(
    r"^\s*[-*•]\s*(\d+(?:\.\d+)?)\s*(g|kg|ml|l|tsp|tbsp|cups?|cans?|cloves?|pinch(?:es)?)?\b\s*(.+)$",
    re.IGNORECASE | re.MULTILINE,
)
TOLERANCE = 0.1


def _factor(part: str, answer: str, earlier: Sequence[str]) -> float | None:
    if stated := _STATED_FACTOR.search(answer):
        return float(stated.group(1)) if stated.group(1) else _WORD_FACTORS[stated.group(2).lower()]
    asked = _PEOPLE_ASKED.search(part)
    served = next((found for reply in reversed(earlier) if (found := _SERVES.search(reply))), None)
    if asked and served and int(served.group(1)):
        return int(asked.group(1)) / int(served.group(1))
    return None


def _ingredients(text: str) -> dict[tuple[str, str], float]:
    """(name, unit) -> amount of a list's ingredient lines; the name is the first two words, stemmed,
    before any comma or bracket ("coconut milk", "chop tomato")."""
    found: dict[tuple[str, str], float] = {}
    for amount, unit, rest in _INGREDIENT.findall(text):
        name_words = re.findall(r"[a-z]+", re.split(r"[,(]", rest.lower(), maxsplit=1)[0])
        if name_words:
            key = (" ".join(stem(word) for word in name_words[:2]), stem(unit.lower()) if unit else "")
            found.setdefault(key, float(amount))
    return found


def wrongly_scaled(part: str, answer: str, earlier: Sequence[str]) -> str | None:
    """The first ingredient whose amount in ``answer`` is not the factor times its amount in the
    latest ``earlier`` recipe ("coconut milk: 500, not 600"), when ``part`` asks to scale; else None."""
    if not re.search(
        r"\b(?:scale|double|triple|quadruple|for \d+ (?:people|persons|guests))", part, re.IGNORECASE
    ):
        return None
    factor = _factor(part, answer, earlier)
    new = _ingredients(answer)
    old = next((found for reply in reversed(earlier) if (found := _ingredients(reply))), {})
    if factor is None or not new or not old:
        return None
    for key, amount in old.items():
        if key in new and abs(new[key] - factor * amount) > TOLERANCE * factor * amount:
            return f"{key[0]}: {new[key]:g}, not {factor * amount:g}"
    return None

"""Buildings listed where places to walk were asked for.

"Which parts of France are good for walking tours without serious climbing?" answered by the
embedded chatbot with "1. The Cité de la Connaissance et de la Culture: This museum is a great place
to start a walking tour in Paris. 2. The Musée National des Beaux-Arts ..." (grid run of
2026-11-29): the embedded judge verified it, though a person sees at a glance that a museum is not a
part of France to walk in. The Eiffel Tower "with the stairs up to the top" came first in the same
chatbot's earlier list.

Only a part that asks for places to walk or hike ("locations ... for walking tours", "regions for a
hike", "trails") is read, and only the chatbot's latest list: when most of its items (three or
more) are named as buildings (a museum, a tower, a cathedral, ...), or said to be one ("This museum
is ..."), the places are of the wrong kind. A château is left
out: the Loire's are what walkers walk between (the labelled set's met ending gl-043).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WALKING = re.compile(
    r"\b(?:walk(?:s|ing)?|hik(?:e|es|ing)|trek(?:s|king)?|stroll(?:s|ing)?)\b", re.IGNORECASE
)
_PLACES = re.compile(
    r"\b(?:places?|locations?|parts?|regions?|areas?|destinations?|spots?|routes?|trails?|paths?)\b",
    re.IGNORECASE,
)
# "1. The Louvre Museum: This museum is ...", "**Musée d'Orsay** - ...", "- Notre-Dame Cathedral: ..."
_ITEM = re.compile(
    r"^\s*(?:\d{1,2}[.)]|[-*•])\s+\**(?P<name>[^:\n*–—]{3,80}?)\**\s*(?::|\s[–—-]\s|$)(?P<said>[^\n]*)",
    re.MULTILINE,
)
_BUILDING_WORDS = (
    r"(?:museums?|mus[ée]es?|museo|galler(?:y|ies)|galeries?|cathedrals?|cath[ée]drale|basilicas?"
    r"|basilique|churches|church|chapels?|palaces?|palais|towers?|restaurants?|caf[ée]s?|hotels?"
    r"|shops?|stores?|malls?|theat(?:re|er)s?|th[ée][aâ]tre|cinemas?|librar(?:y|ies)|biblioth[èe]que"
    r"|stadiums?|opera(?: house)?|op[ée]ra)"
)
_BUILDING = re.compile(rf"\b{_BUILDING_WORDS}\b", re.IGNORECASE)
# ... or said to be one at the start of its description: "The Cité de la Connaissance et de la
# Culture: This museum is a great place to start a walking tour" (its name says nothing).
_SAID_TO_BE = re.compile(
    rf"^\s*(?:this|it|the)\s+(?:is\s+(?:a|an|the)\s+)?(?:[\w-]+\s+){{0,2}}?{_BUILDING_WORDS}\b", re.IGNORECASE
)
_MIN_ITEMS = 3


def asks_places_to_walk(part: str) -> bool:
    return bool(_WALKING.search(part) and _PLACES.search(part))


def buildings_for_walks(part: str, replies: Sequence[str]) -> str | None:
    """In the chatbot's latest list (three items or more), most of the places are buildings where
    the part asks for places to walk: how many, and which."""
    if not asks_places_to_walk(part):
        return None
    items = next(
        (found for reply in reversed(replies) if len(found := _ITEM.findall(reply)) >= _MIN_ITEMS), []
    )
    if not items:
        return None
    buildings = [name.strip() for name, said in items if _BUILDING.search(name) or _SAID_TO_BE.search(said)]
    if 2 * len(buildings) <= len(items):
        return None
    return f"{len(buildings)} of the {len(items)} places listed are buildings ({', '.join(buildings[:3])})"

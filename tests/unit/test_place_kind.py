"""Museums listed where places to walk were asked for are read as not delivered."""

from __future__ import annotations

import pytest

from llm_roleplay.evals.goal_labels import load_goal_labels
from llm_roleplay.nodes.checkable import evident_failures, evidently_undelivered
from llm_roleplay.nodes.place_kind import buildings_for_walks

# the embedded chatbot in the grid run of 2026-11-29, verified by the embedded judge (gl-122)
MUSEUMS = (
    "Sure, here are some walking tours in France that don't involve serious climbing:\n\n"
    "  1. The Cité de la Connaissance et de la Culture: This museum is a great place to start a walking "
    "tour in Paris.\n"
    "  2. The Musée National des Beaux-Arts: This museum is famous for its artwork.\n"
    "  3. The Musée de la Chasse et de la Nature: This museum is a great place to start.\n"
    "  4. The Musée du Quai Branly: This museum is a great place to start a walking tour in Paris.\n\n"
    "I hope these ideas help you plan a fun walking tour in France!"
)
REGIONS = (
    "Good options for knee-friendly walking:\n\n"
    "- **Loire Valley**: flat riverside paths between châteaux.\n"
    "- **Canal du Midi**: the old towpath is completely flat.\n"
    "- **Camargue**: marshes and dykes at sea level.\n"
    "- **Burgundy**: canal towpaths and vineyard tracks."
)
# Paris sights: two buildings of five, a neighbourhood, a river and a street are walked in
SIGHTS = (
    "1. Les Eiffel Tower: This iconic tower is a great spot.\n2. The Louvre Museum: This museum is famous.\n"
    "3. Montmartre: This neighborhood is known for its streets.\n4. The Seine River: This river is great.\n"
    "5. The Champs-Élysées: This street is one of the most famous streets in Paris."
)
PART = "Provide a list of locations in France that are good for walking tours."


@pytest.mark.parametrize(
    ("part", "replies", "seen"),
    [
        (PART, [MUSEUMS], "4 of the 4 places listed are buildings"),
        (PART, [REGIONS], None),
        (PART, [SIGHTS], None),
        (PART, [MUSEUMS, "The Quai Branly is a public park."], "4 of the 4"),  # the latest list is read
        (PART, [MUSEUMS, REGIONS], None),  # a list of regions after it mends it
        ("list the best museums in Paris", [MUSEUMS], None),  # museums asked for
    ],
)
def test_buildings_where_places_to_walk_were_asked(part: str, replies: list[str], seen: str | None) -> None:
    found = buildings_for_walks(part, replies)
    if seen is None:
        assert found is None
    else:
        assert found is not None and found.startswith(seen)


def test_the_user_and_the_goal_check_both_see_it() -> None:
    assert evidently_undelivered(PART, MUSEUMS, [], []) == buildings_for_walks(PART, [MUSEUMS])
    walking = next(ending for ending in load_goal_labels() if ending.id == "gl-122")
    findings = evident_failures(walking.parts, walking.messages)
    assert [finding.check for finding in findings] == ["buildings_for_walks"]
    met = [ending for ending in load_goal_labels() if ending.goal_met and "walk" in ending.goal]
    assert met and not any(
        finding.check == "buildings_for_walks"
        for ending in met
        for finding in evident_failures(ending.parts, ending.messages)
    )

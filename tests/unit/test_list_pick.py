"""The n-th item of the chatbot's list asked about, and an answer about another (nodes/list_pick.py)."""

from __future__ import annotations

from llm_roleplay.nodes.checkable import evident_failures, evidently_undelivered
from llm_roleplay.nodes.list_pick import answers_another_item, numbered_items, picked_item

CITIES = (  # the labelled set's list (gl-036)
    "Lists vary, but a commonly cited one is:\n\n1. **Jericho**, West Bank: c. 9000 BC\n"
    "2. **Byblos**, Lebanon: c. 5000 BC\n3. **Aleppo**, Syria: c. 4300 BC\n"
    "4. **Damascus**, Syria: c. 4300 BC\n5. **Susa**, Iran: c. 4200 BC"
)
ABOUT_DAMASCUS = "**Damascus**\n\n- **Founder:** tradition names Uz.\n- **Region:** south-western Syria."
ABOUT_ALEPPO = "**Aleppo** has no known founder; it lies in northern Syria. Unlike Damascus, it ..."


def test_which_item_a_part_picks() -> None:
    assert picked_item("say who founded the 3rd city") == 3
    assert picked_item("Pick the third in that list") == 3
    assert picked_item("list the 10 oldest cities") is None
    assert picked_item("First, list the cities") is None  # an adverb, not an item
    assert numbered_items(CITIES) == {1: "Jericho", 2: "Byblos", 3: "Aleppo", 4: "Damascus", 5: "Susa"}


def test_an_answer_about_another_item_of_the_list_is_seen() -> None:
    part = "say who founded the 3rd city"
    assert (
        answers_another_item(part, ABOUT_DAMASCUS, [CITIES])
        == "it is about Damascus, not the 3rd one (Aleppo)"
    )
    assert answers_another_item(part, ABOUT_ALEPPO, [CITIES]) is None  # names the 3rd, others in passing
    assert answers_another_item(part, "Nobody knows who founded it.", [CITIES]) is None  # names none
    assert answers_another_item(part, ABOUT_DAMASCUS, []) is None  # no list to pick from
    assert answers_another_item("list the oldest cities", ABOUT_DAMASCUS, [CITIES]) is None


def test_the_goal_check_and_the_users_reading_see_another_item() -> None:
    parts = ["list the 10 oldest continuously inhabited cities", "say who founded the 3rd city"]
    messages = [
        {"role": "user", "content": "what are the 10 oldest continuously inhabited cities"},
        {"role": "assistant", "content": CITIES},
        {"role": "user", "content": "ok the 3rd one: who founded it?"},
        {"role": "assistant", "content": ABOUT_DAMASCUS},
    ]
    found = [(f.check, f.detail) for f in evident_failures(parts, messages)]
    assert ("another_item", "part 2: it is about Damascus, not the 3rd one (Aleppo)") in found
    assert evidently_undelivered(parts[1], ABOUT_DAMASCUS, [CITIES], []) == (
        "it is about Damascus, not the 3rd one (Aleppo)"
    )

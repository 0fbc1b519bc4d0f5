"""A recipe scaled by a factor, and an amount that was not (nodes/scaling.py)."""

from __future__ import annotations

from llm_roleplay.nodes.checkable import evident_failures
from llm_roleplay.nodes.scaling import wrongly_scaled

FOR_TWO = (  # the labelled set's curry (gl-068, gl-069), shortened
    "**Chickpea curry (serves 2)**\n- 1 can (400 g) chickpeas, drained\n- 200 ml coconut milk\n"
    "- 200 g chopped tomatoes\n- 1 tsp grated ginger\n- 150 g basmati rice"
)
PART = "scale the quantities to 6 people"


def scaled(milk: str, ginger: str = "3 tsp") -> str:
    return (
        f"**For 6 people (triple everything)**\n- 3 cans chickpeas (400 g each)\n- {milk} coconut milk\n"
        f"- 600 g chopped tomatoes\n- {ginger} grated ginger\n- 450 g basmati rice"
    )


def test_each_amount_is_the_factor_times_the_old_one() -> None:
    assert wrongly_scaled(PART, scaled("500 ml"), [FOR_TWO]) == "coconut milk: 500, not 600"
    assert wrongly_scaled(PART, scaled("600 ml"), [FOR_TWO]) is None
    # another unit is a conversion ("1 tbsp" for 3 tsp), not a slip
    assert wrongly_scaled(PART, scaled("600 ml", ginger="1 tbsp"), [FOR_TWO]) is None
    # the factor from the people asked for and served, when the answer states none
    unstated = scaled("500 ml").replace(" (triple everything)", "")
    assert wrongly_scaled(PART, unstated, [FOR_TWO]) == "coconut milk: 500, not 600"
    # a part that asks for no scaling, or no earlier recipe, is not read
    assert wrongly_scaled("write a shopping list", scaled("500 ml"), [FOR_TWO]) is None
    assert wrongly_scaled(PART, scaled("500 ml"), []) is None


def test_the_goal_check_sees_a_wrongly_scaled_amount() -> None:
    parts = ["give a chickpea curry recipe for 2", PART]
    messages = [
        {"role": "user", "content": "chickpea curry for two"},
        {"role": "assistant", "content": FOR_TWO},
        {"role": "user", "content": "scale it to 6 people"},
        {"role": "assistant", "content": scaled("500 ml")},
    ]
    found = [(f.check, f.detail) for f in evident_failures(parts, messages)]
    assert ("wrongly_scaled", "part 2: coconut milk: 500, not 600") in found

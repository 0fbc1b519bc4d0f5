"""Times and lengths a reply restates wrongly."""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.checkable import evident_failures, evidently_undelivered
from llm_roleplay.nodes.conversions import false_conversions

# The chatbot's reply the embedded user took as the delivered speeds (reading run of 2026-11-28).
SPEEDS = (
    "For the 100m race, you ran 1 minute and 30 seconds (which is 70 seconds). "
    "Speed = 100 m / 70 s = 1.43 m/s."
)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        (SPEEDS, ["1 minute and 30 seconds (which is 70 seconds)"]),
        ("2.5 hours = 160 minutes.", ["2.5 hours = 160 minutes"]),
        ("1.5 km (1,400 meters)", ["1.5 km (1,400 meters)"]),
        ("2 minutes 20 seconds, i.e. 150 seconds.", ["2 minutes 20 seconds, i.e. 150 seconds"]),
        # right ones
        ("1 minute and 30 seconds (which is 90 seconds)", []),
        ("2.5 hours = 150 minutes.", []),
        ("2 minutes and 20 seconds (140 seconds)", []),
        ("1.5 km (1,500 meters)", []),
        ("1.43 hours (86 minutes)", []),  # rounded to the minute shown
        # no restatement
        ("30 minutes, which is 10 minutes longer than last week", []),
        ("run 5 km or 10 km", []),
        ("a circumference of 2 × 5 cm = 31.4 cm", []),  # the end of a sum, not a conversion
        ("100 m (which is 12 seconds at your pace)", []),  # another dimension
        ("the 1990s", []),
    ],
)
def test_restated_quantities(text: str, wrong: list[str]) -> None:
    assert false_conversions(text) == wrong


def test_the_user_and_the_goal_check_see_a_wrong_conversion() -> None:
    part = "calculate the speed for each race"
    known = ["it took me 1 minute and 30 seconds for the 100m race"]
    assert evidently_undelivered(part, SPEEDS, [], known) == (
        "1 minute and 30 seconds (which is 70 seconds) is wrong"
    )
    right = SPEEDS.replace("70", "90").replace("1.43", "1.11")
    assert evidently_undelivered(part, right, [], known) is None
    messages = [{"role": "user", "content": known[0]}, {"role": "assistant", "content": SPEEDS}]
    assert [finding.check for finding in evident_failures([part], messages)] == ["false_arithmetic"]

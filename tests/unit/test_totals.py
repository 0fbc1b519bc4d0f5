"""Money items and the total below them (nodes/totals.py)."""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.checkable import false_arithmetic
from llm_roleplay.nodes.totals import false_shares, false_totals

LISBON = (  # the labelled set's plan (gl-071): items of €662 under "Total: €562"
    "**Cost breakdown (for two)**\n- Hotel, 3 nights × €110 = €330\n- Food, 3 days × €70 = €210\n"
    "- Transport passes, €42\n- Sights & fado show, €80\n\n**Total: €562**, so you're under budget!"
)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        (LISBON, ["items add up to €662, not €562"]),
        (LISBON.replace("€562", "€662"), []),
        ("| Bill | $184.60 |\n| 18% tip | $33.23 |\n| Total | $217.83 |", []),  # cents rounded
        (
            "| Bill | $184.60 |\n| 18% tip | $33.23 |\n| Total | $207.83 |",
            ["items add up to $217.83, not $207.83"],
        ),
        # rounded on purpose, or counting sections further up
        (LISBON.replace("**Total: €562**", "**Total: ~€562**"), []),
        ("Transport:\n* Taxi: $35\n* Pass: $20\n\nTotal cost per person: $175", []),
        # no plain sum: ranges, negative amounts, items inside others
        ("- Design: $5,000 - $10,000\n- Build: $20,000 - $30,000\nTotal: $25,000", []),
        ("* Net income: $150,000\n* Receivables: -$50,000\nTotal: $60,000", []),
        ("* Package: $800\n* Visual: $400 (included in Package)\nTotal: $800", []),
        # one item is no list, and a list in another currency is not the total's
        ("- Hotel: €330\nTotal: €300", []),
        ("- Hotel: $330\n- Food: $210\nTotal: €300", []),
    ],
)
def test_items_that_exceed_their_total(text: str, wrong: list[str]) -> None:
    assert false_totals(text) == wrong


def test_a_total_that_does_not_add_up_is_false_arithmetic() -> None:
    assert false_arithmetic(LISBON) == ["items add up to €662, not €562"]


BILL = (  # the labelled set's gl-088: verified by the embedded judge
    "| Step | Amount |\n|---|---|\n| Bill | $184.60 |\n| 18% tip | $33.23 |\n| Total | $217.83 |\n"
    "| **Each person (÷ 4)** | **$54.64** |"
)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        (BILL, ["217.83 ÷ 4 is $54.46, not $54.64"]),
        (BILL.replace("$54.64", "$54.46"), []),
        (BILL.replace("$54.64", "$54.5"), []),  # rounded to the digits written
        ("Total: $100\n\nEach of you pays (divided by 3): $33.33", []),
        ("Total: $100\nEach of you pays (divided by 3): $43.33", ["100 ÷ 3 is $33.33, not $43.33"]),
        # no total right above, a rough total, another currency, a percentage
        ("Tip: $33.23\nEach person (÷ 4): $54.64", []),
        ("Total: about $218\nEach person (÷ 4): $54.64", []),
        ("Total: €217.83\nEach person (÷ 4): $54.64", []),
        ("Total: $217.83\nTax (/ 4%): $8.71", []),
    ],
)
def test_a_share_is_its_total_divided(text: str, wrong: list[str]) -> None:
    assert false_shares(text) == wrong
    if wrong:  # the goal check's and the user's reading of sums
        assert false_arithmetic(text) == wrong

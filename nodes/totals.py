"""Money items and a stated total that do not add up: "€330, €210, €42, €80 ... Total: €562".

A chatbot that itemises a budget writes the items on lines of their own and the total below them;
the labelled set's Lisbon plan has items of €662 and "Total: €562, so you're comfortably under your
€600 budget", and a small judge passes it. A person with the list in front of them adds it up.

What counts: money (amounts with a currency sign); an exact total ("~$1,130" and "estimated" totals
are rounded on purpose); the lines right above the total (blank lines just above it aside), up to a
blank line or a line without an amount, each ending in an amount of the total's currency (the last
amount of a line is its sum: "3 nights × €110 = €330"); and items that add up to more than the
total, since a total above its items may count sections further up ("Total estimated cost per
person: $175" under the transport costs alone). A list with a range, a negative amount or an item
"included" in another is no plain sum. On the first 8,800 ShareGPT conversations this flags 2 of
33,620 replies, both real slips of the chatbot ($240,000 of items under "Total: $235,000").

A share below its total is checked the same way: "| Total | $217.83 |" and under it "| Each person
(÷ 4) | $54.64 |" (the labelled set's gl-088, verified by the embedded judge; 217.83 ÷ 4 is
54.46). The share's line names its divisor ("÷ 4", "/ 4", "divided by 4") before its amount. No
reply of those 33,620 has a share line right below a total, so none is flagged.
"""

from __future__ import annotations

import itertools
import re

from llm_roleplay.nodes.checks import NUMBER, number_value

_CURRENCY = r"[€$£¥]"
_AMOUNT = re.compile(rf"({_CURRENCY})\s?({NUMBER})|({NUMBER})\s?({_CURRENCY})")
_TOTAL_LINE = re.compile(r"^\W*total\b", re.IGNORECASE)
_ROUGHLY = re.compile(r"[~≈]|\b(?:about|approx\w*|roughly|around|estimated)\b", re.IGNORECASE)
_NO_PLAIN_SUM = (
    re.compile(rf"{_CURRENCY}\s?{NUMBER}\s*(?:-|–|to)\s*{_CURRENCY}?\s?{NUMBER}"),  # "$20,000 - $30,000"
    re.compile(rf"(?:[-−–]\s?{_CURRENCY}|\(\s?{_CURRENCY})\s?\d"),  # "-$50,000", "($50,000)"
    re.compile(r"\b(?:included|incl\.)", re.IGNORECASE),  # "$400 (included in Audiovisual Package)"
)
MIN_ITEMS = 2
_DIVIDED = re.compile(r"(?:÷|/|\bdivided by)\s*(\d{1,3})\b(?!\s*(?:%|[€$£¥]))", re.IGNORECASE)


def _amounts(line: str) -> list[tuple[str, float, str]]:
    """(currency, value, digits as written) of each amount on the line."""
    return [
        (match.group(1) or match.group(4), number_value(digits), digits)
        for match in _AMOUNT.finditer(line)
        if (digits := match.group(2) or match.group(3))
    ]


def _half_unit(digits: str) -> float:
    return 0.5 * 10 ** -(len(digits.rsplit(".", 1)[1]) if "." in digits else 0)


def _items_above(lines: list[str], currency: str) -> list[str]:
    """The item lines right above a total line (the last of ``lines``), nearest first."""
    above = lines[:-1]
    while above and not above[-1].strip():
        above.pop()
    items = []
    for line in reversed(above):
        amounts = _amounts(line)
        if not line.strip() or not amounts or amounts[-1][0] != currency or _TOTAL_LINE.match(line):
            break
        items.append(line)
    return items


def false_totals(text: str) -> list[str]:
    """The stated totals of ``text`` that its items above exceed ("items add up to €662, not
    €562")."""
    lines = text.splitlines()
    wrong = []
    for index, line in enumerate(lines):
        if not _TOTAL_LINE.match(line) or _ROUGHLY.search(line) or not (total := _amounts(line)):
            continue
        currency, stated, digits = total[0]
        items = _items_above(lines[: index + 1], currency)
        if len(items) < MIN_ITEMS or any(p.search(text) for text in [*items, line] for p in _NO_PLAIN_SUM):
            continue
        last_amounts = [_amounts(item)[-1] for item in items]
        added = sum(value for _, value, _ in last_amounts)
        allowed = _half_unit(digits) + sum(_half_unit(item_digits) for _, _, item_digits in last_amounts)
        if added - stated > allowed:
            shown = f"{added:,.2f}".removesuffix(".00")
            wrong.append(f"items add up to {currency}{shown}, not {currency}{digits}")
    return wrong


def false_shares(text: str) -> list[str]:
    """The shares of ``text`` that are not their total divided as their line says ("$217.83 ÷ 4
    is $54.46, not $54.64"): a line naming a divisor before its last amount, right below (blank
    lines aside) an exact total of the same currency."""
    lines = [line for line in text.splitlines() if line.strip()]
    wrong = []
    for above, line in itertools.pairwise(lines):
        amounts = _amounts(line)
        if not amounts or not _TOTAL_LINE.match(above) or _ROUGHLY.search(above + line):
            continue
        currency, share, digits = amounts[-1]
        divisor = _DIVIDED.search(line[: line.rfind(digits)])
        total = _amounts(above)
        parts = int(divisor.group(1)) if divisor else 0
        if parts < 2 or not total or total[-1][0] != currency:
            continue
        exact = total[-1][1] / parts
        if abs(exact - share) > _half_unit(digits) + 0.005:
            wrong.append(f"{total[-1][2]} ÷ {parts} is {currency}{exact:,.2f}, not {currency}{digits}")
    return wrong

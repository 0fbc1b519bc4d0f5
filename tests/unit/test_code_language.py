"""The languages of a reply's code and the ones a user names (nodes.code_language)."""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.code_language import code_languages, named_languages, wrong_language


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("You need to use JavaScript, a language you don't use every day.", {"JavaScript"}),
        ("write it in java please", {"Java"}),
        ("a node.js script", {"JavaScript"}),
        ("Python 3 or C++", {"Python", "C++"}),
        ("let's go for a walk, the bike will rust, a ruby ring", set()),  # plain English words
        ("a Go program that reads a file", {"Go"}),
        ("Draw a unicorn with turtle", set()),
    ],
)
def test_named_languages(text: str, named: set[str]) -> None:
    assert named_languages([text]) == named


@pytest.mark.parametrize(
    ("reply", "languages"),
    [
        ("```js\nconst n = 1;\n```", {"JavaScript"}),
        ("```python\nprint(1)\n```\n\nRun it:\n\n```bash\npython count.py\n```", {"Python"}),
        ("```\ndef area(r):\n    return 3.14 * r * r\n```", {"Python"}),  # untagged, by signature
        ("```\nfunction area(r) {\n  return 3.14 * r * r;\n}\n```", {"JavaScript"}),
        ('```json\n{"a": 1}\n```', set()),  # data says nothing
        ("```\nx = 1\n```", set()),  # no signature: undecided
        ("No code here, only words.", set()),
    ],
)
def test_code_languages(reply: str, languages: set[str]) -> None:
    assert code_languages(reply) == languages


def test_wrong_language_needs_code_and_a_named_language() -> None:
    python = "```python\nprint('hi')\n```"
    assert wrong_language(python, {"JavaScript"}) == "its code is in Python, not JavaScript"
    assert wrong_language(python, {"JavaScript", "Python"}) is None  # "convert this Python to JavaScript"
    assert wrong_language(python, set()) is None
    assert wrong_language("just words", {"JavaScript"}) is None

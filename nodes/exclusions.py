"""What the user said to leave out ("without eggs"), and a reply (or the user) that puts it in anyway.

``make demo`` of 2026-11-28: asked for pancakes without eggs, the embedded chatbot listed "2 large
eggs" and "beat the eggs with the milk"; the simulated user asked how to make them fluffier as if
nothing were wrong. A person sees that at a glance. Only plain uses count: an amount before the
thing ("2 large eggs", "1 tablespoon egg whites") or a cook's verb on it ("beat the eggs"); talk of
leaving it out or replacing it ("without eggs", "egg substitutes", "instead of eggs") does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from llm_roleplay.nodes.checks import NUMBER_WORDS, stem

_EXCLUDED = re.compile(
    r"\b(?:without|with no)\s+(?:any\s+|using\s+|the\s+)?([a-z]{3,})\b|\b([a-z]{3,})-free\b", re.IGNORECASE
)
_AMOUNT = r"(?:\d+(?:[./]\d+)?|½|¼|¾|" + "|".join(NUMBER_WORDS) + r")"
_USE_VERBS = r"(?:add|beat|whisk|whip|crack|fold|mix|stir|separate|combine|use)(?:\s+in)?"
# A sentence about leaving the thing out or replacing it is no use of it.
_LEAVES_OUT = re.compile(
    r"\bwithout\b|\binstead\b|substitut|replac|alternative|-free\b|\bno\s", re.IGNORECASE
)
_SENTENCE_OR_LINE = re.compile(r"(?<=[.!?])\s+|\n")


def excluded_things(texts: Iterable[str]) -> set[str]:
    """The stems of what the ``texts`` (the goal, its parts, the user's messages) leave out."""
    return {
        stem((match.group(1) or match.group(2)).lower())
        for text in texts
        for match in _EXCLUDED.finditer(text)
    }


def puts_in_excluded(reply: str, excluded: set[str]) -> str | None:
    """ "it has eggs in it: 2 large eggs" when the reply uses a thing the user left out."""
    if not excluded:
        return None
    for sentence in _SENTENCE_OR_LINE.split(reply):
        if _LEAVES_OUT.search(sentence):
            continue
        for word in dict.fromkeys(re.findall(r"[A-Za-z]+", sentence)):
            if stem(word.lower()) not in excluded:
                continue
            name = re.escape(word)
            amount = rf"\b{_AMOUNT}\s+(?:[a-z]+\s+){{0,2}}{name}\b"
            used = rf"\b{_USE_VERBS}\s+(?:the\s+|an?\s+|\d+\s+)?{name}\b"
            if re.search(amount, sentence, re.IGNORECASE) or re.search(used, sentence, re.IGNORECASE):
                return f"it has {word.lower()} in it: {sentence.strip(' -*')[:80]}"
    return None


def wants_the_excluded(message: str, excluded: set[str]) -> bool:
    """The user asks for what their goal leaves out: "I know I can add more eggs to the batter",
    "provide a recipe with more eggs" from a user who wanted pancakes without eggs (``make demo`` of
    2026-11-29). Talk of leaving it out or replacing it ("no eggs", "instead of eggs") is not, nor
    a use denied ("don't add eggs")."""
    if not excluded:
        return False
    for sentence in _SENTENCE_OR_LINE.split(message.replace("’", "'")):
        if _LEAVES_OUT.search(sentence):
            continue
        for word in dict.fromkeys(re.findall(r"[A-Za-z]+", sentence)):
            if stem(word.lower()) not in excluded:
                continue
            for use in re.finditer(
                rf"{_WANTS}(?:more\s+|some\s+|extra\s+|the\s+|an?\s+)?{re.escape(word)}\b",
                sentence,
                re.IGNORECASE,
            ):
                if not _DENIED.search(sentence[: use.start()]):
                    return True
    return False


_WANTS = r"\b(?:add|adding|with|more|extra|use|using|put|include|including)\s+"
_DENIED = re.compile(r"\b(?:not|n't|never|no)\s+(?:\w+\s+){0,2}$|n't\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


# "I'm looking for a recipe with only flour, sugar, and salt": the opening of ``make demo`` on
# 2026-11-28 and again on 2026-11-29, from a goal that names none of the three. The user makes up
# a restriction of their own, the chatbot follows it (a pancake recipe of 2 cups of flour and one
# tablespoon of milk), and the goal the judge checks is no longer the one the dialogue pursued.
# Only a list counts ("only X, Y and Z", two or more things nothing in the dialogue named): "use
# only the standard library" or "only the 3rd city" restricts nothing new.
_ONLY_LIST = re.compile(
    r"\b(?:(?:with|using|use|have|has|got|contains?|of)\s+(?:just\s+)?only|only\s+(?:have|has|got|use|using))"
    r"\s+(?P<items>[^.!?\n;:]+)",
    re.IGNORECASE,
)
_LIST_JOINT = re.compile(r",|\band\b|\bor\b", re.IGNORECASE)
_NOT_AN_ITEM = frozenset(
    {"the", "and", "some", "few", "little", "bit", "basic", "simple", "ingredients", "things"}
)


# ... or gives the amounts of the recipe they ask for: "Give me a simple recipe for pancakes without
# eggs. I'm looking for a recipe with 2 cups of flour, 1 cup of sugar, 1 teaspoon of baking powder,
# and 1/2 teaspoon of salt" (make demo of 2026-11-29): the answer typed into the question. 0 of
# 30,547 ShareGPT user messages ask for a recipe "with" amounts.
_RECIPE_WITH = re.compile(
    r"\brecipes?\s+(?:with|using|that (?:uses|has)|containing|of)\s+(?P<items>[^.!?\n;]+)", re.IGNORECASE
)
_MEASURED_AMOUNT = re.compile(
    r"\b\d+(?:[./]\d+)?\s*(?:cups?|teaspoons?|tablespoons?|tsp|tbsp|grams?|g|kg|ml|l|liters?|litres?"
    r"|oz|ounces?|pounds?|lbs?)\b",
    re.IGNORECASE,
)


def _amounts(text: str) -> set[str]:
    return {" ".join(amount.lower().split()) for amount in _MEASURED_AMOUNT.findall(text)}


def invents_a_restriction(message: str, known_texts: Iterable[str]) -> bool:
    """The user restricts the request to a list of things that no text of the dialogue (goal, its
    parts, earlier messages, the chatbot's replies) has named, or asks for a recipe with amounts
    of their own."""
    known_texts = list(known_texts)
    said = set().union(*(_amounts(text) for text in known_texts))
    for match in _RECIPE_WITH.finditer(message):
        if len(_amounts(match.group("items")) - said) >= 2:
            return True
    known = {stem(word) for text in known_texts for word in re.findall(r"[A-Za-z]+", text.lower())}
    for match in _ONLY_LIST.finditer(message.replace("’", "'")):
        items = match.group("items")
        if not _LIST_JOINT.search(items):
            continue
        new = {
            stem(word)
            for word in re.findall(r"[A-Za-z]{3,}", items.lower())
            if word not in _NOT_AN_ITEM and stem(word) not in known
        }
        if len(new) >= 2:
            return True
    return False


_HAS_IT_IN = re.compile(r"^it has ([a-z]+) in it\b")


def excluded_fault(reason: str) -> str | None:
    """The thing a reply put in against the user's wish, from the reason ``puts_in_excluded`` gave
    ("it has eggs in it: 2 eggs (optional)" -> "eggs"), or None for any other reason."""
    match = _HAS_IT_IN.match(reason)
    return match.group(1) if match else None


def complains_of_what_is_not_there(message: str, last_reply: str, excluded: set[str]) -> bool:
    """The message says the last reply has a thing the user left out, and it has none: "the recipe
    you gave me had eggs in it" to a recipe without eggs (make demo of 2026-11-29, the complaint of
    two turns before brought back after the chatbot had mended it). A reader takes the user for
    someone who does not read the answers."""
    if not last_reply:
        return False
    for thing in excluded:
        claim = (
            r"\b(?:has|had|have|contains?|contained|includes?|included|uses|used|there (?:are|is|were|was))"
            rf"\s+(?:still\s+)?(?:[a-z]+\s+){{0,3}}?{re.escape(thing)}"
        )
        if re.search(claim, message.replace("’", "'"), re.IGNORECASE) and not puts_in_excluded(
            last_reply, {thing}
        ):
            return True
    return False


def says_it_is_in(message: str, thing: str) -> bool:
    """The message says the thing is there ("it has eggs in it", "there are still eggs"), not only
    asks again without it ("a recipe for pancakes without eggs"): in ``make demo`` of 2026-11-29 the
    chatbot listed "2 eggs (optional)" and the user asked "Could you gibe a recipe for pancakes
    without eggs", twice, never saying why. A person points at the eggs."""
    thing_stem = stem(thing)
    for clause in re.split(r"(?<=[.!?])\s+|\n|,|;|\bbut\b", message.replace("’", "'")):
        if _LEAVES_OUT.search(clause):
            continue
        if any(stem(word.lower()) == thing_stem for word in re.findall(r"[A-Za-z]+", clause)):
            return True
    return False

"""A question left in the word order of the sentence it was cut from.

"Can you tell me how far I can travel?" asked directly is "how far can I travel?", not "how far I
can travel?": both the typing pass (dropping "can you tell me") and the user's-voice rewrite
(dropping "I want to know") leave the embedded order, which read as a slip of ours in the run of
2026-11-28. Only the plain cases are turned: a question word (phrase), a pronoun or a short noun
phrase as subject, and an auxiliary, or a present verb after i/you/we/they that takes "do" ("how
fast do I run"); "how many calories I burned" would need the verb changed ("did I burn"):
``still_embedded`` tells the callers to keep the sentence they started from.
"""

from __future__ import annotations

import re

from llm_roleplay.blocks.style.features import english_words

_QUESTION_PHRASE = (
    r"(\s*(?:how(?: (?:far|long|often|fast|much(?: \w+)?|many \w+))?|what|why|when|where|which \w+|who))"
)
_EMBEDDED = re.compile(
    "^"
    + _QUESTION_PHRASE
    # "the unicorn's eye": a possessive before the noun (seen on 2026-11-28: "how the unicorn's eye is
    # drawn" was sent in that order)
    + r" ((?:i|you|we|they|he|she|it|this|that)|(?:the|my|your|this|that|these|those) \w+(?:['’]s \w+)?)"
    r" (can|could|should|would|will|am|is|are|was|were|have|has)\b",
    re.IGNORECASE,
)


# "how fast I run" -> "how fast do I run": a plain present verb after i/you/we/they takes "do". A
# word ending in -ed or a common irregular past ("ran", "did") would need the verb changed ("did I
# run"), and a word that is no verb ("how fast I really run") is left: the callers keep the sentence.
_DO_SUPPORT = re.compile(
    "^"
    # "how many cups of feed", "how much feed": the object before the subject
    + r"(\s*(?:how(?: (?:far|long|often|fast|(?:much|many)(?: \w+(?: of \w+)?)?))?|what|why|when|where"
    r"|which \w+))"
    + r" (i|you|we|they) (?!(?:can|could|should|would|will|shall|may|might|must|am|are|was|were|have|had"
    r"|do|did|ran|went|got|made|took|ate|saw|gave|wrote|drew|swam|rode|felt|spent|paid|bought|burnt"
    r"|chose|thought|said|told|found|knew|meant|sent|built|kept|left|lost|won|began|broke|forgot|came"
    r"|really|just|also|still|only|already|ever|never|not)\b)([a-z]+)\b(?<![^e]ed)",
    re.IGNORECASE,
)


# ... and a past verb takes "did" with its base form: "how fast I ran each race" -> "how fast did I run
# each race" (the speeds opening of the grid run of the evening of 2026-11-29 had been sent as the
# order "Figure out how fast I ran each race."; 3 of 30,547 real user messages open "figure out how").
_PAST_DO_SUPPORT = re.compile(
    "^" + r"(\s*(?:how(?: (?:far|long|often|fast|(?:much|many)(?: \w+(?: of \w+)?)?))?|what|why|when|where"
    r"|which \w+))" + r" (i|you|we|they) ([a-z]+)\b(?! not\b)",  # "why you did not mention it" is left
    re.IGNORECASE,
)
_IRREGULAR_PAST = {
    "ran": "run", "went": "go", "got": "get", "made": "make", "took": "take", "ate": "eat", "saw": "see",
    "gave": "give", "wrote": "write", "drew": "draw", "swam": "swim", "rode": "ride", "felt": "feel",
    "spent": "spend", "paid": "pay", "bought": "buy", "burnt": "burn", "chose": "choose", "did": "do",
    "came": "come", "found": "find", "sent": "send", "built": "build", "kept": "keep", "lost": "lose",
    "won": "win", "began": "begin", "broke": "break", "forgot": "forget", "thought": "think",
    "said": "say", "told": "tell", "knew": "know", "meant": "mean", "fed": "feed",
}  # fmt: skip


def _base_form(past: str) -> str | None:
    """The base form of a past verb ("ran" -> "run", "burned" -> "burn", "used" -> "use", "tried" ->
    "try", "skipped" -> "skip"), or None when the word is no past tense this can undo."""
    word = past.lower()
    if word in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[word]
    if not word.endswith("ed") or len(word) < 4:
        return None
    known = english_words()
    stem = word[:-2]
    candidates = [
        word[:-3] + "y" if word.endswith("ied") else "",
        stem[:-1] if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz" else "",
        word[:-1],  # "used" -> "use"
        stem,
    ]
    return next((base for base in candidates if base and base in known), None)


def in_question_order(text: str) -> str:
    """ "how far I can travel" -> "how far can I travel"; "why the total is 18" -> "why is the total
    18"; "how fast I run" -> "how fast do I run"; "how fast I ran" -> "how fast did I run"."""
    turned = _EMBEDDED.sub(lambda match: f"{match.group(1)} {match.group(3)} {match.group(2)}", text, count=1)
    if turned != text:
        return turned
    turned = _DO_SUPPORT.sub(
        lambda match: f"{match.group(1)} do {match.group(2)} {match.group(3)}", text, count=1
    )
    if turned != text:
        return turned
    past = _PAST_DO_SUPPORT.match(text)
    base = _base_form(past.group(3)) if past else None
    if past is None or base is None:
        return text
    return f"{past.group(1)} did {past.group(2)} {base}{text[past.end() :]}"


_PRONOUN_SUBJECT = re.compile(_QUESTION_PHRASE + r" (?:i|you|we|they|he|she|it)\b", re.IGNORECASE)
# A noun subject's first word; "a", "an" too: "what a balanced feed is and how it affects ..." had been
# sent so (grid run of the evening of 2026-11-29).
_DETERMINER = r"(?:the|a|an|my|your|our|their|this|that|these|those)"
# "what the region of the 3rd oldest city is" (seen on 2026-11-28): a long subject, the verb last
_VERB_LAST = re.compile(
    _QUESTION_PHRASE + rf" {_DETERMINER}\b[^.!?]*\b(?:is|are|was|were)\s*[.!?]?\s*$",
    re.IGNORECASE,
)


# "how the eye of the unicorn is drawn": a subject the turning above does not take, its verb after it;
# a name for subject too ("which city Ur, Iraq was founded in"), and a verb other than "be" ("what the
# `getInputString` function does"; both sent so in the grid run of the night of 2026-11-29)
_NOUN_SUBJECT = re.compile(
    _QUESTION_PHRASE + rf" (?:{_DETERMINER}\b|(?-i:[A-Z])[\w'’-]*)[^.!?]{{0,60}}?"
    r"\b(?:is|are|was|were|does|do|did|means?|works?|returns?|happens?)\b",
    re.IGNORECASE,
)


def still_embedded(text: str) -> bool:
    """A question phrase followed by its subject pronoun ("how many calories I burned"), or by a
    noun subject and then its verb ("what the region of the 3rd city is", "how the eye of the
    unicorn is drawn")."""
    return bool(_PRONOUN_SUBJECT.match(text) or _VERB_LAST.match(text) or _NOUN_SUBJECT.match(text))

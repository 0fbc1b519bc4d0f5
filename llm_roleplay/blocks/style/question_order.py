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


def in_question_order(text: str) -> str:
    """ "how far I can travel" -> "how far can I travel"; "why the total is 18" -> "why is the total
    18"; "how fast I run" -> "how fast do I run"."""
    turned = _EMBEDDED.sub(lambda match: f"{match.group(1)} {match.group(3)} {match.group(2)}", text, count=1)
    if turned != text:
        return turned
    return _DO_SUPPORT.sub(
        lambda match: f"{match.group(1)} do {match.group(2)} {match.group(3)}", text, count=1
    )


_PRONOUN_SUBJECT = re.compile(_QUESTION_PHRASE + r" (?:i|you|we|they|he|she|it)\b", re.IGNORECASE)
# A noun subject's first word; "a", "an" too: "what a balanced feed is and how it affects ..." had been
# sent so (grid run of the evening of 2026-11-29).
_DETERMINER = r"(?:the|a|an|my|your|our|their|this|that|these|those)"
# "what the region of the 3rd oldest city is" (seen on 2026-11-28): a long subject, the verb last
_VERB_LAST = re.compile(
    _QUESTION_PHRASE + rf" {_DETERMINER}\b[^.!?]*\b(?:is|are|was|were)\s*[.!?]?\s*$",
    re.IGNORECASE,
)


# "how the eye of the unicorn is drawn": a subject the turning above does not take, its verb after it
_NOUN_SUBJECT = re.compile(
    _QUESTION_PHRASE + rf" {_DETERMINER}\b[^.!?]{{0,60}}?\b(?:is|are|was|were)\b",
    re.IGNORECASE,
)


def still_embedded(text: str) -> bool:
    """A question phrase followed by its subject pronoun ("how many calories I burned"), or by a
    noun subject and then its verb ("what the region of the 3rd city is", "how the eye of the
    unicorn is drawn")."""
    return bool(_PRONOUN_SUBJECT.match(text) or _VERB_LAST.match(text) or _NOUN_SUBJECT.match(text))

"""Drift: a simulated user who wanders off the goal, or stops being the persona.

Both are cheap, deterministic last-resort checks; the main defence is structural (every message
is written for one part of the goal plan). They name what a reader would object to:

- **goal drift**: a message of some length that shares no content word with the goal, its parts,
  the expected outcome, the previous user messages or the chatbot's recent replies: a new topic.
- **front-loading**: a message that already asks for a later part of the plan, recognised by the
  words only that later part uses (at least half of them, and at least one).
- **persona drift**: the message describes the user as someone the persona is not ("as a teacher"
  from a nurse, "I'm 23" from someone aged 65 or older, "English is my first language" from a
  non-native speaker).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

from llm_roleplay.blocks.personas import default_schema
from llm_roleplay.nodes.checks import TASK_VERBS, numbers_in, numbers_of, stated_figures, stem
from llm_roleplay.nodes.goal_plan import request_sentences
from llm_roleplay.nodes.voice import content_words

OFF_GOAL_MIN_WORDS = 10  # shorter messages ("explain the second part in more detail") are reactions

_SELF = r"(?:i'm|i am|im|as|i work as|i've been|i have been)\s+(?:a|an)\s+"
_AGE = re.compile(
    r"\b(?:i'm|i am|im)\s+(\d{2})\b(?![\s-]*(?:%|minutes|km|miles|m\b))"
    r"|\b(\d{2})[\s-]*(?:years?[\s-]old|yo)\b"
)
# "I'm a 70-year-old female from the United States", typed by a non-binary person of 55-64 from
# Brazil when the chatbot asked for their weight (run of 2026-11-28).
_GENDER_CLAIM = re.compile(
    r"\b(?:i'm|i am|im)\s+(?:an?\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?P<word>female|male|woman|man|girl|guy|lady|gentleman|mother|father|mom|dad|wife|husband)\b"
)
_GENDER_WORDS = {
    "female": {"female", "woman", "girl", "lady", "mother", "mom", "wife"},
    "male": {"male", "man", "guy", "gentleman", "father", "dad", "husband"},
}
_HOME = r"\b(?:i'm|i am|im)\s+(?:an?\s+(?:[\w-]+\s+){0,3}?)?from|\bi live in|\bi'm based in"
_NATIVE_CLAIM = re.compile(
    r"\benglish is my (?:first|native|mother) (?:language|tongue)\b|\bi(?:'m| am) a native english speaker\b"
)
_AGE_BRACKETS = {
    "18-24": (18, 24),
    "25-34": (25, 34),
    "35-44": (35, 44),
    "45-54": (45, 54),
    "55-64": (55, 64),
    "65+": (65, 120),
}


def off_goal(message: str, related_texts: Iterable[str]) -> bool:
    """A long message that shares no content word with anything the dialogue is about."""
    mine = {stem(word) for word in content_words(message)}
    if len(mine) < OFF_GOAL_MIN_WORDS:
        return False
    known = {stem(word) for text in related_texts for word in content_words(text)}
    return not mine & known


def request_stems(part: str) -> set[str]:
    """What a part asks for, as stems, its instruction verbs ("determine", "find") aside."""
    return {stem(word) for word in content_words(part) if word.lower() not in TASK_VERBS}


def figures_asked_with(goal: str, request: str) -> set[float]:
    """The figures of the goal's sentence that asks for ``request``, which the chatbot needs to
    answer it: "How many cups ... in the final meal of the day if the size of your flock is 20
    chickens?" -> {20} for "Determine the amount of feed needed for the final meal of the day" (seen
    on 2026-11-29: the user never said 20, and took "3 cups" for the final meal as an answer). The
    sentence is the goal's request sharing most of the request's words, three at least."""
    wanted = request_stems(request)
    best, best_shared = "", 2
    for sentence in request_sentences(goal):
        shared = len(wanted & request_stems(sentence))
        if shared > best_shared:
            best, best_shared = sentence, shared
    return stated_figures(best) if best else set()


_PARENTHESIS = re.compile(r"\([^()]*\)")


# A number after a label names a thing, it is no figure of a part: "The current verse 4 is repeating
# verse 2" had been cut to "The current verse" for the "4 parts" of a later part (grid run of the
# night of 2026-11-29).
_LABELS = r"verse|verses|line|lines|stanza|quatrain|part|step|item|number|no\.|question|option|chapter|race"
_LABEL = re.compile(rf"^(?:{_LABELS})$", re.IGNORECASE)
_LABELLED_NUMBER = re.compile(rf"\b(?:{_LABELS})\s+\d+\b", re.IGNORECASE)


def asks_ahead(message: str, current: Iterable[str], later: Iterable[str]) -> bool:
    """The message uses the distinctive words of a part that is not due yet, or a figure of it
    that nothing said so far holds ("replace the 10th line with the number 73" in an opening that
    was to ask for the drawing only, seen on 2026-11-28)."""
    current = list(current)
    mine = {stem(word) for word in content_words(message)}
    seen = {stem(word) for text in current for word in content_words(text)}
    figures = numbers_in(_LABELLED_NUMBER.sub(" ", message)) - numbers_of(current)
    for part in later:
        distinctive = request_stems(part) - seen
        # a parenthesis spells out what the part already names ("a CLI (command line interface)"):
        # its words count when said, not in how many must be ("plug a CLI for it", seen 2026-11-28)
        named = request_stems(_PARENTHESIS.sub(" ", part)) - seen or distinctive
        if distinctive and len(mine & distinctive) >= max(1, math.ceil(len(named) / 2)):
            return True
        if figures & numbers_in(part):
            return True
    return False


# "without": "list walking tours in France | without the ones that involve serious climbing" had been
# cut at its first later word, sending "... without including the ones that" (2026-11-28).
_CONNECTOR = {
    "and",
    "also",
    "but",
    "then",
    "plus",
    "with",
    "or",
    "as",
    "so",
    "without",
    "except",
    "excluding",
}


def before_asking_ahead(message: str, current: Iterable[str], later: Iterable[str]) -> str:
    """The message cut before the clause that asks for a later part: back to the end of the
    sentence before it ("a pancake recipe? | i also want them without eggs"), else to the
    connector before it ("a pancake recipe | and how to do it without eggs"), else at its first
    word ("a pancake recipe | without eggs"); "" when under three words would be left."""
    current, later = list(current), list(later)
    seen = {stem(word) for text in current for word in content_words(text)}
    distinctive = set().union(*(request_stems(part) for part in later)) - seen
    figures = numbers_of(later) - numbers_of(current)
    tokens = message.split()
    first = next(
        (
            i
            for i, token in enumerate(tokens)
            if any(stem(w) in distinctive for w in content_words(token))
            or (numbers_in(token) & figures and not (i and _LABEL.match(tokens[i - 1])))
        ),
        None,
    )
    if first is None:
        return message
    kept = tokens[:first]
    sentence_ends = [i for i, token in enumerate(kept) if token.endswith((".", "?", "!"))]
    connectors = [i for i, token in enumerate(kept) if token.lower().strip(",;:-") in _CONNECTOR]
    if sentence_ends:
        kept = kept[: sentence_ends[-1] + 1]
    elif connectors and connectors[-1] >= 3:
        kept = kept[: connectors[-1]]
    # ... and without the word that led into the later request: "... vowels in a string using |
    # OOP?" had been sent as "... in a string using" (grid run of the evening of 2026-11-29)
    while kept and kept[-1].lower().strip(",;:-") in _LEAD_IN:
        kept = kept[:-1]
    # ... and nothing is sent that stops on a verb with its object cut away: "Hey, can you help me
    # find | the 3rd oldest ... city?" had been sent as "Can you help me find" (grid run of the night
    # of 2026-11-29)
    if kept and kept[-1].lower().strip(",;:-") in _WANTS_AN_OBJECT:
        return ""
    # ... nor on a question word and what little follows it: "... and tell me which one | is the 3rd in
    # the list?" had been sent as "Tell me which one" (grid run of the night of 2026-11-29)
    if any(token.lower().strip(",;:-") in _QUESTION_WORDS for token in kept[-2:]):
        return ""
    return " ".join(kept).rstrip(",;:- ") if len(kept) >= 3 else ""


_QUESTION_WORDS = frozenset(
    {"which", "what", "who", "whom", "whose", "where", "when", "how", "why", "whether", "if"}
)
_WANTS_AN_OBJECT = frozenset(
    {"find", "get", "know", "see", "tell", "show", "give", "make", "write", "list", "calculate", "explain"}
    | {"provide", "help", "identify", "determine", "me", "need", "want", "like"}
)


_LEAD_IN = frozenset(
    {
        "using",
        "with",
        "in",
        "into",
        "for",
        "by",
        "via",
        "including",
        "as",
        "to",
        "of",
        "on",
        "without",
        "the",
        "a",
        "an",
        # "... which city did that happen in, along | with the highest population?" (grid run of the
        # night of 2026-11-29), and a copula left before the later part's word: "where it is | located"
        "along",
        "is",
        "are",
        "was",
        "were",
    }
)


# "X instead of Y", "X rather than Y": the thing asked for and the thing it replaces.
_INSTEAD = re.compile(
    r"\b([a-z][\w-]*)\s+(?:instead of|rather than)\s+(?:an?\s+|the\s+|using\s+|being\s+|making\s+it\s+)?"
    r"([a-z][\w-]*)",
    re.IGNORECASE,
)


# Words for opposite wishes: the user of a goal that says one asks for the other only against it.
_OPPOSITES = {
    "recursive": "iterative", "iterative": "recursive", "formal": "informal", "informal": "formal",
    "polite": "rude", "firmer": "softer", "softer": "firmer", "longer": "shorter", "shorter": "longer",
}  # fmt: skip


def asks_the_opposite(message: str, goal: str, excluded: set[str]) -> bool:
    """The user asks for something in place of what their goal wants: "Make the factorialize
    function iterative instead of recursive to optimize memory usage", the chatbot's suggestion
    taken up by a user whose goal is a recursive function (grid run of 2026-11-29). What the goal
    leaves out may be replaced ("applesauce instead of eggs" for pancakes without eggs)."""
    said, goal_words = (
        {word.lower() for word in content_words(message)},
        {word.lower() for word in content_words(goal)},
    )
    # "How to make the factorialize function iterative to avoid infinite loops" (the goal: recursive)
    if any(_OPPOSITES.get(word) in goal_words and word not in goal_words for word in said):
        return True
    wanted = {stem(word) for word in content_words(goal.lower())}
    for match in _INSTEAD.finditer(message):
        new, old = stem(match[1].lower()), stem(match[2].lower())
        if old in wanted and old not in excluded and new not in wanted and new not in TASK_VERBS:
            return True
    return False


def contradicts_persona(message: str, attributes: Mapping[str, str]) -> bool:
    """The message states an occupation, an age, a gender, a home country or a first language the
    persona does not have."""
    text = message.lower().replace("’", "'")
    schema = default_schema().attributes
    occupation = attributes.get("occupation")
    if occupation:
        own = _occupation_words(schema["occupation"][occupation])
        for key, phrase in schema["occupation"].items():
            noun = _occupation_words(phrase)
            if (
                key != occupation
                and noun
                and noun != own
                and re.search(_SELF + re.escape(noun) + r"\b", text)
            ):
                return True
    bracket = _AGE_BRACKETS.get(attributes.get("age_bracket", ""))
    if bracket:
        for match in _AGE.finditer(text):
            age = int(match.group(1) or match.group(2))
            if not bracket[0] <= age <= bracket[1]:
                return True
    if _claims_other_gender(text, attributes.get("gender", "")) or _claims_other_home(
        text, attributes.get("region", ""), schema.get("region", {})
    ):
        return True
    return attributes.get("native_english") == "no" and bool(_NATIVE_CLAIM.search(text))


def _claims_other_gender(text: str, gender: str) -> bool:
    """A man or woman words of the other gender for themselves; a non-binary person either."""
    if gender not in ("female", "male", "non-binary"):
        return False
    claimed = {match.group("word") for match in _GENDER_CLAIM.finditer(text)}
    own = _GENDER_WORDS.get(gender, set())
    return bool(claimed - own)


def _claims_other_home(text: str, region: str, regions: Mapping[str, str]) -> bool:
    """ "I'm from the United States" from a persona of Brazil (a country the persona schema knows)."""
    if region not in regions:
        return False
    for key, name in regions.items():
        country = re.escape(name.lower().removeprefix("the "))
        if key != region and re.search(rf"(?:{_HOME})\s+(?:the\s+)?{country}\b", text):
            return True
    return False


def _occupation_words(phrase: str) -> str:
    """The head noun of an occupation phrase ("a school teacher" -> "teacher"); '' for "retired"."""
    match = re.match(r"(?:a|an)\s+(.+)", phrase)
    return match.group(1).split()[-1] if match else ""

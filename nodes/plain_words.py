"""Plain words for a request: the verbs people type to a chatbot, not the ones of a task sheet.

A goal plan's parts are instructions ("Ensure that these tours do not involve serious climbing",
"Analyze the relationship between ..."), and the small inquirer types them nearly as they stand
("ensure the function does not enter an infinite loop.", reading run of 2026-11-28). Real users
almost never open a request so: in the first 8,800 ShareGPT conversations, of 19,503 later user
messages under 60 words, under 0.1% start with "ensure", "determine", "identify", "analyze",
"evaluate", "utilize" or "allow" each (0.4% "provide"), where 1.5% start with "give me" and 5% with
"how". The same request in plain words reads as a person's: "these tours shouldn't involve serious
climbing", "how the amount of feed given relates to the chicken egg production rate". A task to find
something out is asked as the question itself ("Find out which parts of France are good for walking
tours" -> "which parts of France are good for walking tours?", "Calculate the total amount of feed"
-> "what's the total amount of feed?"): 519 real messages start "what is/what's the", 7 "calculate".

Only the head of a request is reworded (the start of a text or sentence, or after "please" or
"can you"), so the words of the request itself, the goal's details, stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from llm_roleplay.blocks.style.question_order import in_question_order, still_embedded

# Where a request starts: the text or a sentence begins, optionally after "please" / "can you".
_HEAD = (
    r"(?P<head>(?:^|(?<=[.!?]\s)|(?<=\n))\s*(?:(?:also|then|and|now),?\s+)?"
    r"(?:please,?\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?)"
)


def _relation(match: re.Match[str]) -> str:
    """ "Analyze the relationship between A and B" -> "how A relates to B" (at the first "and")."""
    first, second = match.group("first").strip(), match.group("second").strip()
    return f"{match.group('head')}{_same_case('how', match.group('verb'))} {first} relates to {second}"


def _give_who(match: re.Match[str]) -> str:
    """ "provide me with X" -> "give me X"."""
    return f"{match.group('head')}{_same_case('give', match.group('verb'))} {match.group('who')}"


def _feasible(match: re.Match[str]) -> str:
    """ "Evaluate the feasibility of doing X" -> "whether doing X is possible"."""
    whether = _same_case("whether", match.group("verb"))
    return f"{match.group('head')}{whether} {match.group('what').strip()} is possible"


def _so_that(match: re.Match[str]) -> str:
    """ "Allow the user to insert a number" -> "make it so the user can insert a number" (shown "Let
    the user insert ...", the small model wrote "let's factorize a number", reading run of 2026-11-28)."""
    return f"{match.group('head')}{_same_case('make it so', match.group('verb'))} {match.group('who')} can"


def _asks_the_chatbot(head: str) -> bool:
    """The head already asks ("can you ...", "please ..."): the verb stays a request's verb."""
    return bool(re.search(r"\b(?:you|please)\b", head, re.IGNORECASE))


def _asked_directly(match: re.Match[str]) -> str:
    """ "Find out which parts of France are good for walking tours." -> "which parts of France are
    good for walking tours?": people ask the question (1 of 30,547 real user messages starts "find
    out"); an embedded order that cannot be turned is told ("tell me how many calories I burned")."""
    head, verb, question = match.group("head"), match.group("verb"), match.group("question")
    if _asks_the_chatbot(head):
        return f"{head}{_same_case('find out', verb)} {question}{match.group('end')}"
    direct = in_question_order(question)
    if still_embedded(direct):
        return f"{head}{_same_case('tell me', verb)} {question}{match.group('end')}"
    end = match.group("end") if match.group("end") in ("!", "?") else "?"
    return f"{head}{_same_case(direct[:1], verb)}{direct[1:]}{end}"


def _whether(match: re.Match[str]) -> str:
    """ "Determine if X" -> "tell me if X" (after "can you": "find out if X")."""
    plain = "find out" if _asks_the_chatbot(match.group("head")) else "tell me"
    return f"{match.group('head')}{_same_case(plain, match.group('verb'))} "


def _should(match: re.Match[str]) -> str:
    """ "Ensure that these tours do not involve serious climbing" -> "these tours shouldn't involve
    serious climbing": a person states what they want of it (6 of 30,547 real user messages start
    "make sure"); after "can you" or "please" it stays "make sure"."""
    head, subject, verb = match.group("head"), match.group("subject"), match.group("verb")
    if _asks_the_chatbot(head):
        return f"{head}{_same_case('make sure', verb)} {subject} {match.group('aux')} "
    aux = match.group("aux").lower().replace("n't", " not")
    should = "shouldn't" if aux.endswith(" not") else "should"
    be = " be" if aux.split()[0] in ("is", "are") else ""
    return f"{head}{_same_case(subject[:1], verb)}{subject[1:]} {should}{be} "


# Where a noun phrase's head ends: "the total amount | of feed", "the calories | burned".
_PHRASE_HEAD_END = re.compile(
    r"\s(?:of|for|in|to|on|at|with|from|between|given|that|which|who|per|by|after|before|\w+ed)\b|[,:;]"
)
# "find the bug and fix it" is two requests: a question would lose the second
_SECOND_REQUEST = re.compile(
    r"\b(?:and|then)\s+(?:\w+\s+)?(?:fix|write|make|give|show|explain|tell|list|use|add|change|calculate"
    r"|find|determine|compare|convert|round)\b",
    re.IGNORECASE,
)


def _what_is(match: re.Match[str]) -> str:
    """ "Calculate the total amount of feed given in a day." -> "what's the total amount of feed
    given in a day?": of 30,547 real user messages 519 start "what is/what's the", 7 "calculate"
    and none "determine the"; after "can you" the verb stays."""
    head, verb, what = match.group("head"), match.group("verb"), match.group("what")
    if _asks_the_chatbot(head) or _SECOND_REQUEST.search(what):
        return match.group(0)
    noun = _PHRASE_HEAD_END.split(what, maxsplit=1)[0].split()[-1].lower()
    plural = noun.endswith("s") and not noun.endswith(("ss", "us", "is"))
    asked = "what are" if plural else "what's"
    end = match.group("end") if match.group("end") in ("!", "?") else "?"
    return f"{head}{_same_case(asked, verb)} {what}{end}"


_Replacement = Callable[[re.Match[str]], str]

# (pattern after the head, the plain verb or a function of the match), the longer phrase first.
_PLAIN: list[tuple[str, str | _Replacement]] = [
    (
        r"(?P<verb>analy[sz]e|examine|explore)\s+the\s+relationship\s+between\s+(?P<first>.+?)\s+and\s+"
        r"(?P<second>[^.!?\n]+)",
        _relation,
    ),
    (r"(?P<verb>evaluate|assess|determine)\s+the\s+feasibility\s+of\s+(?P<what>[^.!?\n]+)", _feasible),
    (
        r"(?P<verb>ensure|make certain|make sure)(?:\s+that)?\s+"
        r"(?P<subject>(?:the|these|this|those|that|it|they|my|each|every|all)\b[^.!?,\n]{0,40}?)\s+"
        r"(?P<aux>does not|do not|doesn't|don't|is not|are not|isn't|aren't|is|are)\s+",
        _should,
    ),
    (r"(?P<verb>ensure|make certain)(?:\s+that)?\b", "make sure"),
    (r"(?P<verb>provide|give)\s+a\s+list\s+of\b", "list"),
    # "provide me with that information" -> "give me that information", not "give me with ..."
    # (grid run of 2026-11-29: "can you give me with that information?")
    (r"(?P<verb>provide)\s+(?P<who>me|us)\s+with\b", _give_who),
    (r"(?P<verb>provide)\b", "give"),
    (
        r"(?P<verb>find out|figure out|determine|identify)\s+"
        r"(?P<question>(?:which|what|who|where|when|how|why)\b[^.!?\n]*)(?P<end>[.!?]?)",
        _asked_directly,
    ),
    (r"(?P<verb>determine|evaluate|assess|find out)\s+(?=whether\b|if\b)", _whether),
    (
        r"(?P<verb>determine|calculate|compute|identify|work out)\s+(?P<what>the\s+[^.!?\n]+?)"
        r"(?P<end>[.!?]|$|(?=\n))",
        _what_is,
    ),
    (r"(?P<verb>determine)\b", "find out"),
    (r"(?P<verb>identify)\b", "find"),
    (r"(?P<verb>analy[sz]e)\b", "look at"),
    (r"(?P<verb>evaluate|assess)\b", "check"),
    (r"(?P<verb>develop|implement|generate)\b", "write"),
    (r"(?P<verb>utili[sz]e)\b", "use"),
    (r"(?P<verb>substitute)\b", "replace"),
    (r"(?P<verb>allow)\s+(?P<who>the user|users?|me|them)\s+to\b", _so_that),
]
_COMPILED = [(re.compile(_HEAD + pattern, re.IGNORECASE), plain) for pattern, plain in _PLAIN]


def _same_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _with_verb(word: str) -> _Replacement:
    return lambda match: f"{match.group('head')}{_same_case(word, match.group('verb'))}"


# A task sheet's pointer to its own data: "Calculate the total amount of feed given to the chickens
# in a day based on the information provided. Every day, I feed ..." (the chickens opening of the
# grid run of 2026-11-29). 0 of 30,547 real user messages (first 8,800 ShareGPT conversations) say
# "based on the information/details/data provided/given"; people who paste first say "with the
# information above" (2), which stays.
_TASK_SHEET_POINTER = re.compile(
    r",?\s+based on (?:the|this) (?:information|details|data|figures) (?:provided|given)"
    r"(?: (?:above|below))?\b",
    re.IGNORECASE,
)


def in_plain_words(text: str) -> str:
    """``text`` with each request's task-sheet verb in the words people use ("Ensure that X" ->
    "Make sure X") and without the task sheet's "based on the information provided"; the rest as it
    is."""
    text = _TASK_SHEET_POINTER.sub("", text)
    for pattern, plain in _COMPILED:
        text = pattern.sub(plain if callable(plain) else _with_verb(plain), text)
    return text

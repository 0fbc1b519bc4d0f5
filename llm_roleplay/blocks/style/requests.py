"""How a request is put: the small model's indirect forms turned into the ones real users type.

A person with the "can you" habit asks "can you X?"; one without says "X" or asks the question
itself. The small model wraps nearly every request in "can you", "I want to", "help me" or "is it
possible to", and opens complaints with "Sorry, your answer ...". Each function takes the message
text and returns it rewritten (unchanged when its form is absent); the typing pass
(:mod:`llm_roleplay.blocks.style.typing_pass`) calls them according to the person's drawn habits.
Counts in the comments are of the first 8,800 ShareGPT conversations (28,657 English user messages).
"""

from __future__ import annotations

import re

from llm_roleplay.blocks.style.question_order import in_question_order, still_embedded
from llm_roleplay.blocks.style.sentences import first_sentence, same_case_start, split_closing

_CAN_YOU_FULL = re.compile(r"^\s*(?:can|could|would|will)\s+you\s+(?:please\s+)?", re.IGNORECASE)
_CAN_YOU_TELL = re.compile(
    r"^\s*(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:tell|explain(?:\s+to)?|show)(?:\s+(?:me|us))?\s+"
    r"(?=(?:what|how|why|when|where|which|who)\b)",
    re.IGNORECASE,
)
_SORRY = re.compile(r"^\s*sorry\b[,.!]?\s*(?:but\s+)?(?=(?:your|you|that|the|it|this)\b)", re.IGNORECASE)
# "Your current response doesn't list the world's 10 oldest ..." (grid run of 2026-11-29): 0 of
# 30,547 real messages say "your current response doesn't/didn't"
_YOUR_ANSWER = re.compile(
    r"^\s*your (?:current |previous |last )?(?:answer|response|reply)(?P<is> is)?\b", re.IGNORECASE
)
# "Could you give the correct distances?", "Could you tell me again?": the small model's polite
# re-ask after a complaint (8 of 180 of our user messages of the reading runs of 2026-11-28/29;
# "could you give/tell me again" 0 of 30,547 real messages, "could you give the correct ..." 0),
# where people type "try again" (60 real messages) or "fix it" (47).
_POLITE_REASK = re.compile(
    r"(?:(?<=^)|(?<=[.!?]\s))(?:could|can|would) you (?:please )?"
    r"(?:(?:give|tell|show|provide)(?: me)?(?: with)? (?:the )?(?:correct|right)\b[^.?!\n]*"
    r"|(?:tell|give|show) (?:me|it) again|clarify(?: it| that| this)?|correct (?:it|that|this))"
    r"(?: again)?(?: please)?\s*(?:[.?!]|$)",
    re.IGNORECASE,
)
_HELP_ME = re.compile(
    # not "make" ("help me make pancakes": the person cooks) nor "plan", "build", "get", "pick"
    r"^\s*(?:please\s+)?help me (?:to )?(?=(?:write|create|calculate|compute|draw|convert|translate"
    r"|rewrite|fix|improve|shorten|summari[sz]e|compare|list|design|generate|count|find|figure out"
    r"|integrate)\b)",
    re.IGNORECASE,
)
# "I was wondering if you could help me out with something." before the request itself: 0 of 28,657
# real messages open so, 2 with "I was wondering" at all; 2 of 4 openings of a run of 2026-11-28 did
# (and 2 of 197 of our messages "I was just wondering", 0 real).
_PREAMBLE = re.compile(
    r"^\s*I was (?:just )?wondering if you could help me(?: out)?(?: with (?:something|this|a question))?"
    r"[.!,]\s*(?=\S)"
    # "Can you help me out? If I can skip at 3 miles per hour, ..." (seen on 2026-11-28): 0 of the
    # real messages put the question for help as a sentence of its own before the request
    r"|^\s*(?:can|could|would) you (?:please )?help me(?: out)?"
    r"(?: with (?:something|this|a question|a problem))?\s*[?.!]\s*(?=\S)",
    re.IGNORECASE,
)
_POSSIBLE = re.compile(
    r"^\s*(?:is it possible (?:for (?:you|me) )?to|I was (?:just )?wondering if you could)"
    r" (?:(?P<know>know|find out|learn|see|understand),?\s+(?=(?:what|how|why|when|where|which|who|if"
    r"|whether)\b)"
    # a task for the chatbot; "is it possible to make pancakes without eggs?" asks whether it can be
    # done, and made the order "Make pancakes without eggs." (make demo, 2026-11-28, refused)
    r"|(?=(?:help|write|create|generate|draw|calculate|compute|list|refine|rewrite|translate|summari[sz]e"
    r"|convert|find|tell|show|explain|recommend|suggest|design|count|change|improve|fix"
    r"|develop|implement|code)\b"
    # giving to the user only: "Is it possible to provide enough feed to achieve high egg production?"
    # asks about the user's hens, and had been sent as the order "Provide enough feed to achieve high
    # egg production." (grid run of the evening of 2026-11-29)
    r"|(?=(?:give|provide)\s+(?:me|us)\b)))",
    re.IGNORECASE,
)
# "I want to draw a unicorn ...": the small model's other indirect request. 43% of the openings of
# the run of 2026-11-28 began with "I" against 12% of the real ones (first 8,800 ShareGPT
# conversations), where "I want/need/would like to" opens 2% and "can you" 6.5%. Only verbs of a
# task the chatbot can do: "I need to know" or "I want to go" are no request to it.
_YOU_DO_IT = re.compile(
    r"\b(?:can|could|would|will) you (?:please )?(?:do|write|make|create) (?:that|it|this|one)\b",
    re.IGNORECASE,
)
_WISH = re.compile(
    r"^\s*I(?: really| just)?(?: want| need| would like|'d like|’d like|'m looking|’m looking"
    r"| am looking) to "
    # not "make": "I want to make pancakes without eggs" is the person's own cooking, not an order
    r"(?=(?:write|create|calculate|compute|draw|plan|convert|translate|rewrite|fix|build|improve"
    r"|shorten|summari[sz]e|compare|list|design|generate|count|code)\b)",
    re.IGNORECASE,
)
# "I need a function to count vowels": the thing wished for, asked for as people ask ("write a
# function to count vowels"); the verb is the one people use for it.
_WANTED_THING = re.compile(
    r"^\s*I(?: really| just)?(?: want| need| would like|'d like|’d like|'m looking for|’m looking for"
    # up to two words before the thing: "I'm looking for a simple recipe for pancakes without eggs"
    # (make demo's opening; 8% of real openings start with "I", 3 of our 9 of 2026-11-29)
    r"| am looking for) (?=(?:a|an|some) (?:[a-z-]+ ){0,2}?"
    r"(?:(?P<written>function|script|program|class|code|poem|email|letter|story|essay|cover letter"
    r"|song|speech)|(?P<given>recipe|list|plan|summary|schedule|budget|itinerary))\b)",
    re.IGNORECASE,
)


def plain_complaint(text: str) -> str:
    """'Sorry, but your answer is wrong.' -> "That's wrong." (13 of 385 of our user messages opened
    with "your answer", 6 of 28,657 real ones; 82 real ones open with "that is/doesn't ..."); "...
    does not match. Could you give the correct distances?" -> "... does not match. Try again." """
    plain = _SORRY.sub("", text, count=1)
    plain = _YOUR_ANSWER.sub(lambda match: "that's" if match.group("is") else "that", plain, count=1)
    plain = _POLITE_REASK.sub(
        lambda match: "Try again." if match.group()[0].isupper() else "try again.", plain
    )
    return same_case_start(plain, text) if plain != text else text


def without_help_me(text: str) -> str:
    """'Help me calculate X' -> 'Calculate X' (10 of 385 of our user messages, 34 of 28,657 real)."""
    match = _HELP_ME.match(text)
    return same_case_start(text[match.end() :], text) if match else text


def without_preamble(text: str) -> str:
    """'I was wondering if you could help me out with something. If I skip ...' -> 'If I skip ...';
    so for 'Can you help me out? If I skip ...'."""
    match = _PREAMBLE.match(text)
    return same_case_start(text[match.end() :], text) if match else text


# "I'm curious about how to calculate my speed for each race": the small model's wrapping of a
# question (grid run of 2026-11-29). In the first 8,800 ShareGPT conversations 10 of 30,547 user
# messages open with "I'm curious", "I was wondering", "I'd like to know" or "I want to know" at all;
# people ask the question itself.
_CURIOUS = re.compile(
    r"^\s*(?:I(?:'m|’m| am) (?:just |really )?(?:curious|wondering)(?: about| to know| as to)?"
    r"|I was (?:just )?wondering|I(?:'d|’d| would) (?:really )?like to know|I (?:really |just )?want to know)"
    r",?\s+(?=(?:how|what|why|when|where|which|who)\b)",
    re.IGNORECASE,
)
_HOW_TO = re.compile(r"^(\s*(?:how|what|where|when|which \w+)) to\b", re.IGNORECASE)


def curiosity_asked(text: str) -> str:
    """'I'm curious about how to calculate my speed. I use a stopwatch.' -> 'how do I calculate my
    speed? I use a stopwatch.'; 'I was wondering how far I can go' -> 'how far can I go?'. A question
    whose order cannot be turned ("how many calories I burned") is left as it is."""
    match = _CURIOUS.match(text)
    if not match:
        return text
    first, after = first_sentence(text[match.end() :])
    body, _ = split_closing(first)
    body = in_question_order(_HOW_TO.sub(r"\1 do I", body, count=1))
    if still_embedded(body):
        return text
    return same_case_start(f"{body}?" + (f" {after}" if after else ""), text)


def possible_as_can_you(text: str, can_you: bool) -> str:
    """'Is it possible to create a poem?' (or 'I was wondering if you could create a poem.') ->
    'Can you create a poem?' when ``can_you`` (the person's habit), else 'Create a poem.'; 'Is it
    possible to know how far I can go?' -> 'Can you tell me
    how far I can go?', which the habit then keeps or asks directly. The small model's stand-in for
    a question opened 7 of 132 user messages of two runs of 2026-11-28, against 20 of 28,657 real
    ones (0.07%)."""
    match = _POSSIBLE.match(text)
    if not match:
        return text
    first, after = first_sentence(text[match.end() :])
    body, _ = split_closing(first)
    if can_you or match.group("know"):
        verb = "tell me " if match.group("know") else ""
        return same_case_start(f"can you {verb}{body}?" + (f" {after}" if after else ""), text)
    return same_case_start(f"{body}." + (f" {after}" if after else ""), text)


# The verbs of a task the chatbot does for its user (see _CAN_YOU_DO below).
_TASKS = (
    r"write|create|generate|draw|list|rewrite|translate|summari[sz]e|design|fix|change|substitute|refine"
    r"|improve|add|develop|implement|code|plug|convert|shorten|edit"
)

# What a chatbot does for its user: only then is "can you X?" the request "X." ("Can you walk 6 hours
# by combining running and walking?", the 1.5B user's garbled skipping question of 2026-11-29, had
# become the order "Walk 6 hours by combining running and walking.").
_CHATBOT_DOES = re.compile(
    r"^\s*(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:also\s+)?"
    rf"(?:{_TASKS}"
    r"|tell|give|explain|show|make|help|calculate|compute|find|describe|suggest|recommend|provide"
    r"|check|count|plan|update|modify|replace|continue|do|answer|solve|figure|work|compare|name|get|use"
    r"|try|put|expand|simplify|define|correct|elaborate|clarify|repeat|remove|redo|recalculate"
    r"|double-check|go|say|send|turn|include|format|sort|split|combine|optimi[sz]e|analy[sz]e|break"
    r"|point|let|keep|outline|identify|determine|estimate|proofread|polish|adjust|reword|rephrase|pick"
    r"|choose)\b",
    re.IGNORECASE,
)


def without_can_you(text: str) -> str:
    """'Can you tell me how X?' -> 'tell me how X.' (the question mark goes with the question); only
    for what a chatbot does ("Can you walk 6 hours ...?" stays)."""
    if not _CHATBOT_DOES.match(text):
        return text
    first, rest = first_sentence(text)
    if first.rstrip().endswith((".", "!")):
        return text  # "Can you believe it." and the like: leave alone; a typed "can you X" is asked
    body = _CAN_YOU_FULL.sub("", first).rstrip()
    body = body[:-1].rstrip() if body.endswith("?") else body
    return (body + "." + (" " + rest if rest else "")) if body else text


# "Can you help me figure out how many miles I can travel?", "help me calculate my speed": asked as
# a question by a person without the "can you" habit, the question itself ("how many miles can I
# travel?", "how do I calculate my speed?"), the way real users ask ("how do i" opens 0.7% of the
# real messages, "can you help me" 0.1%).
_HELP_FIND_OUT = re.compile(
    r"^\s*(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?(?:help me|tell me)\s+(?:to\s+)?"
    r"(?:figure out|find out|work out|calculate|determine|understand|know|see)\s+"
    r"(?=(?:what|how|why|when|where|which|who)\b)",
    re.IGNORECASE,
)
_HELP_CALCULATE = re.compile(
    r"^\s*(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?help me\s+(?:to\s+)?"
    # not "figure out if I can skip ...": "how do I figure out if ..." reads as no one asks
    r"(?=(?:calculate|compute|count|convert)\b)",
    re.IGNORECASE,
)


def help_asked_directly(text: str, question: bool = True) -> str:
    """'Can you help me figure out how far I can go?' -> 'how far can I go?', whether or not it was
    meant as a question (as an order, "figure out how far I can go", it opens 3 of 30,547 real user
    messages); meant as a question, 'Can you help me calculate my speed?' -> 'how do I calculate my
    speed?'; left as it is when the order cannot be turned or another form opens the message."""
    first, after = first_sentence(text)
    body, _ = split_closing(first)
    tail = f" {after}" if after else ""
    if match := _HELP_FIND_OUT.match(body):
        direct = in_question_order(body[match.end() :])
        return text if still_embedded(direct) else f"{direct}?{tail}"
    if question and (match := _HELP_CALCULATE.match(body)):
        return f"how do I {body[match.end() :]}?{tail}"
    return text


def asked_directly(text: str) -> str:
    """'Can you tell me how far I can go?' -> 'how far can I go?'; any other "can you" question, and
    one whose order cannot be turned ("how many calories I burned"), is left as it is."""
    direct = in_question_order(_CAN_YOU_TELL.sub("", text, count=1))
    return text if still_embedded(direct) else direct


# "Can you write a function that counts vowels?" asks for a task, not for an answer: a person without
# the "can you" habit types the task ("write a function that counts vowels"), not a question about
# it. Left as questions, 4 of 11 openings of the run of 2026-11-28 began "can you" from persons whose
# habit is 1-3% (real: 6% of openings).
# "help me make pancakes", "help me plan a trip": the person does it (as in ``_HELP_ME``)
_CAN_YOU_DO = re.compile(
    rf"^\s*(?:can|could|would|will)\s+you\s+(?:please\s+)?"
    rf"(?=(?:help me\s+(?:to\s+)?)?(?:{_TASKS})\b|(?:make|plan|give me)\b)",
    re.IGNORECASE,
)


def task_told(text: str) -> str:
    """ "Can you write a function that counts vowels?" -> "write a function that counts vowels."; any
    other message as it is."""
    return without_can_you(text) if _CAN_YOU_DO.match(text) else text


def without_wish(text: str, question: bool) -> str:
    """'I want to draw a unicorn.' -> 'draw a unicorn.' ('how do I draw a unicorn?' as a question);
    'I need a function to X' -> 'write a function to X' ('a recipe for X?' as a question). Asked as
    a question only when nothing after it has the chatbot do it: "I want to write a poem about cats.
    Can you do that?" had been sent as "how do I write a poem about cats? can you do that please?"
    (grid run of the night of 2026-11-29)."""
    question = question and not _YOU_DO_IT.search(text)
    match = _WISH.match(text)
    thing = None if match else _WANTED_THING.match(text)
    if thing and question and thing.group("given"):
        first, after = first_sentence(text[thing.end() :])
        body, _ = split_closing(first)
        return f"{body}?" + (f" {after}" if after else "")
    if thing:
        rest = f"{'write' if thing.group('written') else 'give me'} {text[thing.end() :]}"
    elif match:
        rest = text[match.end() :]
    else:
        return text
    if not question:
        return rest
    first, after = first_sentence(rest)
    body, _ = split_closing(first)
    return f"how do I {body}?" + (f" {after}" if after else "")

"""Was the piece written at all? An email, a poem, code or a text asked for, and a reply without it.

A chatbot asked to write something can answer about it instead of with it: "Sure, here is a firmer
version of your email. It makes your expectations clear ..." and no email; "Done! I've replaced
the number on line 10 with 73." and no code; "I'd recommend sticking with the polite version";
"I'm not able to write a piece asserting that ...". A person sees at once that there is nothing to
copy. A small judge reads the description as the delivery (the labelled set's promise-only and
refused endings all passed the other plain checks).

Each kind of piece has a shape a reader recognises without understanding it:

- **an email or a letter** opens with a salutation line ("Dear Mr Patel,", "Hi Sam,"), has a
  "Subject:" line or closes with a sign-off ("Best regards,");
- **a poem** is three or more short lines (a haiku has three);
- **code** is a fenced block, an inline span that reads as code (``t.forward(73)``) or lines
  that do;
- **any other text** (essay, story, response, ...) is there unless the reply says it will not
  write it ("I'm not able to write ...") or is too short to hold it;
- **a schedule, timetable or itinerary** names two or more days or hours ("Mon", "Day 2",
  "7:30 am"): "Aim to do this workout three times a week, with at least one rest day between"
  was verified as the weekly schedule asked for (the labelled set's gl-085). Of the 3 real
  requests for one (ShareGPT, first 8,800 conversations), the one flagged is a promise with no
  itinerary ("I have now included the address ... in the itinerary").

Only a part that asks for a piece to be written or changed ("write ...", "make it firmer",
"replace the 10th line of the code ...") is read; questions ("explain how ...") are not.
"""

from __future__ import annotations

import re

from llm_roleplay.nodes.code_language import FENCE

# A request to write or change a piece: its verb, then the piece's noun within a few words ("write
# a firmer version of the email"); farther apart the noun is seldom the object ("make it easy for
# individuals ... the program").
_WRITING_VERB = (
    r"\b(?:write|compose|draft|create|make|generate|produce|prepare|rewrite|redo|refine|revise|change"
    r"|replace|substitute|modify|edit|improve|shorten|polish|draw|give me|send me|lay|turn|format)\b"
)
# ... or farther on as what the change is in ("replace the number(s) on the 10th line of the code")
_NEAR = r"(?:(?:\s+[\w'()-]+){0,5}?\s+|[^.?!]{0,60}?\bof\s+(?:the|my|your|this|that)\s+)"
# piece kind -> the nouns that name it in a part; words with other common senses ("script" of a
# film, "program" of a course, "verse" of the Bible) are left out
_KIND_NOUNS: tuple[tuple[str, str], ...] = (
    ("code", r"code|function|python|javascript|turtle|snippet"),
    # not "email address", "the fourth letter"
    (
        "email",
        r"e-?mails?(?!\s+(?:id|ids|address|addresses|list|campaigns?|marketing|database))"
        r"|(?:(?<=cover )|(?<=\ba )|(?<=formal )|(?<=complaint ))letter|letter(?=\s+to\b)",
    ),
    ("poem", r"poem|poems|quatrains?|stanzas?|haiku|limerick|sonnet"),
    ("text", r"text|essay|story|response|paragraph|article|speech|rebuttal"),
    # one the person will follow ("a weekly schedule", "the itinerary"), not a feature ("admin can
    # add courses, generate timetable")
    (
        "schedule",
        r"(?:(?<=\ba )|(?<=\bthe )|(?<=\bmy )|(?<=\bour )|(?<=\byour )|(?<=\bthis )|(?<=weekly )"
        r"|(?<=daily ))(?:schedule|timetable|itinerary)",
    ),
)
_LANGUAGES = frozenset({"python", "javascript"})
_KIND_PATTERNS = [
    (kind, re.compile(rf"{_WRITING_VERB}{_NEAR}(?P<noun>{nouns})\b", re.IGNORECASE))
    for kind, nouns in _KIND_NOUNS
]
# Another shape than the piece ("don't write it in email form", "a prose poem"), many things or
# things about a piece ("50 javascript challenges", "a template for an email", "a title for it").
_OTHER_SHAPE = re.compile(
    r"\b(?:don't|do not|not|no|without|prose|list|lists|\d+|two|three|four|five|six|seven|eight|nine"
    r"|ten|template|outline|ideas?|examples?|suggestions?|tips|title|subject line|headline)\b[^.?!]{0,30}$",
    re.IGNORECASE,
)
_QUESTION_HEAD = re.compile(
    r"^\s*(?:explain|what|why|how|which|who|where|when|is|are|does|do)\b", re.IGNORECASE
)

_EMAIL_SHAPE = re.compile(
    # a salutation, also as a numbered template ("1. Hi [Candidate], ...")
    r"^\s*(?:\d+[.)]\s*)?(?:\*\*)?"
    r"(?:dear|hi|hello|hey|good (?:morning|afternoon|evening)|to whom it may concern)\b"
    r"|^\s*(?:\*\*)?subject\s*:"
    # a sign-off on its own line
    r"|^\s*(?:best(?: regards| wishes)?|kind regards|warm regards|regards|sincerely"
    r"|yours(?: sincerely| truly)?|many thanks|thanks|thank you|cheers)\s*[,!.]?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
POEM_LINES = 3  # a haiku has three
POEM_LINE_WORDS = 14
# An inline span that reads as code: a call, an assignment or an operator between names.
_CODE_SPAN = re.compile(r"`[^`\n]*(?:\w\(|=|\w\.\w)[^`\n]*`")
_CODE_LINE = re.compile(
    r"^\s*(?:[\w.]+\s*\(.*\)\s*;?|[\w.\[\]]+\s*[-+*/]?=\s*\S.*|def \w+.*:|function \w+.*)$"
)
CODE_LINES = 3
# ... or one line that defines a function ("Recursive: def factorialize(n): return ...")
_CODE_SIGNATURE = re.compile(r"\bdef \w+\(.*\):|\bfunction\s*\w*\s*\([^)]*\)\s*\{")
# "I'm not able to write a piece asserting ...", "I can't create that", "I'd recommend sticking
# with the polite version"
_WILL_NOT_WRITE = re.compile(
    r"\b(?:(?:am|'m)\s+(?:not able|unable)\s+to|can(?:'|no)?t|won't|will not|would rather not|"
    r"(?:'d| would) (?:recommend|suggest) (?:sticking|staying|keeping))\s+"
    r"(?:write|create|produce|compose|generate|draft|with)\b",
    re.IGNORECASE,
)
TEXT_WORDS = 20  # fewer words than this hold no essay, story or response
# A schedule sets things against days or hours: "Monday: workout A", "Day 2 -", "| Wed |", "7:30 am".
_WHEN = re.compile(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?\b|\b(?:day|week)\s*\d{1,2}\b"
    r"|\b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
SCHEDULE_SLOTS = 2


def asked_piece(part: str) -> str | None:
    """The kind of piece ``part`` asks to have written or changed ("code", "email", "poem",
    "text"), or None for a question or a part that asks for no piece."""
    part = part.replace("’", "'")
    if _QUESTION_HEAD.match(part):
        return None
    for kind, pattern in _KIND_PATTERNS:
        match = pattern.search(part)
        if not match or _OTHER_SHAPE.search(part[: match.end()]):
            continue
        noun = match.group("noun")
        # a capitalised "Code" or "Story" is a name ("Replace StartUpScout with The Code Concierge")
        if noun[:1].isupper() and noun.lower() not in _LANGUAGES:
            continue
        return kind
    return None


def _has_poem(answer: str) -> bool:
    short = [
        line
        for line in answer.splitlines()
        if line.strip()
        and not line.lstrip().startswith("```")  # a poem in a code block is still a poem
        and len(line.split()) <= POEM_LINE_WORDS
        and not line.rstrip().endswith(":")
    ]
    return len(short) >= POEM_LINES and not _WILL_NOT_WRITE.search(answer)


def _has_code(answer: str) -> bool:
    if FENCE.search(answer) or _CODE_SPAN.search(answer) or _CODE_SIGNATURE.search(answer):
        return True
    return sum(bool(_CODE_LINE.match(line)) for line in answer.splitlines()) >= CODE_LINES


def _has_text(answer: str) -> bool:
    return not _WILL_NOT_WRITE.search(answer) and len(answer.split()) >= TEXT_WORDS


def _has_email(answer: str) -> bool:
    return bool(_EMAIL_SHAPE.search(answer))


def _has_schedule(answer: str) -> bool:
    return len({match.group().lower() for match in _WHEN.finditer(answer)}) >= SCHEDULE_SLOTS


_HAS_PIECE = {
    "email": _has_email,
    "poem": _has_poem,
    "code": _has_code,
    "text": _has_text,
    "schedule": _has_schedule,
}


def missing_piece(part: str, answer: str) -> str | None:
    """What a reader sees is missing when ``answer`` should hold the piece ``part`` asks for
    ("it writes no email"), or None when it holds one or the part asks for none."""
    kind = asked_piece(part)
    if kind is None or not answer.strip() or _HAS_PIECE[kind](answer.replace("’", "'")):
        return None
    return f"it writes no {kind}"

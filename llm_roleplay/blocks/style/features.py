"""Surface features of one chat message: how a person typed it, not what it says.

These are the habits that tell real users' messages to chatbots from an LLM's: length, casing,
closing punctuation, politeness, greetings, "can you ..." openings, pasted material, contractions
and typos. The same functions measure a reference set (``roleplay calibrate``), the simulated users
(``roleplay eval``), and steer the typing pass, so a statistic always means the same thing.

Definitions (each a yes/no of one message, except ``words`` and ``typo_share``):

- ``words``: word tokens (letters, digits and in-word apostrophes).
- ``typed``: one paragraph without a code fence, the kind of text a person types (not a flag of
  the statistics: the length model is fitted on such messages only, see ``fit.py``).
- ``lowercase_start``: the first letter is lowercase.
- ``no_closing_punct``: the last visible character is not ``.``, ``!`` or ``?``.
- ``ends_question``: the last visible character is ``?``.
- ``asks_question``: put as a question: a sentence of the typed text (code fences left out) ends in
  ``?``, or the message opens with a question word ("how ...", "whats ...") or with an auxiliary
  before its subject ("is it ...", "can you ...", "do i ..."); most real questions to chatbots
  carry no question mark ("how do i turn a list of strings into ints in python").
- ``please``: says "please" (or "pls", "plz").
- ``greeting``: opens with hi / hello / hey / greetings / good morning|afternoon|evening / dear.
- ``thanks``: says "thanks", "thank you", "thx" or "ty".
- ``can_you_opening``: opens with "can/could/would/will you".
- ``several_lines``: more than one non-empty line.
- ``code_fence``: contains a Markdown code fence.
- ``contraction``: contains a contraction, with or without its apostrophe ("don't", "dont").
- ``dropped_apostrophe``: contains a contraction typed without its apostrophe ("dont", "im").
- ``lowercase_i``: uses "i" for "I".
- ``typo_share``: share of lowercase alphabetic words of 3+ letters that are not in the English
  word list (``data/english_words.txt``); a proxy for misspellings.
- ``sentence_lines``: typed prose of two or more sentences (no code fence, at most 80 words;
  sentences end in ``.``, ``!`` or ``?`` or at a line break) that puts a line break between them
  ("how could I make a pendulum ...?" / "is making a circle pendulum ... a good idea"); None for
  any other message. 30-32% of such real messages do (first 8,800 ShareGPT conversations).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from llm_roleplay.blocks.style.sentences import SENTENCE_BREAK

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_PLEASE = re.compile(r"\b(?:please|pls|plz)\b", re.IGNORECASE)
GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|greetings|good (?:morning|afternoon|evening)|dear)\b[ ,!.]*",
    re.IGNORECASE,
)
_THANKS = re.compile(r"\b(?:thanks|thank\s+you|thx|ty)\b", re.IGNORECASE)
CAN_YOU = re.compile(r"^\s*(?:can|could|would|will)\s+you\b", re.IGNORECASE)
_CONTRACTION = re.compile(
    r"\b(?:\w+n['’]t|i['’]m|\w+['’](?:re|ve|ll|d)|(?:it|that|what|there|he|she|who|here|let)['’]s)\b",
    re.IGNORECASE,
)
# Contractions typed without the apostrophe; only forms that are not also ordinary words
# ("its", "id", "well", "were" and "shell" are left out on purpose).
_DROPPED = re.compile(
    r"\b(?:dont|doesnt|didnt|cant|couldnt|wouldnt|shouldnt|wont|isnt|arent|wasnt|werent|havent|hasnt"
    r"|im|ive|youre|theyre|thats|whats|theres|lets|hes|shes|youve|youll|ill)\b"
)
_QUESTION_MARK = re.compile(r"(?<=[^\s?])\?+(?=[\s\"'’”)\]]|$)")
_QUESTION_OPENING = re.compile(
    r"^\W*(?:(?:what|how|why|when|where|which|who|whom|whose)(?:['’]?s|['’]?re)?\b"
    r"|(?:is|are|am|was|were|do|does|did|can|could|would|will|should|shall|may|might|have|has"
    r"|isn['’]?t|aren['’]?t|don['’]?t|doesn['’]?t|didn['’]?t|can['’]?t|won['’]?t|wouldn['’]?t)"
    r"\s+(?:i|you|u|we|they|he|she|it|there|this|that|these|those|anyone|someone|anybody)\b)",
    re.IGNORECASE,
)
_FENCED = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_LOWERCASE_I = re.compile(r"(?<![\w'’])i(?![\w'’])")
_CLOSING = (".", "!", "?")
# Longer messages are mostly pasted material, laid out by where it came from, not typed.
TYPED_PROSE_MAX_WORDS = 80
_BLANK_LINE = re.compile(r"\n[ \t]*\n")

BINARY_FEATURES = (
    "lowercase_start",
    "no_closing_punct",
    "ends_question",
    "asks_question",
    "please",
    "greeting",
    "thanks",
    "can_you_opening",
    "several_lines",
    "code_fence",
    "contraction",
    "dropped_apostrophe",
    "lowercase_i",
)


@dataclass(frozen=True)
class MessageStyle:
    words: int
    typo_share: float | None  # None: no word to judge
    flags: dict[str, bool]
    sentence_lines: bool | None = None  # None: not typed prose of several sentences
    typed: bool = True  # one paragraph, no code fence (see the module docstring)


def words(text: str) -> list[str]:
    return WORD.findall(text)


def last_visible(text: str) -> str:
    stripped = text.rstrip()
    return stripped[-1:] if stripped else ""


def starts_lowercase(text: str) -> bool:
    match = _LETTER.search(text)
    return bool(match and match.group().islower())


@cache
def english_words() -> frozenset[str]:
    """The word list behind ``typo_share``: lowercase words, one per line, gzip-compressed."""
    data = files("llm_roleplay").joinpath("data/english_words.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def typo_candidates(text: str) -> list[str]:
    """Lowercase alphabetic words of 3+ letters outside code fences: what a typo check looks at.

    Capitalised words are left out (names, acronyms, sentence starts that may be names), and so are
    words with digits or underscores (identifiers).
    """
    prose = re.sub(r"```.*?(?:```|$)", " ", text, flags=re.DOTALL)
    return [
        word.replace("’", "'")
        for word in WORD.findall(prose)
        if len(word) >= 3 and word.isalpha() and word.islower()
    ]


def typo_share(text: str) -> float | None:
    candidates = typo_candidates(text)
    if not candidates:
        return None
    vocabulary = english_words()
    return sum(1 for word in candidates if word not in vocabulary) / len(candidates)


def asks_question(text: str) -> bool:
    """The message is put as a question (see ``asks_question`` in the module docstring)."""
    prose = _FENCED.sub(" ", text)
    return bool(_QUESTION_OPENING.match(prose) or _QUESTION_MARK.search(prose))


def sentence_lines(text: str) -> bool | None:
    """Whether typed prose of several sentences breaks lines between them (see the docstring)."""
    text = text.strip()
    if "```" in text or len(words(text)) > TYPED_PROSE_MAX_WORDS:
        return None
    if sum(1 for part in SENTENCE_BREAK.split(text) if part.strip()) < 2:
        return None
    return "\n" in text


def message_style(text: str) -> MessageStyle:
    end = last_visible(text)
    lines = [line for line in text.splitlines() if line.strip()]
    flags = {
        "lowercase_start": starts_lowercase(text),
        "no_closing_punct": end not in _CLOSING,
        "ends_question": end == "?",
        "asks_question": asks_question(text),
        "please": bool(_PLEASE.search(text)),
        "greeting": bool(GREETING.match(text)),
        "thanks": bool(_THANKS.search(text)),
        "can_you_opening": bool(CAN_YOU.match(text)),
        "several_lines": len(lines) > 1,
        "code_fence": "```" in text,
        "contraction": bool(_CONTRACTION.search(text) or _DROPPED.search(text.lower())),
        "dropped_apostrophe": bool(_DROPPED.search(text)),
        "lowercase_i": bool(_LOWERCASE_I.search(text)),
    }
    return MessageStyle(
        words=len(words(text)),
        typo_share=typo_share(text),
        flags=flags,
        sentence_lines=sentence_lines(text),
        typed="```" not in text and not _BLANK_LINE.search(text.strip()),
    )


_STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "to",
        "is",
        "and",
        "i",
        "you",
        "of",
        "in",
        "for",
        "it",
        "this",
        "what",
        "how",
        "can",
        "me",
        "my",
        "be",
        "that",
        "with",
        "on",
        "are",
        "do",
        "your",
        "not",
        "if",
        "as",
        "so",
        "we",
    ]
)


def is_english(text: str) -> bool:
    """A cheap filter for reference sets: mostly Latin letters and some English function words.

    Reference statistics are compared with English simulated users, so other languages are left
    out; messages of three words or fewer pass on their letters alone.
    """
    letters = _LETTER.findall(text)
    if not letters or sum(letter.isascii() for letter in letters) / len(letters) < 0.9:
        return False
    tokens = [token.lower() for token in words(text)]
    if len(tokens) <= 3:
        return True
    return sum(token in _STOPWORDS for token in tokens) / len(tokens) >= 0.1

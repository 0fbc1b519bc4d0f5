"""The typing pass: give a simulated user's message the surface habits of its person.

Small models write every message as a capitalised, punctuated, polite request whatever the
prompt says, so the habits a person has or has not (:class:`PersonaStyle`) are applied here,
deterministically: the same message, style and seed key give the same text. Per message, each
habit is drawn with the person's own probability, then the text is edited to match the draw:

1. greeting: a leading "Hi," / "Hello there!" is removed, or "hi" added to an opening;
2. thanks: "Thanks!" / "Thank you for ..." / "I really appreciate it" sentences are removed, or
   "thanks" added;
3. "can you" opening: "Can you tell me X?" becomes "tell me X" when the person does not ask that way
   ("how X?" for "Can you tell me how X?" when the message is meant as a question; any other "can
   you" question then stays; "Can you help me figure out how far I can go?" becomes "how far can
   I go?" and "help me calculate X" "how do I calculate X?"); so do its twins, the wish ("I want to
   draw X" becomes "draw X", "how do I draw X?" as a question), "help me draw X" and "is it
   possible to draw X" (the rewrites are in :mod:`llm_roleplay.blocks.style.requests`); a question
   wrapped in curiosity is asked directly whatever the habit ("I'm curious about how to calculate X"
   becomes "how do I calculate X?": 10 of 30,547 real user messages open with such a wrapping);
4. please: removed ("Could you please" -> "Could you"), or added at the end of a request;
5. dropped apostrophes ("don't" -> "dont") and lowercase "i";
6. typos: letters swapped, dropped or doubled in words of 4+ letters, at the person's per-word rate
   (topped up to it: words already misspelt count);
7. closing punctuation removed, or a full stop / question mark added;
8. lowercase or capitalised sentence starts;
9. line breaks between sentences (a message of two or more), or the sentences run on one line.

A complaint also loses the model's apology and "your answer" ("Sorry, your answer is wrong" ->
"That's wrong"): real users open complaints with "no", "that's" or "you didn't", almost never so.

Only the typed text is edited: material the user pastes (code, text from the goal) is appended
after the pass and left exactly as it is. ``--style off`` turns the pass off.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from llm_roleplay.blocks.style.features import GREETING, english_words, sentence_lines, typo_candidates
from llm_roleplay.blocks.style.profile import MAX_TYPO_RATE, PersonaStyle, Position
from llm_roleplay.blocks.style.requests import (
    asked_directly,
    curiosity_asked,
    help_asked_directly,
    plain_complaint,
    possible_as_can_you,
    task_told,
    without_can_you,
    without_help_me,
    without_preamble,
    without_wish,
)
from llm_roleplay.blocks.style.sentences import (
    BETWEEN_SENTENCES,
    SENTENCE_END,
    last_sentence,
    split_closing,
)

# Up to two: "Hey there Chatbot! ..." left "Chatbot! I'm looking for help" once "Hey there" went.
_VOCATIVE = re.compile(
    r"^\s*(?:(?:there|ai|chatbot|bot|assistant|chatgpt|friend|everyone|all)\b[ ,!.:]*){0,2}", re.IGNORECASE
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*\s*|\n+")
_THANKS_SENTENCE = re.compile(
    r"^\s*(?:thanks|thank\s+you|thx|many thanks)\b[^.!?\n]*[.!?]*\s*$", re.IGNORECASE
)
_THANKS_LEAD = re.compile(
    r"^\s*(?:thanks|thank\s+you)(?:\s+(?:so|very)\s+much)?(?:\s+for\s+[^,.!?]{1,60})?[,!.]\s*", re.IGNORECASE
)
_THANKS_TAIL = re.compile(
    r"[,.!]?\s*(?:thanks|thank\s+you)(?:\s+(?:in advance|so much|a lot))?\s*([.!?]*)\s*$", re.IGNORECASE
)
# "I really appreciate it" is the small model's other thanks (twice in one dialogue of the grid run
# of 2026-11-29, as the closing line of two complaints); in the first 8,800 ShareGPT conversations
# "appreciate" is in 32 of 30,547 user messages, nearly all inside a task ("a post that appreciates
# the reps' effort"), so it goes with the thanks when the person's thanks habit is not drawn.
_APPRECIATION_SENTENCE = re.compile(
    r"^\s*(?:i|we)\s+(?:(?:really|truly|greatly|do|would|'d)\s+)*appreciate"
    r"(?:\s+(?:it|that|this|your\s+help|the\s+help|your\s+time|you|any\s+help))?"
    r"(?:\s+(?:so\s+much|a\s+lot|very\s+much))?\s*[.!]*\s*$",
    re.IGNORECASE,
)
_HAS_THANKS = re.compile(r"\b(?:thanks|thank\s+you|thx|appreciate)\b", re.IGNORECASE)
_PLEASE = re.compile(r"(?:,\s*please\b|\bplease\s*,?\s*)", re.IGNORECASE)
# "Please!" or "Please help!" as a sentence of its own (0 of 30,547 real user messages end a sentence
# so): without the word, "Help!" was left alone at the end of make demo's third message (2026-11-29).
_PLEASE_SENTENCE = re.compile(
    r"(?:(?<=[.!?])|^)\s*please(?:\s+help(?:\s+me)?)?\s*[.!?]+(?=\s|$)", re.IGNORECASE | re.MULTILINE
)
_APOSTROPHE_WORD = re.compile(r"\b(\w+)['’](t|m|s|re|ve|ll|d)\b", re.IGNORECASE)
_CAPITAL_I = re.compile(r"(?<![\w'’])I(?=(?:['’](?:m|ve|ll|d))?(?![\w]))")
_QUESTION_START = re.compile(
    r"^\s*(?:what|how|why|when|where|which|who|whose|is|are|am|was|were|do|does|did|can|could|would|will"
    r"|should|shall|may|have|has)\b",
    re.IGNORECASE,
)
_IMPERATIVE = re.compile(
    r"\s*(?:write|make|give|tell|show|help|explain|calculate|compute|create|list|find|fix|add|change|rewrite"
    r"|translate|check|draw|convert|summari[sz]e|provide|send|use|try|put|suggest|plan|shorten|improve"
    r"|describe|compare|recommend|correct|update|replace|remove|continue|do|redo|work)\b"
    r"(?!\s+(?:you|i)\b)",  # "do you know ...", "help i ..." are not orders: no "please do you know"
    re.IGNORECASE,
)
_LOWER_WORD = re.compile(r"(?<![\w'’])[a-z]{4,}(?![\w'’])")
_KEYBOARD_NEIGHBOURS = {
    "a": "sqw", "b": "vn", "c": "xv", "d": "sfe", "e": "wrd", "f": "dgr", "g": "fht", "h": "gjy",
    "i": "uok", "j": "hku", "k": "jli", "l": "ko", "m": "n", "n": "bm", "o": "ipl", "p": "o",
    "q": "w", "r": "etf", "s": "adw", "t": "ryg", "u": "yij", "v": "cb", "w": "qes", "x": "zc",
    "y": "tuh", "z": "x",
}  # fmt: skip


@dataclass
class TypedMessage:
    text: str
    edits: list[str] = field(default_factory=list)  # which habits changed the text, in order


def _draw(rng: random.Random, style: PersonaStyle, habit: str, position: Position) -> bool:
    return rng.random() < style.rate(habit, position)


def apply_style(
    text: str,
    style: PersonaStyle,
    position: Position,
    seed_key: str,
    question: bool = False,
    complaint: bool = False,
) -> TypedMessage:
    """Edit ``text`` to the habits drawn for this message (see the module docstring).

    ``question``: the message was meant as a question (the prompt asked for one); a "can you"
    question then stays a question ("Can you tell me how X?" -> "how X?") instead of becoming an
    order, since real users put about 40% of their messages as questions.
    ``complaint``: the message says the last answer was wrong; no "thanks" is added to it (people
    thank for an answer that helped: "Why is the answer not correct, thanks" read as ours).
    """
    rng = random.Random(f"typing:{seed_key}")
    draws = {
        habit: _draw(rng, style, habit, position)
        for habit in (
            "greeting",
            "thanks",
            "can_you_opening",
            "please",
            "dropped_apostrophe",
            "lowercase_i",
            "no_closing_punct",
            "lowercase_start",
            "sentence_lines",
        )
    }
    typo_rate = style.rate("typo", position)
    message = TypedMessage(text.strip())
    greeting = _take_greeting(message)  # set aside, so the edits below see the request itself
    if greeting and not (draws["greeting"] and position == "first"):
        message.edits.append("greeting")
    if not draws["thanks"]:
        _drop_thanks(message)
    if complaint:
        _edit(message, "plain_complaint", plain_complaint(message.text))
    _edit(message, "can_you_opening", without_preamble(message.text))
    _edit(message, "can_you_opening", curiosity_asked(message.text))
    # only a person with the habit gets "can you" from an indirect form: made a "can you" question
    # whenever the message was meant as one, 11 of 23 openings of the run of 10:00 began "can you"
    # (real: 6%)
    _edit(message, "can_you_opening", possible_as_can_you(message.text, draws["can_you_opening"]))
    if not draws["can_you_opening"]:
        _edit(message, "can_you_opening", help_asked_directly(message.text, question))
        for rewrite in (asked_directly if question else without_can_you, task_told, without_help_me):
            _edit(message, "can_you_opening", rewrite(message.text))
        _edit(message, "can_you_opening", without_wish(message.text, question))
    _please(message, draws["please"])
    if draws["dropped_apostrophe"]:
        _edit(message, "dropped_apostrophe", _APOSTROPHE_WORD.sub(r"\1\2", message.text))
    if draws["lowercase_i"]:
        _edit(message, "lowercase_i", _CAPITAL_I.sub("i", message.text))
    _typos(message, typo_rate, rng)
    if draws["thanks"] and not complaint and not _HAS_THANKS.search(message.text):
        body, closing = split_closing(message.text)
        # after a question, not inside it: "...walking? thanks" (none of 28,657 real messages ends
        # "thanks?", the form the plain insertion made of a question)
        thanked = f"{body}{closing} thanks" if "?" in closing else f"{body}, thanks{closing}"
        _edit(message, "thanks", thanked)
    if draws["greeting"] and position == "first":
        new = greeting or rng.choice(("hi", "hello", "hey", "Hi,", "Hello,"))
        _edit(
            message, "greeting" if not greeting else "kept_greeting", f"{new} {_decapitalise(message.text)}"
        )
    _closing(message, draws["no_closing_punct"])
    _casing(message, draws["lowercase_start"])
    if draws["sentence_lines"] and sentence_lines(message.text) is False:
        _edit(message, "sentence_lines", BETWEEN_SENTENCES.sub("\n", message.text))
    return message


def _edit(message: TypedMessage, habit: str, new_text: str) -> None:
    new_text = re.sub(r"[ \t]{2,}", " ", new_text).strip()
    if new_text and new_text != message.text:
        message.text = new_text
        message.edits.append(habit)


def _take_greeting(message: TypedMessage) -> str:
    """Remove a leading greeting ("Hello there!") and return it ('' if none)."""
    match = GREETING.match(message.text)
    if not match:
        return ""
    rest = message.text[match.end() :]
    vocative = _VOCATIVE.match(rest).end()  # type: ignore[union-attr]
    greeting = (message.text[: match.end()] + rest[:vocative]).strip()
    message.text = rest[vocative:].strip() or message.text
    return greeting


def _drop_thanks(message: TypedMessage) -> None:
    if not _HAS_THANKS.search(message.text):
        return
    sentences = [
        part
        for part in _SENTENCE.findall(message.text)
        if not (_THANKS_SENTENCE.match(part) or _APPRECIATION_SENTENCE.match(part))
    ]
    text = _THANKS_LEAD.sub("", "".join(sentences))
    _edit(message, "thanks", _THANKS_TAIL.sub(r"\1", text))


def _please(message: TypedMessage, wanted: bool) -> None:
    has_please = re.search(r"\bplease\b", message.text, re.IGNORECASE)
    if has_please and wanted and len(re.findall(r"\bplease\b", message.text, re.IGNORECASE)) > 1:
        # the model's "please, can you please ...": a person who says please says it once
        head, tail = message.text[: has_please.end()], message.text[has_please.end() :]
        _edit(message, "please", head + _PLEASE.sub(" ", tail).replace(" ?", "?").replace(" .", "."))
    elif has_please and not wanted:
        # a "Please!" of its own goes whole: removing the word alone left "... without sugar.\n!"
        # (a reproduction of make demo's second message, 2026-11-29)
        text = _PLEASE_SENTENCE.sub("", message.text)
        _edit(message, "please", _PLEASE.sub(" ", text).replace(" ?", "?").replace(" .", "."))
    elif wanted and not has_please:
        # Only where people put it: before an imperative ("please make it shorter") or after a
        # question ("can you check it please?"); a plain statement or data gets none.
        if _IMPERATIVE.match(message.text):
            _edit(message, "please", f"please {_decapitalise(message.text)}")
        elif _QUESTION_START.match(message.text):
            body, closing = split_closing(message.text)
            _edit(message, "please", f"{body} please{closing}")


def _typos(message: TypedMessage, rate: float, rng: random.Random) -> None:
    """Misspell word occurrences until the share of misspelt words reaches ``rate`` (in expectation).

    Each occurrence is its own chance, so a word typed three times is not misspelt three times.
    """
    candidates = typo_candidates(message.text)
    rate = min(rate, MAX_TYPO_RATE)
    if not candidates or rate <= 0:
        return
    vocabulary = english_words()
    eligible = sum(1 for word in candidates if len(word) >= 4 and word in vocabulary)
    missing = rate * len(candidates) - sum(1 for word in candidates if word not in vocabulary)
    if missing <= 0 or not eligible:
        return
    chance = min(1.0, missing / eligible)  # over the occurrences that can take a typo

    def maybe(match: re.Match[str]) -> str:
        word = match.group()
        return _misspell(word, rng) if word in vocabulary and rng.random() < chance else word

    pieces = re.split(r"(```.*?(?:```|$))", message.text, flags=re.DOTALL)  # code is never touched
    typed = "".join(piece if piece.startswith("```") else _LOWER_WORD.sub(maybe, piece) for piece in pieces)
    _edit(message, "typo", typed)


def _misspell(word: str, rng: random.Random) -> str:
    position = rng.randrange(1, len(word) - 1)  # keep the first letter: people rarely miss it
    kind = rng.choice(("swap", "drop", "double", "neighbour"))
    if kind == "swap":
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "double":
        return word[: position + 1] + word[position] + word[position + 1 :]
    neighbours = _KEYBOARD_NEIGHBOURS.get(word[position].lower())
    return word[:position] + rng.choice(neighbours) + word[position + 1 :] if neighbours else word


def _closing(message: TypedMessage, omit: bool) -> None:
    body, closing = split_closing(message.text)
    if omit and closing:
        _edit(message, "no_closing_punct", body)
    elif not omit and not closing and body and body[-1].isalnum():
        mark = "?" if _QUESTION_START.match(last_sentence(body)) else "."
        _edit(message, "no_closing_punct", body + mark)


def _casing(message: TypedMessage, lowercase: bool) -> None:
    def fix(match: re.Match[str]) -> str:
        word = match.group(2)
        if lowercase:
            # "I" stays: lowercase "i" is a habit of its own (``lowercase_i``); so do acronyms.
            keep = (word.isupper() and (len(word) > 1 or word == "I")) or word.startswith(("I'", "I’"))
            changed = word if keep else word[0].lower() + word[1:]
        else:
            changed = word[0].upper() + word[1:]
        return match.group(1) + changed

    # Sentence starts: the message start and after a sentence's end and a space (not inside code).
    _edit(message, "lowercase_start" if lowercase else "capital_start",
          re.sub(rf"(^\s*|{SENTENCE_END}\s+)([^\W\d_][\w'’]*)", fix, message.text))  # fmt: skip


def _decapitalise(text: str) -> str:
    """Lowercase the first letter unless the first word is "I" or an acronym."""
    match = re.match(r"\s*([^\W\d_][\w'’]*)", text)
    if not match or match.group(1) == "I" or match.group(1).startswith(("I'", "I’")):
        return text
    word = match.group(1)
    if len(word) > 1 and word.isupper():
        return text
    return text[: match.start(1)] + word[0].lower() + text[match.start(1) + 1 :]

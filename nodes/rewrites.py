"""Plain rewrites of a user message: the small model's habits that need no new try to mend.

The guards in :mod:`llm_roleplay.nodes.voice` reject a message; these keep it and mend what a
rewrite can: the assistant's "Sure," opening, a closing run of hashtags, the chatbot named at the
start or spoken of in the third person, a request wrapped in "can you help me with that?", a
self-description the persona gives away, a direction to paste typed above the pasted code, a task
sheet's verb at the head of a request (:mod:`llm_roleplay.nodes.plain_words`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from llm_roleplay.blocks.style.question_order import in_question_order, still_embedded
from llm_roleplay.blocks.style.sentences import sentences_and_breaks, split_sentences
from llm_roleplay.nodes.checks import (
    NUMBER_WORDS,
    breaks_role,
    describes_chatbot_habits,
    names_traits,
    stem,
    words,
)
from llm_roleplay.nodes.plain_words import in_plain_words
from llm_roleplay.nodes.voice import content_words

_DOCUMENT_TO = re.compile(
    r"\b(email|e-mail|letter|message|note|text|complaint)\b[^.]*?\bto (?:my|the|our|your|a|an) ([a-z]+)",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"^\s*(?:dear\s+)?[^,:!\n]{1,30}[,:!]\s*")


_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|my|me)\b", re.IGNORECASE)


def without_self_description(message: str, traits: Sequence[str]) -> str | None:
    """The message without its sentences in which the user describes themselves by the persona's
    traits or chatbot habits ("I'm a 55-year-old electrician from Brazil and I want to draw a
    unicorn" is dropped, "please help me draw a unicorn in Python" stays), or None when no such
    sentence is there or nothing would be left. The embedded model wrote such a sentence in four
    of four openings of one dialogue, which then ended inquirer_invalid; real users hardly ever
    introduce themselves."""
    sentences = split_sentences(message)

    def describes_self(sentence: str) -> bool:
        plain = sentence.replace("’", "'")
        return bool(_FIRST_PERSON.search(plain)) and (
            names_traits(plain, traits) > 0 or describes_chatbot_habits(plain)
        )

    def without_description(sentence: str) -> str | None:
        if not describes_self(sentence):
            return sentence
        # The request may share the sentence: "I'm a runner from Chile and I want to know my speed
        # in each race." had been dropped whole and "How do I do that? ..." sent without it
        # (reading run of the evening of 2026-11-29).
        for request in _REQUEST_CLAUSE.finditer(sentence):
            clause = sentence[request.start(1) :]
            if not describes_self(clause):
                return clause[:1].upper() + clause[1:]
        return None

    kept = [clause for clause in map(without_description, sentences) if clause]
    if kept == sentences or not kept:
        return None
    return " ".join(kept)


# Where a request begins inside a sentence that also describes the user.
_REQUEST_CLAUSE = re.compile(
    r"(?:,\s*|\s+)(?:and|so|but)\s+"
    r"((?:i\s+(?:want|need|would like|'d like|wanna|was wondering|wonder)|can you|could you|how|please"
    r"|help me)\b)",
    re.IGNORECASE,
)


def as_request_to_write(message: str, goal: str) -> str:
    """A message written to the goal's addressee, turned into what a user would type to a chatbot:
    "landlord, the heater is broken ..." -> "write an email to my landlord: the heater is broken
    ..." ('' when the goal asks for no email or letter, or too little would be left)."""
    document = _DOCUMENT_TO.search(goal)
    body = _ADDRESS.sub("", message, count=1)
    if not document or body == message or len(body.split()) < 3:
        return ""
    kind, addressee = document.group(1).lower(), document.group(2).lower()
    article = "an" if kind[0] in "aeiou" else "a"
    return f"write {article} {kind} to my {addressee}: {body}"


# The prompts call the other side "the chatbot"; a small model repeats the word to the chatbot's
# face ("the chatbot gave me the wrong answer"). People say "you". Only "chatbot", the prompts'
# word: "the bot" or "the assistant" may be what the user is asking about.
_THIRD_PERSON = (
    (re.compile(r"\b(?:the|this) chatbot's\b", re.IGNORECASE), "your"),
    (re.compile(r"\b(?:the|this) chatbot (?:is|was)\b", re.IGNORECASE), "you are"),
    (
        re.compile(
            r"\b(?:the|this) chatbot ((?:only |just |still |never |also |\w+ly )?)"
            r"(has|does|did|gave|made|said|missed|forgot|provided|wrote|answered|told|showed|skipped"
            r"|left|got|used|added|changed|ignored|calculated|listed|mentioned|included)"
            r"((?:n't| not)?)\b",
            re.IGNORECASE,
        ),
        r"you \1\2\3",
    ),
    (re.compile(r"\b(ask|asked|told|tell) (?:the|this) chatbot\b", re.IGNORECASE), r"\1 you"),
)


def to_the_chatbots_face(message: str) -> str:
    """ "the chatbot's answer is wrong" -> "your answer is wrong", "The chatbot gave me" -> "you
    gave me"; other mentions are left for the guard."""
    text = message
    for pattern, replacement in _THIRD_PERSON:
        text = pattern.sub(replacement, text)
    if text != message and text[:1].islower() and message[:1].isupper():
        text = text[:1].upper() + text[1:]
    return text


# "Sure, ..." is the assistant's way to begin; a small model writing the user's side keeps it.
# Measured: 20 of 25,049 later user messages of the ShareGPT reference start so (0.08%), against
# 6 of 61 in the embedded model's dialogues of 2026-11-27.
_ASSENT_OPENING = re.compile(
    r"^\s*(?:(?:okay|ok),?\s+)?(?:sure(?: thing)?|of course|certainly|absolutely)\s*[,!.:;-]+\s*",
    re.IGNORECASE,
)


def without_assent_opening(message: str) -> str:
    """ "Sure, here are my times: ..." -> "here are my times: ..." (capitalised as it was); the
    message as it is when little would be left, or when it speaks as the assistant ("Sure! Here's a
    recipe for you."), a role break the guard must see."""
    match = _ASSENT_OPENING.match(message)
    rest = message[match.end() :] if match else ""
    if not match or len(words(rest)) < 3 or breaks_role(message):
        return message
    return rest[:1].upper() + rest[1:] if message.lstrip()[:1].isupper() else rest


# The small model's enthusiasm as a sentence of its own: "How about finding out which are the
# world's 10 oldest continuously inhabited cities? It's fascinating to learn about some of the most
# historic places in the world." (grid run of 2026-11-29). In the first 8,800 ShareGPT conversations
# 1 of 30,547 user messages says "it's fascinating/interesting/amazing to learn/know/...", inside a
# pasted comment; 0 "I've always been fascinated by".
_ENTHUSIASM = re.compile(
    r"^\s*(?:(?:it'?s|it is|this is) (?:so |really |truly )?(?:fascinating|interesting|amazing|exciting)"
    r" to (?:learn|know|read|see|think|explore|discover)"
    r"|i'?ve always been (?:so |really )?(?:fascinated|interested|curious)"
    r"|i(?:'m| am) (?:so |really )?(?:excited|eager|thrilled)"
    r" to (?:learn|know|find out|see|explore|discover))\b",
    re.IGNORECASE,
)


def without_enthusiasm(message: str) -> str:
    """The message without its sentences of enthusiasm (``_ENTHUSIASM``), when others are left."""
    pieces = sentences_and_breaks(message)
    kept = [(sentence, gap) for sentence, gap in pieces if not _ENTHUSIASM.match(sentence.replace("’", "'"))]
    if not kept or len(kept) == len(pieces):
        return message
    return "".join(sentence + gap for sentence, gap in kept).strip()


# A run of hashtags closing the message ("... can't get enough exercise! #skip #running"), a social
# media habit: 59 of 30,547 real ShareGPT user messages hold two or more hashtags outside code
# blocks, nearly all of them C preprocessor lines or Python comments, none as a sign-off.
_TRAILING_HASHTAGS = re.compile(r"(?:\s+#[A-Za-z]\w*){2,}\s*[.!]*\s*$")


def without_hashtags(message: str) -> str:
    """The message without a closing run of two or more hashtags."""
    return _TRAILING_HASHTAGS.sub("", message).rstrip()


# "Chatbot, can you calculate ..." : the small model names the one it writes to. Measured: 7 of
# 30,547 ShareGPT user messages open by naming the assistant, all within a greeting ("Hi Assistant,
# ...", "Hey assistant, ..."); 2 of the first 15 messages of the embedded model's run of 2026-11-28
# opened with a bare "Chatbot,".
# "Chatbot. How does ..." too (seen twice in one dialogue on 2026-11-28).
# And the role the small model casts the chatbot in: "tour guide, could you make sure ..." (seen).
_VOCATIVE_OPENING = re.compile(
    r"^\s*(?:dear\s+)?(?:(?:chat ?bot|ai|assistant|bot)\s*[,!.]"
    r"|(?:tour\s+|travel\s+)?(?:guide|agent|expert|advisor|adviser|tutor|sir|madam)\s*[,!])\s*",
    re.IGNORECASE,
)


def without_vocative(message: str) -> str:
    """ "Chatbot, can you calculate ..." -> "Can you calculate ..." (capitalised as it was); "Chatbot."
    as well ("Chatbot:" is a speaker label, for the role-break guard)."""
    match = _VOCATIVE_OPENING.match(message)
    rest = message[match.end() :] if match else ""
    if not match or len(words(rest)) < 2:
        return message
    return rest[:1].upper() + rest[1:] if message.lstrip()[:1].isupper() else rest


# "I want to draw a unicorn with the turtle module. Can you help me with that?": the small model's
# request wrapped for politeness. A sentence that only asks for help ends 13 of 28,657 real ShareGPT
# user messages (0.05%), against 6 of the 23 openings of the run of 2026-11-28; the wish before it
# is the request. "can you assist me with that?" is its twin (3 real messages end so).
_HELP_SENTENCE = re.compile(
    r"(?:^|(?<=[.!?])\s+)(?:so,? )?(?:can|could|would|will) you (?:please )?(?:help|assist)(?: me)?"
    r"(?: (?:out )?(?:with|on) (?:that|this|it))?(?: please)?\s*(?:[?.!]+(?=\s|$)|$)",
    re.IGNORECASE,
)
# "I want to know how far I can go": 6 of 28,657 real messages open so; people ask the thing itself
# ("how far can I go"). "I want to know if ..." is left: "if I can skip ..." is no question.
_WANT_TO_KNOW = re.compile(
    r"^\s*I (?:want|need|would like|'d like|’d like) to know,? "
    r"(?=(?:how|what|why|which|where|when|who)\b)",
    re.IGNORECASE,
)


def without_help_wrapping(message: str) -> str:
    """ "I want to draw a unicorn. Can you help me with that?" -> "I want to draw a unicorn.", and
    "I want to know how far I can go" -> "How far can I go" (left as it is when the order cannot be
    turned); the message as it is when little would be left."""
    text = _WANT_TO_KNOW.sub("", message, count=1)
    if text != message:
        text = in_question_order(text)
        if still_embedded(text):
            text = message
        elif message[:1].isupper():
            text = text[:1].upper() + text[1:]
    unwrapped = re.sub(r"\s{2,}", " ", _HELP_SENTENCE.sub("", text)).strip()
    return unwrapped if len(words(unwrapped)) >= 4 else text


# "make the function recursive. paste the code" with the code pasted below it: the prompt's
# direction ("They paste their code right below the message") typed out as words of the message
# (seen on 2026-11-28; 0 of 28,657 real user messages say "paste the code").
_PASTE_DIRECTION = re.compile(
    r"(?:^|(?<=[.!?:])|(?<=\n))\s*(?:(?:and|then|so)\s+)?(?:i(?:'ll| will)\s+)?paste\s+(?:the|my|in|it)\b"
    r"[^.!?\n]{0,30}?(?:[.!:]+|(?=\n)|$)",
    re.IGNORECASE,
)


def without_paste_direction(message: str) -> str:
    """The message that goes above pasted material, without a sentence that says to paste it."""
    kept = _PASTE_DIRECTION.sub("", message).strip()
    return kept if len(words(kept)) >= 3 else message


# Where a message's second request begins: "... using JavaScript and ensure it is written in OOP."
# ... or, with a participle, "... using JavaScript, ensuring it is written in OOP." (grid run of
# 2026-11-29), sent as "make sure it is written in OOP" ("It should be written in OOP.").
_JOINT = re.compile(
    r"(?:,\s*|\s+)(?:and(?:\s+also|\s+then|\s+now)?|also|but)\s+|(?<=[.!?])\s+(?:also|and|now),?\s+"
    r"|,\s*(?=(?:ensuring|making sure)\b)"
)
_PARTICIPLE = re.compile(r"^(?:ensuring|making sure)\b", re.IGNORECASE)
# Of the first request's content words, the share found in an earlier user message; 0.7 missed
# "Write a function that counts the number of vowels ..." after "How do I count vowels ..." (6 of 9).
RESTATED_SHARE = 0.6
NEW_REQUEST_WORDS = 3


def without_restated_request(message: str, earlier: Sequence[str]) -> str:
    """The message without a first request that restates an earlier one: asked for the next part,
    the small model typed its first message again and joined the new request to it ("Write a
    function that counts how many vowels are in a given string using JavaScript and ensure it is
    written in OOP.", reading run of 2026-11-29); a person asks only for what is new ("ensure it
    is written in OOP", in plain words "It should be written in OOP.")."""
    return _without_restated_head(message, earlier, _JOINT)


# A complaint's own first sentence may be the restated request: "I'm looking for a simple recipe for
# pancakes without eggs.\nI really want it to be fluffier, but your answer has eggs in it." (make
# demo of 2026-11-29, the opening word for word before the complaint, at two turns running).
_COMPLAINT_JOINT = re.compile(rf"{_JOINT.pattern}|(?<=[.!?])\s+|\n+")


def without_restated_complaint(message: str, earlier: Sequence[str]) -> str:
    """A complaint without a first sentence or request that restates an earlier message: a person
    says what is wrong ("your answer has eggs in it"), and resends the whole request, if at all,
    as it was ("no, ..." when nothing else is said: see the inquirer)."""
    if _POINTS_BACK.match(message):
        return message
    return _without_restated_head(message, earlier, _COMPLAINT_JOINT)


# "I asked for a recipe without eggs but you put eggs in it": the request told as what was asked,
# the way people complain, is no restatement.
_POINTS_BACK = re.compile(
    # after a greeting too: "Hey bot, I asked for list of locations in France for walking tours, and you
    # gave me ..." had been cut to "you gave me ..." (grid run of the night of 2026-11-29)
    r"^\s*(?:(?:hey|hi|hello)(?:\s+(?:there|bot|chatbot|ai))?[,!.]?\s+)?(?:no,?\s+|but\s+)?"
    r"i\s+(?:asked|said|wanted|told|requested|meant|specifically)\b",
    re.IGNORECASE,
)


# What follows "and" inside a sentence and is no request of its own but the rest of a phrase: a
# number or fraction ("one-third of the time running and two-thirds of the time walking" was cut to
# "Two-thirds of the time walking." and sent so, three turns running, in the grid run of
# 2026-11-29) or a gerund ("running and walking"; "ensuring", "making sure" are requests).
_PHRASE_GOES_ON = re.compile(
    rf"^(?:\d|(?:{'|'.join(NUMBER_WORDS)}|half|halves|thirds?|quarters?|fourths?|fifths?)\b"
    r"|(?!(?:ensuring|making|bring|sing|ring|string|thing|king)\b)\w+ing\b)",
    re.IGNORECASE,
)


# ... or a noun phrase with no verb of its own before the sentence ends: "the total amount of feed
# ..., considering the amount given in the morning (15 cups) and the afternoon (25 cups)." had been
# sent as "The afternoon (25 cups)." (grid run of the evening of 2026-11-29). "and the function
# should be in OOP" is a request of its own.
_DETERMINER = re.compile(r"^(?:the|a|an|my|your|their|its|this|that|these|those|each|every)\b", re.IGNORECASE)
_CLAUSE_VERB = re.compile(
    r"\b(?:should|must|needs?|has|have|had|is|are|was|were|will|would|can|could|does|do|did|seems?|looks?"
    r"|gives?|makes?|says?)\b",
    re.IGNORECASE,
)


# ... or a short complement that ends the sentence: "Can you make this function recursive and memory
# optimal? the function shouldn't ..." had been sent as "memory optimal? the function shouldn't ..."
# (reading run of the evening of 2026-11-29). "and add a CLI" is a request: it opens on a verb.
SHORT_COMPLEMENT_WORDS = 3
_REQUEST_VERB = re.compile(
    r"^(?:add|use|fix|change|include|put|keep|make|write|give|tell|show|explain|list|find|create|check"
    r"|ensure|calculate|compute|do|also|then|now)\b",
    re.IGNORECASE,
)


# ... or a verb with no subject of its own, the rest of a relative clause: "list locations that are good
# for walking tours and | are not too challenging" had been sent from "Are not too challenging" (grid
# run of the night of 2026-11-29).
_SUBJECTLESS_VERB = re.compile(
    r"^(?:are|is|was|were|has|have|had|does|do|did|don't|doesn't|isn't|aren't|can't|won't|can|could|should"
    r"|would|will|may|might|must)\b",
    re.IGNORECASE,
)


def _phrase_goes_on(rest: str) -> bool:
    if _PHRASE_GOES_ON.match(rest) or _SUBJECTLESS_VERB.match(rest):
        return True
    sentence = re.split(r"[.!?\n]", rest, maxsplit=1)[0]
    if _CLAUSE_VERB.search(sentence):
        return False
    if _DETERMINER.match(rest):
        return True
    return len(words(sentence)) <= SHORT_COMPLEMENT_WORDS and not _REQUEST_VERB.match(rest)


_APOLOGY = re.compile(r"^(?:i'?m sorry|i am sorry|sorry|my apologies|i apologi[sz]e)\b", re.IGNORECASE)


def _without_restated_head(message: str, earlier: Sequence[str], joints: re.Pattern[str]) -> str:
    asked_before = {stem(word) for text in earlier for word in content_words(text)}
    # Only the first sentence may go: cut at a later joint, the head had taken the complaint with it
    # ("... in a day? I know it's not 40 cups as you said, but could you tell me what's wrong with
    # your answer? I want to make sure I give the right amount." was sent as its last sentence,
    # grid run of 2026-11-29).
    first_end = re.search(r"[.!?]+(?=\s|$)|\n", message)
    limit = first_end.end() if first_end else len(message)
    for joint in joints.finditer(message):
        if joint.start() > limit:
            break
        first, rest = message[: joint.start()], message[joint.end() :].strip()
        said = [stem(word) for word in content_words(first)]
        within_a_sentence = not re.search(r"[.!?\n]", message[joint.start() : joint.end()])
        if within_a_sentence and _phrase_goes_on(rest):
            continue
        if _APOLOGY.match(rest):  # "I'm sorry if I made a mistake before." alone asks nothing (grid run)
            continue
        if (
            len(said) >= NEW_REQUEST_WORDS
            and sum(word in asked_before for word in said) >= RESTATED_SHARE * len(said)
            and len(words(rest)) >= NEW_REQUEST_WORDS
        ):
            # a question left in the order of the sentence it was cut from is asked: "where it is
            # located?" (from "... the 3rd in the list, and where it is located?") is "where is it located?"
            rest = in_question_order(_PARTICIPLE.sub("make sure", rest))
            return in_plain_words(rest[:1].upper() + rest[1:] if first[:1].isupper() else rest)
    return message


def in_the_users_voice(message: str) -> str:
    """The small model's habits that a plain rewrite mends: the assistant's "Sure," opening, a
    closing run of hashtags, the chatbot named at the start or spoken of to its face, a request
    wrapped in "can you help me with that?", a task sheet's verb ("ensure ...")."""
    return in_plain_words(
        without_help_wrapping(
            to_the_chatbots_face(
                without_vocative(without_assent_opening(without_enthusiasm(without_hashtags(message))))
            )
        )
    )
